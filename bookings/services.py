"""Bookings: creating appointments (validation, price, daily limit) and report uploads."""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from autolab import clock, storage
from autolab.dynamodb import transaction
from autolab.exceptions import Conflict, LimitReached, NotFound, PermissionDenied, ValidationError
from autolab.permissions import Permission, StaffIdentity
from bookings import notifications, selectors, validation
from bookings.models import (
    Appointment,
    BookingCounter,
    SelectedSlot,
    ServicePrice,
)

DAILY_UNPAID_LIMIT = 3
REPORT_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_LINK_SECONDS = 3600


# --- Booking ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Booker:
    """Who an appointment is created for, and whether the daily limit applies."""

    user_id: str
    limited: bool


def _booker(actor: StaffIdentity | None, user_id: Any) -> Booker:
    from chat.selectors import customer_get

    if user_id is not None and not isinstance(user_id, str):
        raise ValidationError("userId must be a string")
    if actor is None:
        if not user_id:
            raise ValidationError("userId is required for non-staff users")
        if customer_get(user_id) is None:
            raise NotFound(f"No user record found for userId: {user_id[:64]}")
        return Booker(user_id, limited=True)
    if not actor.has(Permission.APPOINTMENT_BOOK_FOR_CUSTOMER):
        raise PermissionDenied("Only customer support can book appointments for customers")
    if not user_id or user_id == actor.user_id:
        return Booker(actor.user_id, limited=False)  # walk-in: an administrative entry
    if customer_get(user_id) is not None:
        return Booker(user_id, limited=False)
    if selectors.staff_contact(user_id[:64]) is not None:
        return Booker(actor.user_id, limited=False)  # a staff id: recorded as the booking staff member
    raise NotFound(f"No user record found for userId: {user_id[:64]}")


def plan_for(service_id: int, plan_id: int) -> ServicePrice:
    plan = selectors.service_price_get(service_id, plan_id)
    if plan is None or not plan.active:
        raise ValidationError("Invalid service or plan. Please check the serviceId and planId provided.")
    return plan


def _check_preferred_available(slots: list[validation.PreferredSlot]) -> None:
    states = selectors.day_states(sorted({slot.date for slot in slots})) if slots else {}
    for slot in slots:
        where = f"{slot.date} {slot.interval.label}"
        if validation.too_soon(slot.date, slot.interval):
            raise ValidationError(f"Selected slot {where} must be at least 2 hours from now")
        if states[slot.date].blocked(slot.interval):
            raise ValidationError(f"Selected slot {where} is unavailable")


def _contact_fields(data: dict[str, Any], is_buyer: bool) -> dict[str, str]:
    fields = {}
    for side in ("buyer", "seller"):
        key = f"{side}Data"
        required = (side == "buyer") == is_buyer
        if required or data.get(key):
            if not data.get(key) and required:
                raise ValidationError(f"{key} is required")
            person = validation.person(data[key], key)
            fields.update({f"{side}_name": person.name, f"{side}_email": person.email, f"{side}_phone": person.phone})
        else:
            fields.update({f"{side}_name": "", f"{side}_email": "", f"{side}_phone": ""})
    return fields


def _validated_booking(
    data: Any, *, customer: bool
) -> tuple[ServicePrice, dict[str, Any], list[validation.PreferredSlot]]:
    if not isinstance(data, dict):
        raise ValidationError("appointmentData is required")
    validation.require(data, "serviceId", "planId", "isBuyer", "carData")
    service_id, plan_id = (
        validation.integer(data["serviceId"], "serviceId"),
        validation.integer(data["planId"], "planId"),
    )
    if not isinstance(data["isBuyer"], bool):
        raise ValidationError("isBuyer must be true or false")
    fields = _contact_fields(data, data["isBuyer"])
    car = validation.car(data["carData"])
    notes = validation.optional_text(data.get("notes"), "notes", high=validation.NOTES_MAX)
    slots = validation.preferred_slots(data.get("selectedSlots"), required=customer)
    plan = plan_for(service_id, plan_id)
    _check_preferred_available(slots)
    fields.update(
        is_buyer=data["isBuyer"],
        car_make=car.make,
        car_model=car.model,
        car_year=car.year,
        car_location=car.location,
        notes=notes,
    )
    return plan, fields, slots


def appointment_create(*, actor: StaffIdentity | None, user_id: Any, data: Any) -> Appointment:
    """Book an appointment: validated, priced from ServicePrices, at most 3 unpaid per customer per day."""
    booker = _booker(actor, user_id)
    plan, fields, slots = _validated_booking(data, customer=actor is None)

    def build() -> Appointment:
        now = clock.epoch_now()
        return Appointment(
            appointment_id=str(uuid.uuid4()),
            service_id=plan.service_id,
            plan_id=plan.plan_id,
            selected_slots=[SelectedSlot(**slot.as_item()) for slot in slots],
            created_user_id=booker.user_id,
            status="PENDING",
            price=plan.price,
            payment_status="pending",
            post_notes="",
            reports=[],
            created_at=now,
            created_date=clock.business_date_str(),
            updated_at=now,
            **fields,
        )

    appointment = _create_limited(booker.user_id, build) if booker.limited else _create(build())
    notifications.notify(appointment, "appointment_created", dedupe=f"appointment_created:{appointment.appointment_id}")
    notifications.publish("appointment.created", appointment)
    return appointment


def _create(appointment: Appointment) -> Appointment:
    appointment.save(condition=Appointment.appointment_id.does_not_exist())
    return appointment


def _unpaid_today(user_id: str, today: str) -> int:
    condition = (Appointment.created_date == today) & (Appointment.payment_status != "paid")
    return sum(1 for _ in Appointment.created_user_index.query(user_id, filter_condition=condition))


