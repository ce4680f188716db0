"""Bookings: creating appointments (validation, price, daily limit) and report uploads."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from autolab import audit, clock, limits, storage, vehicle_ids, workflow
from autolab.batch import BatchRead, first
from autolab.dynamodb import condition_failed, transaction
from autolab.exceptions import NotFound, PermissionDenied, ValidationError
from autolab.permissions import Permission, StaffIdentity
from autolab.workflow import PaymentStatus
from bookings import listing, notifications, report_changes, searching, selectors, vehicles
from bookings.models import (
    Appointment,
    AppointmentStatus,
    BookingCounter,
    SelectedSlot,
    ServicePrice,
)
from bookings.slots import too_soon
from bookings.types import BookingRequest, PreferredSlot
from chat.models import Customer

if TYPE_CHECKING:
    from emails.services import OutboxEmail

DAILY_UNPAID_LIMIT = 3
DAILY_LIMIT = limits.DailyLimit(
    limit=DAILY_UNPAID_LIMIT,
    record=Appointment,
    counter=BookingCounter,
    total="day_total",
    refused=f"Appointments limit ({DAILY_UNPAID_LIMIT}) reached for today",
    busy="Too many bookings at the same moment; please try again",
    also=lambda: [BookingCounter.bookings.add(1)],
)
REPORT_MAX_BYTES = 10 * 1024 * 1024
# What a report file may be, by its first bytes (never the browser's word): its type and extension.
# The API's upload links take PDFs only (original §1.18); the portal also takes the job's photos.
REPORT_FILE_TYPES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
}
REPORT_TYPES_REFUSED = "Only PDF files and JPEG or PNG photos can be uploaded"
UPLOAD_LINK_SECONDS = 3600


# --- Booking ---------------------------------------------------------------------------------------


@dataclass
class BookingReads:
    """Everything a booking reads, fetched in ONE BatchGetItem (autolab.batch)."""

    customer_exists: bool
    plan: ServicePrice | None
    states: dict[str, selectors.DayState]
    counter: BookingCounter | None


BOOK_FOR_CUSTOMER_DENIED = "Only customer support can book appointments for customers"


def may_book(actor: StaffIdentity | None) -> bool:
    """Customers book for themselves; of the staff, only customer support books (for anyone)."""
    return actor is None or actor.has(Permission.APPOINTMENT_BOOK_FOR_CUSTOMER)


def _booker(actor: StaffIdentity | None, user_id: str | None, customer_exists: bool) -> workflow.Owner:
    return workflow.owner_of(
        actor,
        user_id,
        is_customer=lambda _: customer_exists,  # read in the booking's one BatchGetItem
        is_staff=lambda staff_id: selectors.staff_contact(staff_id[:64]) is not None,
        not_found=f"No user record found for userId: {(user_id or '')[:64]}",
    )


def plan_for(service_id: int, plan_id: int) -> ServicePrice:
    return _active_plan(selectors.plan_cached(service_id, plan_id))


def _active_plan(plan: ServicePrice | None) -> ServicePrice:
    if plan is None or not plan.active:
        raise ValidationError("Invalid service or plan. Please check the serviceId and planId provided.")
    return plan


def _check_preferred_available(slots: tuple[PreferredSlot, ...], states: dict[str, selectors.DayState]) -> None:
    for slot in slots:
        where = f"{slot.date} {slot.interval.label}"
        if too_soon(slot.date, slot.interval):
            raise ValidationError(f"Selected slot {where} must be at least 2 hours from now")
        if states[slot.date].blocked(slot.interval):
            raise ValidationError(f"Selected slot {where} is unavailable")


def _record_fields(booking: BookingRequest) -> dict[str, Any]:
    """The appointment's attributes the booking itself gives (the rest come from the plan and the day)."""
    fields: dict[str, Any] = {}
    for side, person in (("buyer", booking.buyer), ("seller", booking.seller)):
        fields.update(
            {
                f"{side}_name": person.name if person else "",
                f"{side}_email": person.email if person else "",
                f"{side}_phone": person.phone if person else "",
            }
        )
    car = booking.car
    fields.update(
        is_buyer=booking.is_buyer,
        car_make=car.make,
        car_model=car.model,
        car_year=car.year,
        car_location=car.location,
        notes=booking.notes,
    )
    identity = vehicle_ids.Identity(car.registration or "", car.vin or "")
    fields.update(
        registration=identity.registration or None, vin=identity.vin or None, vehicle_key=identity.key or None
    )
    return fields


