"""The inspection report's life after submit: its data read from the stored inspection, the PDF
rendered and stored at a deterministic key, listed once on the appointment's reports (so the admin
review and the website apply unchanged), and the inspection marked reported. Re-running any step is
harmless, so the worker retries freely."""

from __future__ import annotations

import logging

from pynamodb.exceptions import UpdateError

from autolab import clock, storage
from autolab.dynamodb import condition_failed
from autolab.exceptions import NotFound
from bookings import selectors as booking_selectors
from bookings import services as booking_services
from bookings.notifications import customer_contact
from inspections import selectors
from inspections.models import Inspection, InspectionItem, ItemPhoto
from inspections.photos import THUMB_SIDE
from inspections.rendering import render_report
from inspections.types import (
    InspectionStatus,
    ItemKind,
    Rating,
    ReportData,
    ReportItem,
    ReportPhoto,
    ReportSection,
    ReportVehicle,
    Verdict,
)

logger = logging.getLogger(__name__)
RENDERED = (InspectionStatus.SUBMITTED.value, InspectionStatus.REPORTED.value)


def report_key(appointment_id: str, submission: int) -> str:
    """Where the PDF of one submission is stored (one per submit; a reopened inspection's next
    submit gets its own)."""
    return f"reports/{appointment_id}/inspection-{submission}.pdf"


def _thumbnail(photo: ItemPhoto) -> ReportPhoto:
    """The stored 400 px thumbnail, with the size photos.process gave it (aspect kept, never up)."""
    scale = min(THUMB_SIDE / max(photo.width, photo.height, 1), 1.0)
    return ReportPhoto(
        key=photo.thumb_key, width=max(1, round(photo.width * scale)), height=max(1, round(photo.height * scale))
    )


def _item(kind: str, label: str, unit: str, result: InspectionItem | None) -> ReportItem:
    if result is None:
        return ReportItem(label=label, kind=ItemKind(kind), unit=unit)
    return ReportItem(
        label=label,
        kind=ItemKind(kind),
        rating=Rating(result.rating) if result.rating else None,
        value=result.value,
        unit=unit,
        text=(result.text or "").strip(),
        photos=tuple(_thumbnail(photo) for photo in result.photos or []),
    )


def report_data(appointment_id: str) -> ReportData:
    """Everything the PDF shows, read from the submitted inspection (its own checklist version),
    its items, the appointment, the plan and the mechanic who submitted it."""
    inspection = selectors.inspection_get(appointment_id, consistent_read=True)
    appointment = booking_selectors.appointment_get(appointment_id)
    if inspection is None or appointment is None or inspection.status not in RENDERED:
        raise NotFound("No submitted inspection for this appointment")
    template = selectors.template_version(inspection.template_id, inspection.template_version)
    if template is None:
        raise NotFound("The inspection's checklist version is missing")
    results = selectors.items_of(appointment_id, consistent_read=True)
    sections = tuple(
        ReportSection(
            title=section.title,
            items=tuple(_item(i.kind, i.label, i.unit or "", results.get(i.item_id)) for i in section.items),
        )
        for section in template.sections or []
    )
    plan = booking_selectors.plan_cached(appointment.service_id, appointment.plan_id)
    service = f"{plan.service_name} - {plan.plan_name}" if plan is not None else inspection.template_name
    mechanic = booking_selectors.staff_contact(inspection.submitted_by or inspection.mechanic_id) or {}
    return ReportData(
        appointment_id=appointment_id,
        service_name=service,
        customer_name=customer_contact(appointment)[0],
        vehicle=ReportVehicle(
            make=appointment.car_make,
            model=appointment.car_model,
            year=str(appointment.car_year),
            registration=inspection.registration or appointment.registration or "",
            vin=inspection.vin or appointment.vin or "",
            odometer_km=inspection.odometer,
        ),
        verdict=Verdict(inspection.verdict),
        summary=inspection.summary or "",
        sections=sections,
        mechanic_name=mechanic.get("userName") or "",
        submitted_at=clock.to_local(clock.from_epoch(inspection.submitted_at or inspection.updated_at)),
        template_name=inspection.template_name,
        template_version=inspection.template_version,
    )


def report_publish(*, appointment_id: str, submission: int) -> str | None:
    """Render submission ``submission``'s PDF, store it at its key, list it once on the
    appointment's reports and mark the inspection reported (conditioned on still being that
    submission, submitted). Idempotent; the key, or None when that submission is no longer current."""
    inspection = selectors.inspection_get(appointment_id, consistent_read=True)
    if inspection is None or inspection.submission != submission or inspection.status not in RENDERED:
        logger.info("Inspection %s submission %s is not waiting for a report", appointment_id, submission)
        return None
    key = report_key(appointment_id, submission)
    if inspection.status == InspectionStatus.REPORTED and inspection.report_key == key:
        return key
    pdf = render_report(report_data(appointment_id))
    storage.save(key, pdf, "application/pdf")
    booking_services.report_generated_add(
        appointment_id=appointment_id,
        key=key,
        file_name=f"Inspection_report_{submission}.pdf",
        file_size=len(pdf),
        generated_by=inspection.submitted_by or "",
    )
    _mark_reported(appointment_id, submission, key)
    return key


def _mark_reported(appointment_id: str, submission: int, key: str) -> None:
    try:
        Inspection(appointment_id=appointment_id).update(
            actions=[
                Inspection.status.set(InspectionStatus.REPORTED.value),
                Inspection.report_key.set(key),
                Inspection.updated_at.set(clock.epoch_now()),
            ],
            condition=(Inspection.status == InspectionStatus.SUBMITTED.value) & (Inspection.submission == submission),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        # Already reported by a racing run, or reopened meanwhile: the listed PDF stays for review.
        logger.info("Inspection %s submission %s was not marked reported: it changed", appointment_id, submission)
