"""Seller confirmation (#16.4): the seller of a buyer's booking confirms that the scheduled time
and place work, or proposes another open slot, from a signed link served by autolab.

Once a buyer's booking that names a seller (email or phone) is scheduled, and again after each
reschedule, ``ask`` marks it AWAITING for that slot and sends the seller an email (and a text when
a phone is known), once per slot (outbox and SMS keys). The link names the appointment and the
slot it asks about, and expires when that slot ends: after a reschedule the old link is refused
(the new one is on its way). The answer is a conditional write on the slot asked about and the
status; a proposal is checked against the same availability as the customer's manage page and
does not move the booking: staff see it (appointment page, calendar, live) and decide.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from autolab import clock, links
from autolab.dynamodb import condition_failed
from autolab.events import publish_to_staff
from autolab.exceptions import Conflict, NotFound, ValidationError
from bookings import notifications, selectors
from bookings.models import Appointment, AppointmentStatus
from bookings.slots import Interval, candidates, too_soon
from emails.services import email_customer
from emails.sms import send_sms

logger = logging.getLogger(__name__)

AWAITING, CONFIRMED, PROPOSED = "AWAITING", "CONFIRMED", "PROPOSED"
_SALT = "bookings.seller_confirmation"
OFFER_DAYS = 14  # as the manage page
TAMPERED = "This link is not valid. Please use the link in our latest message."
EXPIRED = "This link has expired. Please use the link in our latest message, or contact us."
MOVED = "This booking has moved to another time; we have sent you a new link for it."
GONE = "This booking is no longer going ahead, so there is nothing to confirm. Please contact us."
NOT_OFFERED = "That time is not one of the open times; please choose another"
TAKEN = "That time is no longer free; please choose another"


class SellerLinkError(ValueError):
    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


def slot_key(appointment: Appointment) -> str | None:
    slot = appointment.scheduled_time_slot
    if slot is None or not (slot.date and slot.start and slot.end):
        return None
    return f"{slot.date} {slot.start}-{slot.end}"


def _slot_end(key: str) -> dt.datetime:
    day, _, span = key.partition(" ")
    return clock.local_datetime(clock.parse_date(day), span.split("-")[1])


def seller_named(appointment: Appointment) -> bool:
    return bool(appointment.is_buyer and (appointment.seller_email or appointment.seller_phone))


def token(appointment_id: str, key: str, *, issued_at: int | None = None) -> str:
    issued = clock.epoch_now() if issued_at is None else issued_at
    expires = min(issued + int(settings.MANAGE_LINK_MAX_AGE_SECONDS), int(_slot_end(key).timestamp()))
    return signing.dumps({"a": appointment_id, "s": key, "e": expires}, salt=_SALT)


def url(appointment_id: str, key: str) -> str:
    return links.absolute(reverse("bookings-seller", kwargs={"token": token(appointment_id, key)}))


def claims(value: str) -> tuple[str, str]:
    """(appointment id, slot key) of a link; SellerLinkError when forged or expired."""
    try:
        found = signing.loads(value, salt=_SALT)
    except signing.BadSignature as error:
        raise SellerLinkError(TAMPERED) from error
    if not isinstance(found, dict):
        raise SellerLinkError(TAMPERED)
    appointment_id, key, expires = found.get("a"), found.get("s"), found.get("e")
    if not isinstance(appointment_id, str) or not isinstance(key, str) or not isinstance(expires, int):
        raise SellerLinkError(TAMPERED)
    if expires < clock.epoch_now():
        raise SellerLinkError(EXPIRED, expired=True)
    return appointment_id, key


# --- Asking -------------------------------------------------------------------------------------


def ask(appointment: Appointment) -> bool:
    """Ask the seller about the appointment's scheduled slot (once per slot); False when there is
    no seller to ask. Called after a write that scheduled or moved it."""
    key = slot_key(appointment)
    if key is None or appointment.status != AppointmentStatus.SCHEDULED or not seller_named(appointment):
        return False
    if appointment.seller_confirmation_slot != key:
        try:
            appointment.update(
                actions=[
                    Appointment.seller_confirmation.set(AWAITING),
                    Appointment.seller_confirmation_slot.set(key),
                    Appointment.seller_proposed_slot.remove(),
                    Appointment.seller_answered_at.remove(),
                ],
                condition=Appointment.status == AppointmentStatus.SCHEDULED,
            )
        except UpdateError as error:
            if condition_failed(error):
                return False  # changed meanwhile: the change that did it asks again
            raise
    link = url(appointment.appointment_id, key)
    dedupe = f"seller_confirm:{appointment.appointment_id}:{key}"
    if appointment.seller_email:
        email_customer(
            email_type="seller_confirmation_request",
            to_email=appointment.seller_email,
            to_name=appointment.seller_name or "",
            context=_email_context(appointment, link),
            dedupe_key=f"{dedupe}:email",
        )
    if appointment.seller_phone:
        send_sms(appointment.seller_phone, sms_text(appointment, link), f"{dedupe}:sms")
    publish(appointment)
    return True


def _email_context(appointment: Appointment, link: str) -> dict[str, Any]:
    """What the seller's email shows: the car, the place and the time; not the buyer's details
    or price."""
    plan = selectors.plan_cached(appointment.service_id, appointment.plan_id)
    slot = appointment.scheduled_time_slot
    return {
        "appointmentId": appointment.appointment_id,
        "serviceName": plan.service_name if plan else "",
        "planName": plan.plan_name if plan else "",
        "scheduledTimeSlot": slot.as_dict() if slot else None,
        "carMake": appointment.car_make,
        "carModel": appointment.car_model,
        "carYear": appointment.car_year,
        "carLocation": appointment.car_location,
        "sellerUrl": link,
    }


def ask_quietly(appointment: Appointment) -> None:
    try:
        ask(appointment)
    except Exception:
        logger.exception("Could not ask the seller of appointment %s", appointment.appointment_id)


def sms_text(appointment: Appointment, link: str) -> str:
    slot = appointment.scheduled_time_slot
    when = f"{slot.date} {slot.start}" if slot else ""
    return (
        f"{settings.BUSINESS_NAME}: a buyer booked an inspection of your {appointment.car_make} "
        f"{appointment.car_model} on {when} at {appointment.car_location}. "
        f"Please confirm or suggest another time: {link} Reply STOP to opt out."
    )


# --- The seller's page --------------------------------------------------------------------------


@dataclass(frozen=True)
class SellerView:
    appointment: Appointment
    key: str
    days: list[dict[str, Any]]


def _current(value: str) -> tuple[Appointment, str]:
    appointment_id, key = claims(value)
    appointment = selectors.appointment_get(appointment_id)
    if appointment is None or appointment.status != AppointmentStatus.SCHEDULED:
        raise NotFound(GONE)
    if slot_key(appointment) != key:
        raise SellerLinkError(MOVED, expired=True)
    return appointment, key


def _free_days(appointment: Appointment) -> list[dict[str, Any]]:
    plan = selectors.plan_cached(appointment.service_id, appointment.plan_id)
    if plan is None:
        return []
    today = clock.business_today()
    dates = [(today + dt.timedelta(days=offset)).isoformat() for offset in range(OFFER_DAYS)]
    states = selectors.day_states(dates)
    offered = selectors.availability_days(
        [states[d] for d in dates], plan.duration_minutes, selectors.booking_capacity()
    )
    days = []
    for day in offered:
        free = [slot for slot in day["slots"] if slot["status"] == "available"]
        if free:
            days.append({"date": day["date"], "slots": free})
    return days


def seller_view(value: str) -> SellerView:
    appointment, key = _current(value)
    return SellerView(appointment, key, _free_days(appointment))


def _answer(appointment: Appointment, key: str, state: str, proposed: str | None) -> Appointment:
    actions: list[Action] = [
        Appointment.seller_confirmation.set(state),
        Appointment.seller_answered_at.set(clock.epoch_now()),
        Appointment.seller_proposed_slot.set(proposed) if proposed else Appointment.seller_proposed_slot.remove(),
    ]
    try:
        appointment.update(
            actions=actions,
            condition=(Appointment.seller_confirmation_slot == key)
            & (Appointment.status == AppointmentStatus.SCHEDULED),
        )
    except UpdateError as error:
        if condition_failed(error):
            raise Conflict(MOVED) from error
        raise
    publish(appointment)
    return appointment


def confirm(value: str) -> Appointment:
    appointment, key = _current(value)
    return _answer(appointment, key, CONFIRMED, None)


def propose(value: str, *, date: str, slot: str) -> Appointment:
    """Propose ``date`` ``slot`` (``HH:MM-HH:MM``): one of the open times (400 otherwise, 409 when
    it was taken meanwhile). The booking stays where it is."""
    appointment, key = _current(value)
    try:
        day, interval = clock.parse_date(date).isoformat(), Interval.parse_range(slot)
    except ValueError as error:
        raise ValidationError(NOT_OFFERED) from error
    plan = selectors.plan_cached(appointment.service_id, appointment.plan_id)
    last = (clock.business_today() + dt.timedelta(days=OFFER_DAYS - 1)).isoformat()
    if (
        plan is None
        or interval not in candidates(plan.duration_minutes)
        or not (clock.business_today().isoformat() <= day <= last)
    ):
        raise ValidationError(NOT_OFFERED)
    if too_soon(day, interval):
        raise ValidationError(NOT_OFFERED)
    proposed = f"{day} {interval.label}"
    if proposed == key:
        raise ValidationError("That is the booked time; confirm it instead")
    free = {f"{d['date']} {s['start']}-{s['end']}" for d in _free_days(appointment) for s in d["slots"]}
    if proposed not in free:
        raise Conflict(TAKEN)
    return _answer(appointment, key, PROPOSED, proposed)


# --- What staff see -----------------------------------------------------------------------------


def label(appointment: Any) -> str:
    """ "Seller: awaiting" / "confirmed" / "proposed <slot>"; "" when there is nothing to show."""
    state = getattr(appointment, "seller_confirmation", None)
    if not state or getattr(appointment, "seller_confirmation_slot", None) != slot_key(appointment):
        return ""
    if state == PROPOSED:
        return f"Seller proposed {appointment.seller_proposed_slot}"
    return "Seller confirmed" if state == CONFIRMED else "Awaiting seller"


def publish(appointment: Appointment) -> None:
    payload = notifications.event_payload(appointment)
    payload.update(sellerConfirmation=appointment.seller_confirmation, sellerLabel=label(appointment))
    publish_to_staff("appointment.seller_confirmation", payload)