def _booking_reads(user_id: str | None, booking: BookingRequest, today: str) -> BookingReads:
    """The customer, the plan (unless cached), the days' blocks and load, and the customer's day
    counter (strongly consistent): one BatchGetItem."""
    batch = BatchRead()
    if user_id and len(user_id) <= 64:  # longer ones are never ids (404 below)
        batch.add(Customer, user_id)
        batch.add(BookingCounter, limits.counter_key(user_id, today), consistent=True)
    plan = selectors.plan_peek(booking.service_id, booking.plan_id)
    if plan is None:
        batch.add(ServicePrice, booking.service_id, booking.plan_id)
    states, found = selectors.day_states_with(sorted({slot.date for slot in booking.slots}), batch)
    if plan is None:
        plan = first(found.get(ServicePrice.Meta.table_name, []), ServicePrice)
        if plan is not None:
            selectors.plan_remember(plan)
    return BookingReads(
        customer_exists=bool(found.get(Customer.Meta.table_name)),
        plan=plan,
        states=states,
        counter=first(found.get(BookingCounter.Meta.table_name, []), BookingCounter),
    )


# What the audit entry of a staff booking shows of the new appointment.
CREATE_AUDITED = ("serviceId", "planId", "price", "status", "createdUserId", "selectedSlots")


def appointment_create(*, actor: StaffIdentity | None, user_id: str | None, booking: BookingRequest) -> Appointment:
    """Book an appointment: priced from ServicePrices, in free preferred slots, at most 3 unpaid
    per customer per day (``actor`` None: the customer ``user_id`` books).

    Reads are one BatchGetItem; the appointment, the customer's day counter and the confirmation
    email (outbox) are one transaction.
    """
    workflow.check_requester(actor, user_id, Permission.APPOINTMENT_BOOK_FOR_CUSTOMER, BOOK_FOR_CUSTOMER_DENIED)
    today = clock.business_date_str()
    reads = _booking_reads(user_id, booking, today)
    booker = _booker(actor, user_id, reads.customer_exists)
    plan = _active_plan(reads.plan)
    _check_preferred_available(booking.slots, reads.states)

    def build() -> Appointment:
        now = clock.epoch_now()
        appointment = Appointment(
            appointment_id=str(uuid.uuid4()),
            service_id=plan.service_id,
            plan_id=plan.plan_id,
            selected_slots=[SelectedSlot(**slot.as_item()) for slot in booking.slots],
            created_user_id=booker.user_id,
            status=AppointmentStatus.PENDING,
            price=plan.price,
            payment_status=PaymentStatus.PENDING,
            post_notes="",
            reports=[],
            created_at=now,
            created_date=today,
            updated_at=now,
            **_record_fields(booking),
        )
        for name, value in listing.list_attributes(appointment).items():  # sorted and found in the staff list
            setattr(appointment, name, value)
        return appointment

    if booker.counted:
        total = reads.counter.day_total if reads.counter is not None else 0  # no counter: nothing booked yet
        appointment, email = limits.write_counted(
            DAILY_LIMIT,
            booker.user_id,
            today,
            lambda writer: _add(writer, build()),
            enforce=booker.limited,
            total=total,
        )
    else:
        appointment, email = _create(build())
    created = audit.snapshot(appointment, only=CREATE_AUDITED)
    audit.record(actor, "appointment.create", "appointment", appointment.appointment_id, {}, created)
    if email is not None:
        email.enqueue()
    vehicles.vehicle_seen(appointment)
    notifications.publish("appointment.created", appointment)
    return appointment


def _email_of(appointment: Appointment) -> OutboxEmail | None:
    notice = notifications.Notice("appointment_created", dedupe=f"appointment_created:{appointment.appointment_id}")
    return notifications.outbox_for(appointment, notice)


def _create(appointment: Appointment) -> tuple[Appointment, OutboxEmail | None]:
    with transaction() as writer:
        return _add(writer, appointment)


def _add(writer: TransactWrite, appointment: Appointment) -> tuple[Appointment, OutboxEmail | None]:
    """The new appointment and its confirmation email (outbox), as items of ``writer``."""
    email = _email_of(appointment)
    writer.save(appointment, condition=Appointment.appointment_id.does_not_exist())
    searching.appointment_add_to(writer, appointment)
    if email is not None:
        email.add_to(writer)
    return appointment, email


# --- Reports upload ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportUpload:
    """A report listed as ``pending_upload`` and the signed link its PDF goes to."""

    appointment_id: str
    entry: dict[str, Any]  # the report as listed on the appointment
    target: storage.UploadTarget
    file_url: str
    expires_in: int

    @property
    def key(self) -> str:
        return str(self.entry["s3Key"])


