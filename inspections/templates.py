"""Checklist templates (ADMIN): create, and publish a new version. A published version is never
changed; an inspection keeps the version it started with (docs/inspections.md)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from autolab import audit, clock
from autolab.dynamodb import conflicted, transaction
from autolab.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from autolab.permissions import Permission, StaffIdentity
from bookings.selectors import service_price_get
from inspections import selectors
from inspections.models import (
    CATALOGUE,
    HEAD_VERSION,
    InspectionTemplate,
    PlanRef,
    TemplateItem,
    TemplateSection,
    plan_pointer_id,
)
from inspections.types import ItemKind

NAME_LONGEST = 120
LABEL_LONGEST = 200
UNIT_LONGEST = 20
MAX_SECTIONS = 30
MAX_ITEMS = 300
MAX_PLANS = 20
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


@dataclass(frozen=True)
class ItemSpec:
    label: str
    kind: ItemKind
    unit: str = ""
    item_id: str | None = None  # kept when an edit sends it; new items get one from the server


@dataclass(frozen=True)
class SectionSpec:
    title: str
    items: tuple[ItemSpec, ...]
    section_id: str | None = None


@dataclass(frozen=True)
class PlanSpec:
    service_id: int
    plan_id: int


def _new_id() -> str:
    return uuid.uuid4().hex[:12]


def _checked_id(value: str | None, seen: set[str], what: str) -> str:
    if value is None:
        value = _new_id()
    elif not ID_PATTERN.fullmatch(value):
        raise ValidationError(f"{what} id {value[:40]!r} must be lower-case letters, digits and dashes")
    if value in seen:
        raise ValidationError(f"{what} id {value!r} is used twice")
    seen.add(value)
    return value


def _text(value: str, what: str, longest: int) -> str:
    text = " ".join(value.split())
    if not text:
        raise ValidationError(f"{what} is required")
    if len(text) > longest:
        raise ValidationError(f"{what} must be at most {longest} characters")
    return text


def _item(spec: ItemSpec, seen: set[str]) -> TemplateItem:
    label = _text(spec.label, "An item's label", LABEL_LONGEST)
    unit = " ".join(spec.unit.split())
    if spec.kind == ItemKind.MEASUREMENT and not unit:
        raise ValidationError(f"The measurement {label!r} needs a unit (mm, kPa, V…)")
    if len(unit) > UNIT_LONGEST:
        raise ValidationError(f"A unit must be at most {UNIT_LONGEST} characters")
    return TemplateItem(
        item_id=_checked_id(spec.item_id, seen, "Item"),
        label=label,
        kind=spec.kind.value,
        unit=unit if spec.kind == ItemKind.MEASUREMENT else "",
    )


def _sections(specs: tuple[SectionSpec, ...]) -> list[TemplateSection]:
    if not specs:
        raise ValidationError("A checklist needs at least one section")
    if len(specs) > MAX_SECTIONS:
        raise ValidationError(f"A checklist has at most {MAX_SECTIONS} sections")
    if sum(len(section.items) for section in specs) > MAX_ITEMS:
        raise ValidationError(f"A checklist has at most {MAX_ITEMS} items")
    section_ids: set[str] = set()
    item_ids: set[str] = set()
    sections = []
    for spec in specs:
        title = _text(spec.title, "A section's title", LABEL_LONGEST)
        if not spec.items:
            raise ValidationError(f"The section {title!r} has no items")
        sections.append(
            TemplateSection(
                section_id=_checked_id(spec.section_id, section_ids, "Section"),
                title=title,
                items=[_item(item, item_ids) for item in spec.items],
            )
        )
    return sections


def _plans(specs: tuple[PlanSpec, ...]) -> list[PlanRef]:
    if len(specs) > MAX_PLANS:
        raise ValidationError(f"A checklist applies to at most {MAX_PLANS} plans")
    unique = sorted({(plan.service_id, plan.plan_id) for plan in specs})
    for service_id, plan_id in unique:
        if service_price_get(service_id, plan_id) is None:
            raise ValidationError(f"No service plan ({service_id}, {plan_id})")
    return [PlanRef(service_id=service_id, plan_id=plan_id) for service_id, plan_id in unique]


def _keys(plans: list[PlanRef] | None) -> set[tuple[int, int]]:
    return {(plan.service_id, plan.plan_id) for plan in plans or []}


def _check_manager(actor: StaffIdentity) -> None:
    if not actor.has(Permission.INSPECTION_TEMPLATES_MANAGE):
        raise PermissionDenied("Only admins can change inspection checklists")


def _claim_plans(
    writer: TransactWrite, template_id: str, plans: set[tuple[int, int]], now: int, actor: StaffIdentity
) -> None:
    """Point each plan at ``template_id``, unless another template holds it (the plan's one template)."""
    for service_id, plan_id in sorted(plans):
        pointer = InspectionTemplate(
            template_id=plan_pointer_id(service_id, plan_id),
            version=HEAD_VERSION,
            plan_template_id=template_id,
            updated_at=now,
            updated_by=actor.user_id,
        )
        mine = InspectionTemplate.plan_template_id == template_id
        writer.save(pointer, condition=InspectionTemplate.template_id.does_not_exist() | mine)


def _release_plans(writer: TransactWrite, template_id: str, plans: set[tuple[int, int]]) -> None:
    for service_id, plan_id in sorted(plans):
        pointer = InspectionTemplate(template_id=plan_pointer_id(service_id, plan_id), version=HEAD_VERSION)
        writer.delete(pointer, condition=InspectionTemplate.plan_template_id == template_id)


def _taken_plan(template_id: str, plans: set[tuple[int, int]]) -> Conflict | None:
    for service_id, plan_id in sorted(plans):
        pointer = InspectionTemplate.get_or_none(
            plan_pointer_id(service_id, plan_id), HEAD_VERSION, consistent_read=True
        )
        if pointer is not None and pointer.plan_template_id != template_id:
            return Conflict(
                f"Plan ({service_id}, {plan_id}) already has another checklist ({pointer.plan_template_id})"
            )
    return None


def _publish(
    *,
    actor: StaffIdentity,
    template_id: str,
    name: str,
    plans: list[PlanRef],
    sections: list[TemplateSection],
    head: InspectionTemplate | None,
) -> InspectionTemplate:
    """Write version N+1 with its head and plan pointers in one transaction (N = the head's
    ``latestVersion``; a head moved meanwhile refuses it)."""
    now = clock.epoch_now()
    seen = head.latest_version if head is not None and head.latest_version else 0
    published = InspectionTemplate(
        template_id=template_id,
        version=seen + 1,
        name=name,
        plans=plans,
        sections=sections,
        created_at=now,
        updated_at=now,
        updated_by=actor.user_id,
    )
    new_head = InspectionTemplate(
        template_id=template_id,
        version=HEAD_VERSION,
        name=name,
        plans=plans,
        latest_version=seen + 1,
        catalogue=CATALOGUE,
        created_at=head.created_at if head is not None else now,
        updated_at=now,
        updated_by=actor.user_id,
    )
    wanted, held = _keys(plans), _keys(head.plans if head is not None else None)
    head_condition = (
        InspectionTemplate.latest_version == seen
        if head is not None
        else InspectionTemplate.template_id.does_not_exist()
    )
    try:
        with transaction() as writer:
            _release_plans(writer, template_id, held - wanted)
            writer.save(published, condition=InspectionTemplate.template_id.does_not_exist())
            writer.save(new_head, condition=head_condition)
            _claim_plans(writer, template_id, wanted, now, actor)
    except TransactWriteError as error:
        if not conflicted(error):
            raise
        taken = _taken_plan(template_id, wanted)
        if taken is not None:
            raise taken from error
        latest = selectors.template_head(template_id, consistent_read=True)
        raise Conflict(
            "Someone else published a new version of this checklist first; reload it",
            {"latestVersion": latest.latest_version if latest is not None else None},
        ) from error
    return published


def template_create(
    *, actor: StaffIdentity, name: str, plans: tuple[PlanSpec, ...], sections: tuple[SectionSpec, ...]
) -> InspectionTemplate:
    """Create a checklist at version 1 (ADMIN); each plan may have only one checklist (409)."""
    _check_manager(actor)
    template_id = _new_id()
    published = _publish(
        actor=actor,
        template_id=template_id,
        name=_text(name, "The checklist's name", NAME_LONGEST),
        plans=_plans(plans),
        sections=_sections(sections),
        head=None,
    )
    audit.record(actor, "inspection_template.create", "inspection_template", template_id, {}, _summary(published))
    return published


def template_update(
    *,
    actor: StaffIdentity,
    template_id: str,
    version: int,
    name: str,
    plans: tuple[PlanSpec, ...],
    sections: tuple[SectionSpec, ...],
) -> InspectionTemplate:
    """Publish version N+1 of a checklist, ``version`` being the N the editor saw (409 when another
    edit came first). Inspections already started keep the version they started with."""
    _check_manager(actor)
    head = selectors.template_head(template_id, consistent_read=True)
    if head is None:
        raise NotFound("Checklist not found")
    if head.latest_version != version:
        raise Conflict(
            f"This checklist is at version {head.latest_version}, not {version}; reload it",
            {"latestVersion": head.latest_version},
        )
    before = selectors.template_version(template_id, version)
    published = _publish(
        actor=actor,
        template_id=template_id,
        name=_text(name, "The checklist's name", NAME_LONGEST),
        plans=_plans(plans),
        sections=_sections(sections),
        head=head,
    )
    audit.record(
        actor,
        "inspection_template.publish",
        "inspection_template",
        template_id,
        _summary(before) if before is not None else {},
        _summary(published),
    )
    return published


def _summary(template: InspectionTemplate) -> dict[str, object]:
    """What the audit entry shows of a version: name, plans, version and how many sections/items."""
    sections = template.sections or []
    return {
        "name": template.name,
        "plans": sorted(f"{service_id}/{plan_id}" for service_id, plan_id in _keys(template.plans)),
        "latestVersion": template.version,
        "sections": len(sections),
        "items": sum(len(section.items) for section in sections),
    }
