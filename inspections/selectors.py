"""Reads of templates, inspections and their items: always by key or index (no Scan)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from autolab.batch import BatchRead, first
from autolab.exceptions import NotFound, PermissionDenied
from autolab.permissions import PERMISSIONS, Permission, Role, StaffIdentity
from bookings.models import Appointment
from inspections.models import (
    CATALOGUE,
    HEAD_VERSION,
    Inspection,
    InspectionItem,
    InspectionTemplate,
    TemplateItem,
    plan_pointer_id,
)
from inspections.types import InspectionStatus

VIN_LIST_LIMIT = 50
ID_LONGEST = 64


def _is_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= ID_LONGEST


# --- Templates ----------------------------------------------------------------------------------


def template_list() -> list[InspectionTemplate]:
    """Every template's head, by id (one Query of the sparse catalogue index)."""
    return list(InspectionTemplate.catalogue_index.query(CATALOGUE))


def template_head(template_id: str, *, consistent_read: bool = False) -> InspectionTemplate | None:
    if not _is_id(template_id) or template_id.startswith("plan#"):
        return None
    return InspectionTemplate.get_or_none(template_id, HEAD_VERSION, consistent_read=consistent_read)


def template_version(template_id: str, version: int) -> InspectionTemplate | None:
    """One published version (immutable), or None."""
    if not _is_id(template_id) or version < 1:
        return None
    return InspectionTemplate.get_or_none(template_id, version)


def template_latest(template_id: str) -> InspectionTemplate | None:
    head = template_head(template_id, consistent_read=True)
    if head is None or not head.latest_version:
        return None
    return template_version(template_id, head.latest_version)


def template_for_plan(service_id: int, plan_id: int) -> InspectionTemplate | None:
    """The latest published version of the plan's template, or None when the plan has none."""
    pointer = InspectionTemplate.get_or_none(plan_pointer_id(service_id, plan_id), HEAD_VERSION)
    if pointer is None or not pointer.plan_template_id:
        return None
    return template_latest(pointer.plan_template_id)


def template_items(template: InspectionTemplate) -> dict[str, TemplateItem]:
    """A published version's items by id, in checklist order."""
    return {item.item_id: item for section in template.sections or [] for item in section.items}


# --- Inspections ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """What a fill decision reads in one BatchGetItem: the appointment and its inspection."""

    appointment: Appointment | None
    inspection: Inspection | None


def job_get(appointment_id: str) -> Job:
    """The appointment and its inspection (strongly consistent), one BatchGetItem."""
    if not _is_id(appointment_id):
        return Job(None, None)
    batch = BatchRead()
    batch.add(Appointment, appointment_id, consistent=True)
    batch.add(Inspection, appointment_id, consistent=True)
    found = batch.run()
    return Job(
        appointment=first(found[Appointment.Meta.table_name], Appointment),
        inspection=first(found[Inspection.Meta.table_name], Inspection),
    )


def inspection_get(appointment_id: str, *, consistent_read: bool = False) -> Inspection | None:
    return Inspection.get_by_id(appointment_id, consistent_read=consistent_read)


def item_get(appointment_id: str, item_id: str) -> InspectionItem | None:
    """One item result, strongly consistent (what a conflict answers with)."""
    if not _is_id(appointment_id) or not _is_id(item_id):
        return None
    return InspectionItem.get_or_none(appointment_id, item_id, consistent_read=True)


def items_of(appointment_id: str, *, consistent_read: bool = False) -> dict[str, InspectionItem]:
    """Every saved item result of an inspection (one Query, paged by PynamoDB)."""
    query = InspectionItem.query(appointment_id, consistent_read=consistent_read)
    return {item.item_id: item for item in query}


def inspections_for_vin(vin: str, *, limit: int = VIN_LIST_LIMIT) -> list[Inspection]:
    """A car's inspections, newest first (one Query of the sparse VIN index)."""
    return list(Inspection.vin_index.query(vin, scan_index_forward=False, limit=limit))


def may_view(actor: StaffIdentity, appointment: Appointment) -> bool:
    """The appointment's view rule: staff who see every job, or the assigned mechanic."""
    if actor.has(Permission.APPOINTMENT_VIEW_ALL):
        return True
    return actor.has(Permission.APPOINTMENT_VIEW_ASSIGNED) and appointment.assigned_mechanic_id == actor.user_id