def report_upload_url(
    *,
    actor: StaffIdentity,
    appointment_id: str,
    file_name: str,
    file_size: int | None,
    file_type: tuple[str, str] = REPORT_FILE_TYPES[b"%PDF-"],
) -> ReportUpload:
    """A signed, single-use PUT link for one report file (≤ 10 MB; ``file_type`` is its content type
    and extension, a PDF unless the portal found a photo); the report is listed as ``pending_upload``."""
    if file_size is not None and not 0 < file_size <= REPORT_MAX_BYTES:
        raise ValidationError("File size must be at most 10 MB")
    appointment = selectors.appointment_get(appointment_id)
    if appointment is None:
        raise NotFound("Appointment not found")
    if actor.is_mechanic_only and appointment.assigned_mechanic_id != actor.user_id:
        raise PermissionDenied("Only the assigned mechanic can upload reports for this appointment")
    if appointment.status in (AppointmentStatus.PENDING, AppointmentStatus.CANCELLED):
        raise ValidationError("Reports can be uploaded once the appointment is scheduled")
    content_type, extension = file_type
    file_name = storage.sanitize_filename(file_name, default=f"report{extension}")
    if not file_name.lower().endswith(extension):
        file_name += extension
    key = f"reports/{appointment.appointment_id}/{clock.local_now():%Y%m%d_%H%M%S}_{uuid.uuid4().hex[:6]}_{file_name}"
    try:  # signed before the report is listed: a refused link lists nothing
        target = storage.upload_target(
            key, content_type=content_type, max_bytes=REPORT_MAX_BYTES, size=file_size, max_age=UPLOAD_LINK_SECONDS
        )
    except storage.StorageError as error:
        raise ValidationError(str(error)) from error
    entry = {
        "s3Key": key,
        "fileName": file_name,
        "fileType": content_type,
        "fileSize": int(file_size or 0),
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
    audit.record(
        actor,
        "appointment.report_upload",
        "appointment",
        appointment.appointment_id,
        changes={"reports": [None, file_name]},
    )
    return ReportUpload(
        appointment_id=appointment.appointment_id,
        entry=entry,
        target=target,
        file_url=storage.download_url(key, filename=file_name),
        expires_in=UPLOAD_LINK_SECONDS,
    )


def report_attach(*, actor: StaffIdentity, appointment_id: str, file_name: str, data: bytes) -> ReportUpload:
    """Portal upload: list the report exactly as upload-urls does, then store the file itself (a PDF
    or a JPEG/PNG photo, told by its first bytes; anything else is refused before anything is listed
    or stored)."""
    if len(data) > REPORT_MAX_BYTES:
        raise ValidationError("File size must be at most 10 MB")
    file_type = report_file_type(data)
    if file_type is None:
        raise ValidationError(REPORT_TYPES_REFUSED)
    upload = report_upload_url(
        actor=actor, appointment_id=appointment_id, file_name=file_name, file_size=len(data), file_type=file_type
    )
    report_upload_claim(upload.key)
    storage.save(upload.key, data, file_type[0])
    return upload


def report_generated_add(*, appointment_id: str, key: str, file_name: str, file_size: int, generated_by: str) -> bool:
    """List a PDF autolab generated (already stored at ``key``) on the appointment's reports, once,
    as uploaded and not reviewed: the admin's review and approval, and the website once approved,
    treat it as any upload. The append adds ``key`` to ``generatedReports`` in the same update,
    conditioned on it not being there, so retried or racing workers list it once. True when this
    call listed it, False when it already was."""
    if not key.startswith(f"reports/{appointment_id}/") or not key.endswith(".pdf"):
        raise ValidationError("A generated report is a PDF stored under reports/<appointmentId>/")
    appointment = selectors.appointment_get(appointment_id)
    if appointment is None:
        raise NotFound("Appointment not found")
    entry = {
        "s3Key": key,
        "fileName": storage.sanitize_filename(file_name, default="report.pdf"),
        "fileType": "application/pdf",
        "fileSize": int(file_size),
        "uploadType": "report",
        "uploadedBy": generated_by,
        "uploadedAt": clock.iso_local(),
        "status": "uploaded",
        "reviewed": False,
        "generated": True,
    }
    generated = Appointment.generated_reports
    try:
        appointment.update(
            actions=[
                Appointment.reports.set((Appointment.reports | []).append([entry])),
                generated.add({key}),
                Appointment.updated_at.set(clock.epoch_now()),
                *report_changes.awaiting_actions(),
            ],
            condition=Appointment.appointment_id.exists() & (generated.does_not_exist() | ~generated.contains(key)),
            add_version_condition=False,  # the version still moves, so a review read before fails (409)
        )
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    notifications.publish_report_uploaded(appointment, entry)  # staff live, reviewers by Web Push
    return True


def report_file_type(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a report file by its first bytes; None when it is no PDF or photo."""
    return next((kind for magic, kind in REPORT_FILE_TYPES.items() if data.startswith(magic)), None)


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
            actions=[
                entry["status"].set("uploaded"),
                Appointment.updated_at.set(clock.epoch_now()),
                *report_changes.awaiting_actions(),
            ],
            condition=(entry["s3Key"] == key) & (entry["status"] == "pending_upload"),
            add_version_condition=False,
        )
    except UpdateError as error:
        if condition_failed(error):
            raise storage.UploadRefused("This upload link has already been used; ask for a new one") from error
        raise
    notifications.publish_report_uploaded(appointment, {**reports[index], "status": "uploaded"})
