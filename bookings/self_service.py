"""The customer's own changes from the manage page: reschedule and cancel.

The signed link (bookings.manage_links) is the customer's authority; these rules are the rest.
The writes are the staff's (bookings.updates.appointment_change), so a reschedule has the same
availability checks and the same atomic slot reservation: two customers racing for the last place
cannot both get it. Cancelling is free for an unpaid booking until ``CANCELLATION_FREE_HOURS``
before its start; later, or once paid (money is billing's business), it becomes a request that
staff see live and settle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from pynamodb.exceptions import UpdateError

from autolab import clock
from autolab.dynamodb import condition_failed
from autolab.exceptions import Conflict, NotFound, ValidationError
from autolab.workflow import PaymentStatus
from bookings import notifications, selectors, updates
from bookings.models import Appointment, AppointmentStatus
from bookings.slots import Interval, candidates, too_soon
from bookings.types import AppointmentChanges

MANAGE_DAYS = 14  # how far ahead the manage page offers new times
GONE = "This booking could not be found. Please contact us."
NOT_RESCHEDULABLE = "This booking can no longer be rescheduled online. Please contact us."
NOT_CANCELLABLE = "This booking can no longer be cancelled online. Please contact us."
NOT_OFFERED = "That time is not one of the times offered for this booking; please choose another"
TOO_SOON = "That time is too soon; please choose a time at least 2 hours from now"


@dataclass(frozen=True)
class ManageView:
    """What the manage page shows: the booking, its plan's free times, and what it may do."""

    appointment: Appointment
    service_name: str
    plan_name: str
    days: list[dict[str, Any]]  # selectors.availability_days, only the days with a free slot
    may_reschedule: bool
    may_cancel: bool
    cancel_is_free: bool


def _appointment(appointment_id: str) -> Appointment:
    appointment = selectors.appointment_get(appointment_id)
    if appointment is None:
        raise NotFound(GONE)
    return appointment


def manage_view(appointment_id: str) -> ManageView:
    """The booking and its free times for the next ``MANAGE_DAYS`` days: a GetItem of the
    appointment and one BatchGetItem of the days' blocks and load (the plan is cached)."""
    appointment = _appointment(appointment_id)
    plan = selectors.plan_cached(appointment.service_id, appointment.plan_id)
    may_reschedule = appointment.status == AppointmentStatus.SCHEDULED and plan is not None
    days: list[dict[str, Any]] = []
    if may_reschedule and plan is not None:
        today = clock.business_today()
        dates = [(today + dt.timedelta(days=offset)).isoformat() for offset in range(MANAGE_DAYS)]
        states = selectors.day_states(dates)
        offered = selectors.availability_days([states[d] for d in dates], plan.duration_minutes, _capacity())
        for day in offered:
            free = [slot for slot in day["slots"] if slot["status"] == "available"]
            if free:
                days.append({"date": day["date"], "slots": free})
    return ManageView(
        appointment=appointment,
        service_name=plan.service_name if plan else "",
        plan_name=plan.plan_name if plan else "",
        days=days,
        may_reschedule=may_reschedule,
        may_cancel=appointment.status in updates.CUSTOMER_TRANSITIONS and not cancellation_requested(appointment),
        cancel_is_free=cancel_is_free(appointment),
    )


def _capacity() -> int:
    return selectors.booking_capacity()


def reschedule(*, appointment_id: str, date: str, slot: str, version: int | None) -> Appointment:
    """Move the customer's scheduled booking to ``date`` ``slot`` (``HH:MM-HH:MM``), one of the
    times the page offers: ValidationError when it is not, Conflict (409) when it was taken or
    blocked meanwhile or the booking changed; nothing is written then."""
    try:
        day, interval = clock.parse_date(date).isoformat(), Interval.parse_range(slot)
    except ValueError as error:
        raise ValidationError(NOT_OFFERED) from error
    appointment, blocks = selectors.appointment_and_blocks(appointment_id, day)
    if appointment is None:
        raise NotFound(GONE)
    if appointment.status != AppointmentStatus.SCHEDULED:
        raise ValidationError(NOT_RESCHEDULABLE)
    plan = selectors.plan_cached(appointment.service_id, appointment.plan_id)
    last = (clock.business_today() + dt.timedelta(days=MANAGE_DAYS - 1)).isoformat()
    if plan is None or interval not in candidates(plan.duration_minutes) or not day <= last:
        raise ValidationError(NOT_OFFERED)
    if too_soon(day, interval):
        raise ValidationError(TOO_SOON)
    changes = AppointmentChanges(given=frozenset({"schedule"}), schedule=(day, interval), version=version)
    return updates.appointment_change(None, appointment, blocks, changes)


# --- Cancelling --------------------------------------------------------------------------------


def cancellation_requested(appointment: Appointment) -> bool:
    return appointment.cancellation_requested_at is not None


def cancel_is_free(appointment: Appointment, now: dt.datetime | None = None) -> bool:
    """Unpaid, and unscheduled or more than ``CANCELLATION_FREE_HOURS`` before its start."""
    if appointment.payment_status == PaymentStatus.PAID:
        return False
    starts_at = updates.scheduled_start(appointment)
    window = dt.timedelta(hours=int(settings.CANCELLATION_FREE_HOURS))
    return starts_at is None or starts_at - (now or clock.now()) >= window


@dataclass(frozen=True)
class CancelOutcome:
    appointment: Appointment
    cancelled: bool  # False: recorded as a request to staff


def cancel(*, appointment_id: str, version: int | None) -> CancelOutcome:
    """Cancel the booking when that is free; otherwise ask staff to (recorded once, seen live)."""
    appointment = _appointment(appointment_id)
    if appointment.status not in updates.CUSTOMER_TRANSITIONS:
        raise ValidationError(NOT_CANCELLABLE)
    if version is not None and version != appointment.version:
        raise Conflict(updates.STALE)
    if cancel_is_free(appointment):
        changes = AppointmentChanges(given=frozenset({"status"}), status=AppointmentStatus.CANCELLED, version=version)
        # A payment landing meanwhile bumps the version: the write then fails as stale.
        return CancelOutcome(updates.appointment_change(None, appointment, None, changes), cancelled=True)
    return CancelOutcome(_request_cancellation(appointment), cancelled=False)


def _request_cancellation(appointment: Appointment) -> Appointment:
    if cancellation_requested(appointment):
        return appointment  # asked already: the staff have it
    try:
        appointment.update(
            actions=[
                Appointment.cancellation_requested_at.set(clock.epoch_now()),
                Appointment.updated_at.set(clock.epoch_now()),
            ],
            condition=Appointment.cancellation_requested_at.does_not_exist()
            & Appointment.status.is_in(*updates.CUSTOMER_TRANSITIONS),
        )
    except UpdateError as error:
        if condition_failed(error):
            raise Conflict(updates.STALE) from error
        raise
    dedupe = f"cancellation_requested:{appointment.appointment_id}"
    notice = notifications.Notice(
        "appointment_updated",
        dedupe,
        update_type="general",
        changes=["Cancellation requested: our team will contact you"],
    )
    notifications.notify(appointment, notice)
    notifications.publish("appointment.cancellation_requested", appointment)
    return appointment