def fills_any_job(actor: StaffIdentity) -> bool:
    """True when a role other than MECHANIC grants INSPECTION_FILL: mechanics fill their own only."""
    granting = PERMISSIONS[Permission.INSPECTION_FILL] - {Role.MECHANIC}
    return any(role in granting for role in actor.roles)


# --- Comparing two inspections of one car ------------------------------------------------------


@dataclass(frozen=True)
class CompareRow:
    section: str
    label: str
    kind: str
    a: dict[str, Any] | None
    b: dict[str, Any] | None

    @property
    def changed(self) -> bool:
        return self.a != self.b


def answer_of(item: InspectionItem | None) -> dict[str, Any] | None:
    """An item's answer as compared: rating, value, text, photo count (None when never saved)."""
    if item is None:
        return None
    value: Decimal | None = item.value
    return {
        "rating": item.rating,
        "value": str(value) if value is not None else None,
        "text": item.text or "",
        "photos": len(item.photos or []),
    }


def compare_rows(
    template_a: InspectionTemplate,
    items_a: dict[str, InspectionItem],
    template_b: InspectionTemplate,
    items_b: dict[str, InspectionItem],
) -> list[CompareRow]:
    """Row per item of either checklist (a's order, then b's items a lacks), matched by item id."""
    rows: list[CompareRow] = []
    seen: set[str] = set()
    for template in (template_a, template_b):
        for section in template.sections or []:
            for item in section.items:
                if item.item_id in seen:
                    continue
                seen.add(item.item_id)
                rows.append(
                    CompareRow(
                        section=section.title,
                        label=item.label,
                        kind=item.kind,
                        a=answer_of(items_a.get(item.item_id)),
                        b=answer_of(items_b.get(item.item_id)),
                    )
                )
    return rows


# --- Reads for staff (the appointment's view rule) -------------------------------------------------


@dataclass(frozen=True)
class InspectionView:
    inspection: Inspection
    template: InspectionTemplate
    items: dict[str, InspectionItem]


def _viewable_appointment(actor: StaffIdentity, appointment_id: str) -> Appointment:
    appointment = Appointment.get_by_id(appointment_id)
    if appointment is None:
        raise NotFound("Appointment not found")
    if not may_view(actor, appointment):
        raise PermissionDenied("Only the mechanic assigned to this job can see its inspection")
    return appointment


def inspection_view(actor: StaffIdentity, appointment_id: str) -> InspectionView:
    """An inspection with the checklist version it uses and its saved items, for who may see the
    appointment (404 when none was started)."""
    _viewable_appointment(actor, appointment_id)
    inspection = inspection_get(appointment_id, consistent_read=True)
    if inspection is None:
        raise NotFound("No inspection has been started for this appointment")
    template = template_version(inspection.template_id, inspection.template_version)
    if template is None:
        raise NotFound("This inspection's checklist version is missing")
    return InspectionView(inspection, template, items_of(appointment_id, consistent_read=True))


def inspections_for_vin_visible(actor: StaffIdentity, vin: str) -> list[Inspection]:
    """A car's inspections newest first, only those of appointments ``actor`` may see."""
    found = inspections_for_vin(vin)
    if actor.has(Permission.APPOINTMENT_VIEW_ALL) or not found:
        return found
    appointments = Appointment.batch_get([inspection.appointment_id for inspection in found])
    visible = {appointment.appointment_id for appointment in appointments if may_view(actor, appointment)}
    return [inspection for inspection in found if inspection.appointment_id in visible]


@dataclass(frozen=True)
class Comparison:
    a: Inspection
    b: Inspection
    rows: list[CompareRow]


def inspections_compare(actor: StaffIdentity, a: str, b: str) -> Comparison:
    """Two inspections side by side, item by item (both must be visible to ``actor``)."""
    first_view, second_view = inspection_view(actor, a), inspection_view(actor, b)
    rows = compare_rows(first_view.template, first_view.items, second_view.template, second_view.items)
    return Comparison(first_view.inspection, second_view.inspection, rows)


RECONCILE_BATCH = 100


def submitted_before(epoch: int, *, limit: int = RECONCILE_BATCH) -> list[Inspection]:
    """Inspections still waiting for their PDF, submitted at or before ``epoch``, oldest first (one
    Query of the sparse ``status-submittedAt-index``)."""
    waiting = InspectionStatus.SUBMITTED.value
    return list(Inspection.submitted_index.query(waiting, Inspection.submitted_at <= epoch, limit=limit))
