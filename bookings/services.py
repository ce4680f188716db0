"""Bookings: every write and rule (catalogue, blocked periods, booking, scheduling, status, reports)."""

from __future__ import annotations

import logging
import random
import time
import uuid
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError

from autolab import clock, storage
from autolab.dynamodb import transaction
from autolab.events import publish_to_staff
from autolab.exceptions import Conflict, LimitReached, NotFound, PermissionDenied, ValidationError
from autolab.money import money_str, to_money
from autolab.permissions import Permission, Role, StaffIdentity
from bookings import reservations, selectors, signals, validation
from bookings.models import (
    Appointment,
    BlockedPeriod,
    BookingCounter,
    ScheduledTimeSlot,
    SelectedSlot,
    ServicePrice,
    UnavailableSlot,
)
from bookings.slots import STEP_MINUTES, Interval, merge, subtract

logger = logging.getLogger(__name__)

DAILY_UNPAID_LIMIT = 3
REPORT_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_LINK_SECONDS = 3600
MAX_RANGE_DAYS = 93


# --- Catalogue ---------------------------------------------------------------------------------


def service_plan_save(
    *,
    service_id: int,
    plan_id: int,
    service_name: str,
    plan_name: str,
    price: Decimal,
    duration_minutes: int,
    features: list[str],
    active: bool,
) -> ServicePrice:
    """Create or replace one plan (ADMIN); price in AUD GST-inclusive, duration a multiple of 30 min."""
    if price <= 0:
        raise ValidationError("price must be positive")
    if duration_minutes <= 0 or duration_minutes % STEP_MINUTES or duration_minutes > 12 * 60:
        raise ValidationError("durationMinutes must be a multiple of 30 between 30 and 720")
    plan = ServicePrice(
        service_id=service_id,
        plan_id=plan_id,
        service_name=service_name.strip(),
        plan_name=plan_name.strip(),
        price=to_money(price),
        duration_minutes=duration_minutes,
        features=[f.strip() for f in features if f.strip()],
        active=active,
        updated_at=clock.epoch_now(),
    )
    plan.save()
    cache.delete(selectors.CATALOGUE_CACHE_KEY)
    return plan


# --- Blocked periods -----------------------------------------------------------------------------


OPERATIONS = ("get", "set", "add", "remove")


def parse_periods(values: Any) -> list[Interval]:
    """``"HH:MM-HH:MM"``, ``{startTime,endTime}`` or ``{start,end}`` entries; anything else is a 400."""
    if not isinstance(values, list):
        raise ValidationError("timeSlots must be an array")
    periods = []
    for value in values:
        try:
            if isinstance(value, str):
                periods.append(Interval.parse_range(value))
            elif isinstance(value, dict):
                periods.append(
                    Interval.parse(
                        value.get("startTime") or value.get("start"), value.get("endTime") or value.get("end")
                    )
                )
            else:
                raise ValueError(f"Invalid timeslot format: {value!r}")
        except (ValueError, TypeError) as exc:
            raise ValidationError(
                str(exc) if isinstance(exc, ValueError) else f"Invalid timeslot format: {value!r}"
            ) from exc
    return periods


def _periods_json(periods: list[Interval]) -> list[dict[str, str]]:
    return [{"startTime": label.split("-")[0], "endTime": label.split("-")[1]} for label in (p.label for p in periods)]


def _apply_operation(operation: str, current: list[Interval], periods: list[Interval]) -> list[Interval]:
    if operation == "set":
        return merge(periods)
    if operation == "add":
        return merge(current + periods)
    return subtract(current, periods)


def unavailable_slots_update(
    *, actor: StaffIdentity, dates: list[str], operation: str, periods: list[Interval]
) -> dict[str, dict]:
    """Block or unblock periods on each date (``set`` with an empty list clears the day).

    Every write is conditioned on the day's ``version``, which scheduling condition-checks: a
    schedule decided on an older view of the day fails instead of landing in a new block.
    """
    if operation not in OPERATIONS:
        raise ValidationError("operation must be one of get, set, add, remove")
    if operation in ("add", "remove") and not periods:
        raise ValidationError("timeSlots must not be empty for add and remove")
    return {date: _update_day(actor, date, operation, periods) for date in dates}


