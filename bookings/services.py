"""Bookings: creating appointments (validation, price, daily limit) and report uploads."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import UpdateError

from autolab import clock, storage, workflow
from autolab.batch import BatchRead, first
from autolab.dynamodb import condition_failed, retry_on_conflict, transaction
from autolab.exceptions import Conflict, LimitReached, NotFound, PermissionDenied, ValidationError
from autolab.permissions import Permission, StaffIdentity
from autolab.workflow import PaymentStatus
from bookings import notifications, selectors
from bookings.models import (
    Appointment,
    AppointmentStatus,
    BookingCounter,
    SelectedSlot,
    ServicePrice,
)
from bookings.slots import too_soon
from bookings.types import BookingRequest, PreferredSlot

if TYPE_CHECKING:
    from emails.services import OutboxEmail

DAILY_UNPAID_LIMIT = 3
REPORT_MAX_BYTES = 10 * 1024 * 1024
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
    return fields


def _counter_key(user_id: str, today: str) -> str:
    return f"{user_id}#{today}"


def _booking_reads(user_id: str | None, booking: BookingRequest, today: str) -> BookingReads:
    """The customer, the plan (unless cached), the days' blocks and load, and the customer's day
    counter (strongly consistent): one BatchGetItem."""
    from chat.models import Customer

    batch = BatchRead()
    if user_id and len(user_id) <= 64:  # longer ones are never ids (404 below)
        batch.add(Customer, user_id)
        batch.add(BookingCounter, _counter_key(user_id, today), consistent=True)
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
        return Appointment(
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

    if booker.counted:
        counter = reads.counter or BookingCounter(counter_key=_counter_key(booker.user_id, today), bookings=0)
        appointment, email = _create_counted(booker, today, build, counter)
    else:
        appointment, email = _create(build())
    if email is not None:
        email.enqueue()
    notifications.publish("appointment.created", appointment)
    return appointment


def _email_of(appointment: Appointment) -> OutboxEmail | None:
    notice = notifications.Notice("appointment_created", dedupe=f"appointment_created:{appointment.appointment_id}")
    return notifications.outbox_for(appointment, notice)


def _create(appointment: Appointment) -> tuple[Appointment, OutboxEmail | None]:
    email = _email_of(appointment)
    with transaction() as writer:
        writer.save(appointment, condition=Appointment.appointment_id.does_not_exist())
        if email is not None:
            email.add_to(writer)
    return appointment, email


def _day_counts(user_id: str, today: str) -> tuple[int, int]:
    """(all, unpaid) appointments the customer has created today (createdUserId-index)."""
    total = unpaid = 0
    for appointment in Appointment.created_user_index.query(
        user_id, filter_condition=Appointment.created_date == today
    ):
        total += 1
        unpaid += appointment.payment_status != PaymentStatus.PAID
    return total, unpaid


def _over_limit(counter: BookingCounter, user_id: str, today: str) -> bool:
    """Whether the customer already has 3 unpaid appointments today.

    The counter's ``dayTotal`` counts every appointment booked for the customer today (by them or
    by staff); while it is below the limit, so is the number of unpaid ones and nothing else is
    read. No counter yet is a total of 0 (every booking writes one). At the limit, or for a counter
    from before the total existed, the customer's index partition is counted and the total set.
    """
    if counter.day_total is not None and counter.day_total < DAILY_UNPAID_LIMIT:
        return False
    total, unpaid = _day_counts(user_id, today)
    counter.day_total = max(total, counter.day_total or 0)
    return unpaid >= DAILY_UNPAID_LIMIT


def _create_counted(
    booker: workflow.Owner, today: str, build: Any, counter: BookingCounter
) -> tuple[Appointment, OutboxEmail | None]:
    """Check the limit, then write the appointment with a bump of the customer's day counter.

    The counter's version condition makes concurrent bookings of one customer take turns, so
    each one counts the others' appointments before it is allowed in.
    """
    read_again = False  # the caller's read serves the first attempt; after a conflict, read again

    def attempt() -> tuple[Appointment, OutboxEmail | None]:
        nonlocal counter, read_again
        if read_again:
            counter = _counter_get(_counter_key(booker.user_id, today))
        read_again = True
        if counter.version is None:
            counter.day_total = 0  # not stored yet: nothing was booked for the customer today
        if booker.limited and _over_limit(counter, booker.user_id, today):
            raise LimitReached(f"Appointments limit ({DAILY_UNPAID_LIMIT}) reached for today")
        counter.bookings = (counter.bookings or 0) + 1
        if counter.day_total is not None:
            counter.day_total += 1
        appointment = build()
        email = _email_of(appointment)
        with transaction() as writer:
            writer.save(counter)
            writer.save(appointment, condition=Appointment.appointment_id.does_not_exist())
            if email is not None:
                email.add_to(writer)
        return appointment, email

    crowded = Conflict("Too many bookings at the same moment; please try again")
    return retry_on_conflict(attempt, attempts=20, or_raise=crowded)


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
    if appointment.status in (AppointmentStatus.PENDING, AppointmentStatus.CANCELLED):
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
        if condition_failed(error):
            raise storage.UploadRefused("This upload link has already been used; ask for a new one") from error
        raise