def _create_limited(user_id: str, build: Any) -> Appointment:
    """Count, then write the appointment together with a bump of the customer's day counter.

    The counter's version condition makes concurrent bookings of one customer take turns, so
    each one counts the others' appointments before it is allowed in.
    """
    today = clock.business_date_str()
    for attempt in range(20):
        counter = _counter_get(f"{user_id}#{today}")
        if _unpaid_today(user_id, today) >= DAILY_UNPAID_LIMIT:
            raise LimitReached(f"Appointments limit ({DAILY_UNPAID_LIMIT}) reached for today")
        counter.bookings = (counter.bookings or 0) + 1
        appointment = build()
        try:
            with transaction() as writer:
                writer.save(counter)
                writer.save(appointment, condition=Appointment.appointment_id.does_not_exist())
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
            continue
        return appointment
    raise Conflict("Too many bookings at the same moment; please try again")


def _counter_get(key: str) -> BookingCounter:
    try:
        return BookingCounter.get(key, consistent_read=True)
    except BookingCounter.DoesNotExist:
        return BookingCounter(counter_key=key, bookings=0)


# --- Reports upload ------------------------------------------------------------------------------


_UPLOAD_NOTE = "PUT the PDF, of the fileSize given, to uploadUrl with instructions.headers; the link works once"


def report_upload_url(*, actor: StaffIdentity, data: dict[str, Any]) -> dict[str, Any]:
    """A signed, single-use PUT link for one PDF report (≤ 10 MB); the report is listed as ``pending_upload``."""
    if data["uploadType"] != "report":
        raise ValidationError("Only report uploads are supported")
    if str(data["fileType"]).lower() not in ("application/pdf", "pdf"):
        raise ValidationError("Only PDF files are allowed for reports")
    size = data.get("fileSize")
    if size is not None and not 0 < size <= REPORT_MAX_BYTES:
        raise ValidationError("File size must be at most 10 MB")
    appointment = selectors.appointment_get(data["referenceId"])
    if appointment is None:
        raise NotFound("Appointment not found")
    if actor.is_mechanic_only and appointment.assigned_mechanic_id != actor.user_id:
        raise PermissionDenied("Only the assigned mechanic can upload reports for this appointment")
    if appointment.status in ("PENDING", "CANCELLED"):
        raise ValidationError("Reports can be uploaded once the appointment is scheduled")
    file_name = storage.sanitize_filename(data["fileName"], default="report.pdf")
    if not file_name.lower().endswith(".pdf"):
        file_name += ".pdf"
    key = f"reports/{appointment.appointment_id}/{clock.local_now():%Y%m%d_%H%M%S}_{uuid.uuid4().hex[:6]}_{file_name}"
    try:  # signed before the report is listed: a refused link lists nothing
        target = storage.upload_target(
            key, content_type="application/pdf", max_bytes=REPORT_MAX_BYTES, size=size, max_age=UPLOAD_LINK_SECONDS
        )
    except storage.StorageError as error:
        raise ValidationError(str(error)) from error
    entry = {
        "s3Key": key,
        "fileName": file_name,
        "fileType": "application/pdf",
        "fileSize": int(size or 0),
        "uploadType": "report",
        "uploadedBy": actor.user_id,
        "uploadedAt": clock.iso_local(),
        "status": "pending_upload",
        "reviewed": False,
    }
    appointment.update(
        actions=[
            Appointment.reports.set(Appointment.reports.append([entry])),
            Appointment.updated_at.set(clock.epoch_now()),
        ],
        condition=Appointment.appointment_id.exists(),
        add_version_condition=False,
    )
    return {
        "uploadUrl": target.url,
        "uploadFields": {},
        "s3Key": key,
        "referenceId": appointment.appointment_id,
        "uploadType": "report",
        "metadata": entry,
        "expiresIn": UPLOAD_LINK_SECONDS,
        "fileUrl": storage.download_url(key, filename=file_name),
        "instructions": {"method": "PUT", "headers": target.headers, "note": _UPLOAD_NOTE},
    }


def report_attach(*, actor: StaffIdentity, appointment_id: str, file_name: str, data: bytes) -> dict[str, Any]:
    """Portal upload: list the report exactly as upload-urls does, then store the PDF itself."""
    if len(data) > REPORT_MAX_BYTES:
        raise ValidationError("File size must be at most 10 MB")
    if not data.startswith(b"%PDF-"):
        raise ValidationError("The file is not a PDF")
    request = {
        "uploadType": "report",
        "referenceId": appointment_id,
        "fileName": file_name,
        "fileType": "application/pdf",
        "fileSize": len(data),
    }
    result = report_upload_url(actor=actor, data=request)
    report_upload_claim(result["s3Key"])
    storage.save(result["s3Key"], data, "application/pdf")
    return result


def report_upload_claim(key: str) -> None:
    """Mark the report at ``key`` uploaded, once: its link is then used up, and an uploaded (later
    approved) file can never be replaced. Registered with autolab.storage for "reports/" keys."""
    appointment = selectors.appointment_get(key.split("/")[1] if key.count("/") >= 2 else "")
    reports = list(appointment.reports or []) if appointment is not None else []
    index = next((i for i, r in enumerate(reports) if r.get("s3Key") == key), None)
    if appointment is None or index is None:
        raise storage.UploadRefused("No report is waiting for this upload")
    entry = Appointment.reports[index]
    try:
        appointment.update(
            actions=[entry["status"].set("uploaded"), Appointment.updated_at.set(clock.epoch_now())],
            condition=(entry["s3Key"] == key) & (entry["status"] == "pending_upload"),
            add_version_condition=False,
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise storage.UploadRefused("This upload link has already been used; ask for a new one") from error
        raise