def _update_day(actor: StaffIdentity, date: str, operation: str, periods: list[Interval]) -> dict[str, Any]:
    for _attempt in range(5):
        item = selectors.unavailable_slot_get(date) or UnavailableSlot(date=date)
        previous = selectors.blocked_periods(item)
        if operation == "get":
            return {
                "date": date,
                "operation": operation,
                "previousSlots": _periods_json(previous),
                "newSlots": _periods_json(previous),
            }
        new = _apply_operation(operation, previous, periods)
        item.time_slots = [BlockedPeriod(start_time=p.label[:5], end_time=p.label[6:]) for p in new]
        item.updated_by, item.updated_at = actor.user_id, clock.epoch_now()
        try:
            item.save()
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                continue  # someone else changed the day meanwhile: re-apply on the fresh list
            raise
        publish_to_staff("slots.updated", {"date": date})
        return {
            "date": date,
            "operation": operation,
            "previousSlots": _periods_json(previous),
            "newSlots": _periods_json(new),
        }
    raise Conflict(f"The blocked periods of {date} are being changed by someone else; try again")


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
    if customer_get(user_id) is None:
        raise NotFound(f"No user record found for userId: {user_id[:64]}")
    return Booker(user_id, limited=False)


def _plan_for(service_id: int, plan_id: int) -> ServicePrice:
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
    plan = _plan_for(service_id, plan_id)
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
    _notify(appointment, "appointment_created", dedupe=f"appointment_created:{appointment.appointment_id}")
    publish_to_staff("appointment.created", _event_payload(appointment))
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
            with reservations.serialised_on_local_engine(), transaction() as writer:
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


# --- Updates (PATCH): every field group authorised separately ----------------------------------

BASIC_FIELDS = {"serviceId", "planId", "isBuyer", "notes", "buyerData", "carData", "sellerData"}
SCHEDULING_FIELDS = {"scheduledTimeSlot", "assignedMechanicId"}
REPORT_FIELDS = {"reports", "postNotes"}
KNOWN_FIELDS = BASIC_FIELDS | SCHEDULING_FIELDS | REPORT_FIELDS | {"status", "reportApproval", "version"}

SUPPORT_TRANSITIONS = {
    "PENDING": {"CANCELLED"},
    "SCHEDULED": {"PENDING", "CANCELLED"},
    "ONGOING": {"SCHEDULED", "CANCELLED"},
    "COMPLETED": set(),
    "CANCELLED": {"PENDING"},
}
MECHANIC_TRANSITIONS = {
    "PENDING": set(),
    "SCHEDULED": {"ONGOING", "COMPLETED"},
    "ONGOING": {"COMPLETED", "SCHEDULED"},
    "COMPLETED": {"ONGOING", "SCHEDULED"},
    "CANCELLED": set(),
}
UNSCHEDULED_STATUSES = {"PENDING", "CANCELLED"}  # these hold no slot: going there frees it


@dataclass
class Change:
    """What one PATCH does, gathered before anything is written."""

    actions: list
    labels: list[str]
    new_status: str | None = None
    placement: reservations.Placement | None = None
    placement_changed: bool = False
    block: reservations.BlockRead | None = None
    unpaid_only: bool = False
    approved_report: dict | None = None
    schedule_actions: list = field(default_factory=list)
    schedule_requested: bool = False


def allowed_transitions(actor: StaffIdentity, appointment: Appointment) -> set[str]:
    """Statuses ``actor`` may move ``appointment`` to (support table or assigned-mechanic table)."""
    allowed: set[str] = set()
    if actor.has(Permission.APPOINTMENT_STATUS_SUPPORT):
        allowed |= SUPPORT_TRANSITIONS.get(appointment.status, set())
    if actor.has(Permission.APPOINTMENT_STATUS_ASSIGNED) and appointment.assigned_mechanic_id == actor.user_id:
        allowed |= MECHANIC_TRANSITIONS.get(appointment.status, set())
    return allowed


def _authorise(actor: StaffIdentity, appointment: Appointment, keys: set[str]) -> None:
    """403 unless the actor may change every field group in ``keys`` (nothing is written otherwise)."""
    if keys & (BASIC_FIELDS | SCHEDULING_FIELDS) and not actor.has(Permission.APPOINTMENT_EDIT):
        raise PermissionDenied("Only customer support can change appointment details or scheduling")
    if "status" in keys and not allowed_transitions(actor, appointment) and not _may_set_status(actor, appointment):
        raise PermissionDenied("You may not change the status of this appointment")
    if "reportApproval" in keys and not actor.has(Permission.APPOINTMENT_REPORT_APPROVE):
        raise PermissionDenied("Only an admin can approve or reject reports")
    if keys & REPORT_FIELDS:
        if not actor.has(Permission.APPOINTMENT_REPORT_WRITE):
            raise PermissionDenied("You may not change reports or post-inspection notes")
        if Role.MECHANIC in actor.roles and appointment.assigned_mechanic_id != actor.user_id:
            raise PermissionDenied("Only the assigned mechanic can change reports of this appointment")


def _may_set_status(actor: StaffIdentity, appointment: Appointment) -> bool:
    return actor.has(Permission.APPOINTMENT_STATUS_SUPPORT) or (
        actor.has(Permission.APPOINTMENT_STATUS_ASSIGNED) and appointment.assigned_mechanic_id == actor.user_id
    )


def _require_status(appointment: Appointment, allowed: set[str], what: str) -> None:
    if appointment.status not in allowed:
        raise ValidationError(f"Cannot update {what} when the appointment is {appointment.status}")


def appointment_update(*, actor: StaffIdentity, appointment_id: str, data: Any) -> Appointment:
    """Apply one staff PATCH atomically: all field groups authorised, validated, then one write."""
    if not isinstance(data, dict) or not data:
        raise ValidationError("Request body is required")
    unknown = sorted(set(data) - KNOWN_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown field: {unknown[0][:50]}")
    appointment = selectors.appointment_get(appointment_id)
    if appointment is None:
        raise NotFound("Appointment not found")
    keys = set(data) - {"version"}
    if not keys:
        raise ValidationError("Request body is required")
    _authorise(actor, appointment, keys)
    _check_version(appointment, data.get("version"))
    old_placement = reservations.placement_of(appointment)
    change = _plan_change(actor, appointment, data, keys, old_placement)
    _write(appointment, change, old_placement)
    fresh = selectors.appointment_get(appointment_id) or appointment
    _after_update(fresh, data, change, old_placement)
    return fresh


def _check_version(appointment: Appointment, expected: Any) -> None:
    if expected is None:
        return
    if isinstance(expected, bool) or not isinstance(expected, int):
        raise ValidationError("version must be an integer")
    if expected != appointment.version:
        raise Conflict("The appointment was changed by someone else; reload it and try again")


def _plan_change(
    actor: StaffIdentity, appointment: Appointment, data: dict, keys: set[str], old: reservations.Placement | None
) -> Change:
    change = Change(actions=[Appointment.updated_at.set(clock.epoch_now())], labels=[], placement=old)
    if keys & BASIC_FIELDS:
        _require_status(appointment, {"PENDING", "SCHEDULED", "ONGOING"}, "appointment details")
        _plan_basic(appointment, data, change)
    if keys & SCHEDULING_FIELDS:
        _require_status(appointment, {"PENDING", "SCHEDULED"}, "scheduling")
        _plan_scheduling(appointment, data, change)
    if "status" in keys:
        _plan_status(actor, appointment, data["status"], change)
    if "reportApproval" in keys:
        _require_status(appointment, {"COMPLETED"}, "report approval")
        _plan_report_approval(actor, appointment, data["reportApproval"], change)
    if keys & REPORT_FIELDS:
        _require_status(appointment, {"COMPLETED"}, "reports")
        _plan_reports(appointment, data, change)
    _settle_status(appointment, change)
    return change


def _plan_basic(appointment: Appointment, data: dict, change: Change) -> None:
    service_id = validation.integer(data.get("serviceId", appointment.service_id), "serviceId")
    plan_id = validation.integer(data.get("planId", appointment.plan_id), "planId")
    if (service_id, plan_id) != (appointment.service_id, appointment.plan_id):
        if appointment.payment_status == "paid":
            field = "serviceId" if service_id != appointment.service_id else "planId"
            raise ValidationError(f"Cannot update {field} after payment is completed")
        plan = _plan_for(service_id, plan_id)
        change.actions += [
            Appointment.service_id.set(service_id),
            Appointment.plan_id.set(plan_id),
            Appointment.price.set(plan.price),
        ]
        change.unpaid_only = True  # re-pricing only while unpaid, also against a payment racing this edit
        change.labels.append("Service/plan")
    _plan_people(appointment, data, change)
    if "carData" in data:
        car = validation.car(data["carData"])
        change.actions += [
            Appointment.car_make.set(car.make),
            Appointment.car_model.set(car.model),
            Appointment.car_year.set(car.year),
            Appointment.car_location.set(car.location),
        ]
        change.labels.append("Vehicle")
    if "notes" in data:
        change.actions.append(
            Appointment.notes.set(validation.optional_text(data["notes"], "notes", high=validation.NOTES_MAX))
        )
        change.labels.append("Notes")


def _plan_people(appointment: Appointment, data: dict, change: Change) -> None:
    is_buyer = data.get("isBuyer", appointment.is_buyer)
    if not isinstance(is_buyer, bool):
        raise ValidationError("isBuyer must be true or false")
    for side, attribute_prefix in (("buyerData", "buyer"), ("sellerData", "seller")):
        if side in data:
            person = validation.person(data[side], side)
            change.actions += [
                getattr(Appointment, f"{attribute_prefix}_name").set(person.name),
                getattr(Appointment, f"{attribute_prefix}_email").set(person.email),
                getattr(Appointment, f"{attribute_prefix}_phone").set(person.phone),
            ]
            change.labels.append("Buyer" if attribute_prefix == "buyer" else "Seller")
    needed = "buyerData" if is_buyer else "sellerData"
    has_contact = bool(data.get(needed)) or bool(appointment.buyer_email if is_buyer else appointment.seller_email)
    if not has_contact:
        raise ValidationError(f"{needed} is required")
    if is_buyer != appointment.is_buyer:
        change.actions.append(Appointment.is_buyer.set(is_buyer))
        change.labels.append("Customer type")


def _plan_scheduling(appointment: Appointment, data: dict, change: Change) -> None:
    date, slot = _date_slot(change.placement)
    mechanic_id = appointment.assigned_mechanic_id
    if "scheduledTimeSlot" in data:
        date, slot = _parse_schedule(data["scheduledTimeSlot"])
    if "assignedMechanicId" in data:
        mechanic_id = _parse_mechanic(data["assignedMechanicId"])
    if slot is None:
        if mechanic_id and "assignedMechanicId" in data:
            raise ValidationError("Schedule a time slot before assigning a mechanic")
        change.placement, mechanic_id = None, None
    else:
        change.placement = reservations.Placement(date, slot, mechanic_id, "SCHEDULED")
    change.new_status = "SCHEDULED" if slot is not None else "PENDING"
    change.placement_changed = True
    change.schedule_requested = "scheduledTimeSlot" in data and slot is not None
    if slot is not None and (date, slot) != _date_slot(reservations.placement_of(appointment)):
        state = selectors.day_state(date)
        if state.blocked(slot):
            raise ValidationError(f"{date} {slot.label} is blocked")
        change.block = reservations.BlockRead(date, state.block_version)
    _schedule_actions(change, date, slot, mechanic_id)


def _date_slot(placement: reservations.Placement | None) -> tuple[str | None, Interval | None]:
    return (placement.date, placement.interval) if placement else (None, None)


def _schedule_actions(change: Change, date: str | None, slot: Interval | None, mechanic_id: str | None) -> None:
    if slot is None:
        actions = [Appointment.scheduled_time_slot.remove(), Appointment.scheduled_date.remove()]
    else:
        start, end = slot.label.split("-")
        actions = [
            Appointment.scheduled_time_slot.set(ScheduledTimeSlot(date=date, start=start, end=end)),
            Appointment.scheduled_date.set(date),
        ]
    actions.append(
        Appointment.assigned_mechanic_id.set(mechanic_id) if mechanic_id else Appointment.assigned_mechanic_id.remove()
    )
    change.schedule_actions = actions  # replaces any earlier plan for these attributes
    if "Scheduling" not in change.labels:
        change.labels.append("Scheduling")


def _parse_schedule(value: Any) -> tuple[str | None, Interval | None]:
    """``{date,start,end}`` on the half-hour grid inside business hours, today or later; empty clears."""
    if value in (None, "", {}):
        return None, None
    if not isinstance(value, dict):
        raise ValidationError("scheduledTimeSlot must be an object with date, start and end")
    validation.require(value, "date", "start", "end", prefix="scheduledTimeSlot.")
    day = validation.slot_date(value["date"], "scheduledTimeSlot.date")
    try:
        slot = Interval.parse(value["start"], value["end"])
    except ValueError as exc:
        raise ValidationError(f"scheduledTimeSlot: {exc}") from exc
    if not slot.inside_hours():
        raise ValidationError("scheduledTimeSlot must be within business hours (08:00-20:00)")
    if slot.start % STEP_MINUTES or slot.end % STEP_MINUTES:
        raise ValidationError("scheduledTimeSlot must start and end on the hour or half hour")
    if day < clock.business_today():
        raise ValidationError("scheduledTimeSlot cannot be in the past")
    return day.isoformat(), slot


def _parse_mechanic(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or selectors.mechanic_get(value) is None:
        raise ValidationError("Invalid mechanic ID")
    return value


def _plan_status(actor: StaffIdentity, appointment: Appointment, status: Any, change: Change) -> None:
    if not isinstance(status, str) or status not in SUPPORT_TRANSITIONS:
        raise ValidationError("status must be one of PENDING, SCHEDULED, ONGOING, COMPLETED, CANCELLED")
    if status not in allowed_transitions(actor, appointment):
        raise ValidationError("Invalid status transition")
    change.new_status = status
    change.labels.append("Status")


def _settle_status(appointment: Appointment, change: Change) -> None:
    """Apply the resulting status; PENDING and CANCELLED hold no slot, so their schedule is freed."""
    status = change.new_status
    if status is None:
        return
    if status in UNSCHEDULED_STATUSES and change.schedule_requested:
        raise ValidationError("A scheduled appointment cannot be PENDING or CANCELLED")
    change.actions.append(Appointment.status.set(status))
    if status in UNSCHEDULED_STATUSES and change.placement is not None:
        _schedule_actions(change, None, None, None)
        change.placement, change.placement_changed = None, True
    elif change.placement is not None:
        change.placement, change.placement_changed = replace(change.placement, status=status), True


def _find_report(reports: list[dict], key: str) -> dict | None:
    return next((r for r in reports if (r.get("s3Key") or r.get("fileKey")) == key), None)


def _plan_report_approval(actor: StaffIdentity, appointment: Appointment, value: Any, change: Change) -> None:
    if not isinstance(value, dict):
        raise ValidationError("reportApproval must be an object")
    key = str(value.get("reportS3Key") or "").strip()
    action = value.get("action")
    if not key.startswith("reports/"):
        raise ValidationError("reportApproval.reportS3Key must start with reports/")
    if action not in ("approve", "reject"):
        raise ValidationError("reportApproval.action must be approve or reject")
    reports = [dict(r) for r in appointment.reports or []]
    report = _find_report(reports, key)
    if report is None:
        raise ValidationError(f"Report {key[:200]} not found on this appointment")
    if report.get("reviewed"):
        raise ValidationError("Report has already been reviewed")
    if action == "approve" and not storage.exists(key):
        raise ValidationError("The report file has not been uploaded yet")
    report.update(
        reviewed=True,
        approved=action == "approve",
        reviewedBy=actor.user_id,
        reviewedAt=clock.epoch_now(),
        status="uploaded",
    )
    if value.get("notes"):
        report["reviewNotes"] = validation.text(value["notes"], "reportApproval.notes", high=1000)
    change.actions.append(Appointment.reports.set(reports))
    change.approved_report = report if action == "approve" else None
    change.labels.append("Report review")


REVIEW_FIELDS = (
    "reviewed",
    "approved",
    "reviewedBy",
    "reviewedAt",
    "reviewNotes",
    "status",
    "uploadedAt",
    "fileSize",
    "fileType",
    "uploadType",
)


def _plan_reports(appointment: Appointment, data: dict, change: Change) -> None:
    if "reports" in data:
        change.actions.append(Appointment.reports.set(_merged_reports(appointment, data["reports"])))
        change.labels.append("Reports")
    if "postNotes" in data:
        change.actions.append(
            Appointment.post_notes.set(validation.optional_text(data["postNotes"], "postNotes", high=5000))
        )
        change.labels.append("Post-inspection notes")


def _merged_reports(appointment: Appointment, value: Any) -> list[dict]:
    """The new report list; only reports issued by upload-urls, keeping their review and upload facts."""
    if not isinstance(value, list) or len(value) > 50:
        raise ValidationError("reports must be an array of at most 50 reports")
    existing = [dict(r) for r in appointment.reports or []]
    merged = []
    for position, item in enumerate(value):
        if not isinstance(item, dict):
            raise ValidationError(f"reports[{position}] must be an object")
        key = item.get("s3Key") or item.get("fileKey")
        validation.require({**item, "s3Key": key}, "s3Key", "fileName", "uploadedBy", prefix=f"reports[{position}].")
        stored = _find_report(existing, key)
        if stored is None:
            raise ValidationError(f"reports[{position}].s3Key is not a report of this appointment")
        report = {
            **stored,
            "s3Key": key,
            "fileName": validation.text(item["fileName"], f"reports[{position}].fileName", high=200),
        }
        if "reportNotes" in item:
            report["reportNotes"] = validation.optional_text(
                item["reportNotes"], f"reports[{position}].reportNotes", high=2000
            )
        report.pop("fileKey", None)
        report.update({field: stored[field] for field in REVIEW_FIELDS if field in stored})
        merged.append(report)
    return merged


def _write(appointment: Appointment, change: Change, old: reservations.Placement | None) -> None:
    condition = (Appointment.payment_status != "paid") if change.unpaid_only else None
    actions = change.actions + change.schedule_actions
    if change.placement_changed:
        reservations.commit(
            appointment,
            actions,
            old=old,
            new=change.placement,
            capacity=selectors.booking_capacity(),
            block=change.block,
            condition=condition,
        )
        return
    try:
        appointment.update(actions=actions, condition=condition)
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("The appointment was changed by someone else; reload it and try again") from error
        raise


def _after_update(appointment: Appointment, data: dict, change: Change, old: reservations.Placement | None) -> None:
    version = appointment.version
    if "scheduledTimeSlot" in data:
        verb = "rescheduled" if old else "scheduled"
        _notify(
            appointment,
            "appointment_updated",
            update_type="scheduling",
            changes=[f"Scheduling Update: Appointment {verb}"],
            dedupe=f"appointment_updated:{appointment.appointment_id}:{version}",
        )
    elif change.approved_report:
        _notify(
            appointment,
            "report_ready",
            report=change.approved_report,
            dedupe=f"report_ready:{appointment.appointment_id}:{change.approved_report['s3Key']}",
        )
    elif "status" in data:
        _notify(
            appointment,
            "appointment_updated",
            update_type="status",
            changes=change.labels,
            dedupe=f"appointment_updated:{appointment.appointment_id}:{version}",
        )
    elif set(data) & BASIC_FIELDS:
        _notify(
            appointment,
            "appointment_updated",
            update_type="general",
            changes=change.labels,
            dedupe=f"appointment_updated:{appointment.appointment_id}:{version}",
        )
    if appointment.status == "CANCELLED" and change.new_status == "CANCELLED":
        signals.appointment_cancelled.send(sender=Appointment, appointment_id=appointment.appointment_id)
    publish_to_staff("appointment.updated", _event_payload(appointment))


# --- Reports upload ------------------------------------------------------------------------------


def report_upload_url(*, actor: StaffIdentity, data: dict[str, Any]) -> dict[str, Any]:
    """A signed PUT link for one PDF report (≤ 10 MB); the report is listed as ``pending_upload``."""
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
    url = storage.upload_url(
        key, content_type="application/pdf", max_bytes=REPORT_MAX_BYTES, max_age=UPLOAD_LINK_SECONDS
    )
    return {
        "uploadUrl": url,
        "uploadFields": {},
        "s3Key": key,
        "referenceId": appointment.appointment_id,
        "uploadType": "report",
        "metadata": entry,
        "expiresIn": UPLOAD_LINK_SECONDS,
        "fileUrl": storage.download_url(key, filename=file_name),
        "instructions": {"method": "PUT", "note": "PUT the PDF to uploadUrl with Content-Type: application/pdf"},
    }


# --- Notifications --------------------------------------------------------------------------------


def _customer_contact(appointment: Appointment) -> tuple[str, str, str]:
    if appointment.is_buyer:
        return appointment.buyer_name or "", appointment.buyer_email or "", appointment.buyer_phone or ""
    return appointment.seller_name or "", appointment.seller_email or "", appointment.seller_phone or ""


def email_context(appointment: Appointment) -> dict[str, Any]:
    """What the appointment email templates need, JSON-serialisable."""
    plan = selectors.service_price_get(appointment.service_id, appointment.plan_id)
    name, email, phone = _customer_contact(appointment)
    mechanic = selectors.staff_contact(appointment.assigned_mechanic_id)
    slot = appointment.scheduled_time_slot
    return {
        "appointmentId": appointment.appointment_id,
        "serviceName": plan.service_name if plan else "",
        "planName": plan.plan_name if plan else "",
        "customerName": name,
        "customerEmail": email,
        "customerPhone": phone,
        "customerType": "Buyer" if appointment.is_buyer else "Seller",
        "status": appointment.status,
        "paymentStatus": appointment.payment_status,
        "price": money_str(appointment.price),
        "selectedSlots": [s.as_dict() for s in appointment.selected_slots or []],
        "scheduledTimeSlot": slot.as_dict() if slot else None,
        "mechanicName": mechanic["userName"] if mechanic else None,
        "carMake": appointment.car_make,
        "carModel": appointment.car_model,
        "carYear": appointment.car_year,
        "carLocation": appointment.car_location,
        "appointmentUrl": f"{settings.FRONTEND_ROOT_URL}/appointment/{appointment.appointment_id}",
    }


def _notify(
    appointment: Appointment,
    email_type: str,
    *,
    dedupe: str,
    update_type: str | None = None,
    changes: list[str] | None = None,
    report: dict | None = None,
) -> None:
    """Queue the customer email of a change; a failure is logged, the change is already stored."""
    from chat.emails.services import email_customer

    name, email, _phone = _customer_contact(appointment)
    if not email:
        return
    context = email_context(appointment)
    if update_type:
        context.update(update_type=update_type, changes=changes or [])
    if report:
        context.update(reportFileName=report.get("fileName"), reportS3Key=report.get("s3Key"))
    try:
        email_customer(email_type=email_type, to_email=email, to_name=name, context=context, dedupe_key=dedupe)
    except Exception:
        logger.exception("Could not queue %s for appointment %s", email_type, appointment.appointment_id)


def _event_payload(appointment: Appointment) -> dict[str, Any]:
    return {
        "appointmentId": appointment.appointment_id,
        "status": appointment.status,
        "serviceId": appointment.service_id,
        "planId": appointment.plan_id,
        "scheduledDate": appointment.scheduled_date,
        "paymentStatus": appointment.payment_status,
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
    storage.save(result["s3Key"], data, "application/pdf")
    return result
