"""Reminders (#16.1): an email with a calendar file, and a text when a phone number is known, to
each person a scheduled job names, ``REMINDER_LEAD_HOURS`` before it starts.

A beat task runs ``reminders_send`` every few minutes. Every job starting within the lead time
that has not had its reminder gets one: a missed run is made up by the next. The keys name the
scheduled slot (``reminder:<appointment>:<date>T<start>:<party>``), so each slot is reminded
once, a rescheduled job is reminded again for its new time, and a cancelled one (no longer
scheduled) never is. Reads: one Query of the scheduled-date index per day in the window, and one
BatchGetItem of the keys already used; writes only for reminders actually sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from autolab import clock, storage
from autolab.exceptions import NotFound, ValidationError
from autolab.permissions import StaffIdentity
from bookings import manage_links, notifications, selectors
from bookings.models import Appointment, AppointmentStatus
from emails.services import already_queued, email_customer
from emails.sms import INVALID, send_sms


@dataclass(frozen=True)
class Party:
    """One person a reminder goes to: the buyer, or the seller when the booking names one."""

    role: str
    name: str
    email: str
    phone: str


def parties(appointment: Appointment) -> list[Party]:
    named = [
        Party("buyer", appointment.buyer_name or "", appointment.buyer_email or "", appointment.buyer_phone or ""),
        Party("seller", appointment.seller_name or "", appointment.seller_email or "", appointment.seller_phone or ""),
    ]
    return [party for party in named if party.email or party.phone]


def slot_moments(appointment: Appointment) -> tuple[dt.datetime, dt.datetime]:
    slot = appointment.scheduled_time_slot
    assert slot is not None  # noqa: S101 (only scheduled appointments get here)
    day = clock.parse_date(slot.date)
    return clock.local_datetime(day, slot.start), clock.local_datetime(day, slot.end)


def due_appointments(now: dt.datetime) -> list[Appointment]:
    """Scheduled jobs starting after ``now`` and within the lead time: one Query per business day."""
    until = now + dt.timedelta(hours=settings.REMINDER_LEAD_HOURS)
    first, last = clock.to_local(now).date(), clock.to_local(until).date()
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    due = []
    for day in days:
        for appointment in selectors.appointments_on(day.isoformat()):
            if appointment.status != AppointmentStatus.SCHEDULED or appointment.scheduled_time_slot is None:
                continue
            if now < slot_moments(appointment)[0] <= until:
                due.append(appointment)
    return due


def reminder_key(appointment: Appointment, party: Party, channel: str) -> str:
    slot = appointment.scheduled_time_slot
    assert slot is not None  # noqa: S101
    return f"reminder:{appointment.appointment_id}:{slot.date}T{slot.start}:{party.role}:{channel}"


def reminders_send(now: dt.datetime | None = None) -> dict[str, int]:
    """Send every reminder due at ``now`` (default: the clock's now) not sent before."""
    moment = now or clock.now()
    due = due_appointments(moment)
    wanted = [(appointment, party) for appointment in due for party in parties(appointment)]
    used = already_queued(
        [reminder_key(a, p, "email") for a, p in wanted if p.email],
        [reminder_key(a, p, "sms") for a, p in wanted if p.phone],
    )
    sent = {"emails": 0, "texts": 0}
    for appointment, party in wanted:
        if party.email and reminder_key(appointment, party, "email") not in used:
            _email(appointment, party, moment)
            sent["emails"] += 1
        if party.phone and reminder_key(appointment, party, "sms") not in used:
            send_sms(party.phone, sms_text(appointment), reminder_key(appointment, party, "sms"))
            sent["texts"] += 1
    return sent


def _email(appointment: Appointment, party: Party, now: dt.datetime) -> None:
    slot = appointment.scheduled_time_slot
    assert slot is not None  # noqa: S101
    key = f"reminders/{appointment.appointment_id}/{slot.date}-{slot.start.replace(':', '')}/appointment.ics"
    storage.save(key, calendar_file(appointment, now).encode(), "text/calendar")
    email_customer(
        email_type="appointment_reminder",
        to_email=party.email,
        to_name=party.name,
        context=notifications.email_context(appointment),
        dedupe_key=reminder_key(appointment, party, "email"),
        attachments=[key],
    )


def sms_text(appointment: Appointment) -> str:
    start, _end = slot_moments(appointment)
    when = start.strftime("%a %d %b at %H:%M")
    return (
        f"{settings.BUSINESS_NAME}: reminder of your {appointment.car_make} {appointment.car_model} "
        f"inspection {when} at {appointment.car_location}. "
        f"Change or cancel: {manage_links.manage_url(appointment.appointment_id)} Reply STOP to opt out."
    )


def ics_text(value: str) -> str:
    """RFC 5545 TEXT escaping."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_file(appointment: Appointment, now: dt.datetime, *, cancelled: Slot | None = None) -> str:
    """One VEVENT for the scheduled slot; the UID is the appointment's, so a calendar that
    imported an earlier reminder moves the event when the job is rescheduled. ``cancelled``: the
    slot a reminder invited to, withdrawn (METHOD:CANCEL, STATUS:CANCELLED), for a cancelled job."""
    start, end = slot_moments(appointment) if cancelled is None else cancelled.moments()
    plan = selectors.plan_cached(appointment.service_id, appointment.plan_id)
    summary = f"{plan.service_name} - {plan.plan_name}" if plan else "Appointment"
    sequence = int(now.timestamp()) // 60  # later reminders supersede earlier ones
    if cancelled is not None:
        # Above every reminder's: those were all sent before the slot began.
        sequence = max(sequence, int(start.timestamp()) // 60) + 1
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{ics_text(settings.BUSINESS_NAME)}//Reminders//EN",
        "METHOD:CANCEL" if cancelled else "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{appointment.appointment_id}@autolab",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{ics_time(now)}",
        f"DTSTART:{ics_time(start)}",
        f"DTEND:{ics_time(end)}",
        *(["STATUS:CANCELLED"] if cancelled else []),
        f"SUMMARY:{ics_text(f'{settings.BUSINESS_NAME}: {summary}')}",
        f"LOCATION:{ics_text(appointment.car_location)}",
        f"DESCRIPTION:{ics_text(f'{appointment.car_year} {appointment.car_make} {appointment.car_model}')}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


@dataclass(frozen=True)
class Slot:
    """A scheduled slot as it was (a cancel frees the appointment's own)."""

    date: str
    start: str
    end: str

    @classmethod
    def of(cls, appointment: Appointment) -> Slot | None:
        slot = appointment.scheduled_time_slot
        if slot is None or not (slot.date and slot.start and slot.end):
            return None
        return cls(slot.date, slot.start, slot.end)

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        day = clock.parse_date(self.date)
        return clock.local_datetime(day, self.start), clock.local_datetime(day, self.end)

    def key(self, appointment: Appointment, party: Party, channel: str, kind: str = "reminder") -> str:
        return f"{kind}:{appointment.appointment_id}:{self.date}T{self.start}:{party.role}:{channel}"


def withdraw(appointment: Appointment, slot: Slot, now: dt.datetime | None = None) -> int:
    """A job cancelled after its reminder invited people to ``slot``: each of them gets the
    invite withdrawn (an ICS with METHOD:CANCEL), once. One BatchGetItem of the reminder keys
    when nobody was reminded. Returns the emails queued."""
    moment = now or clock.now()
    invited = [party for party in parties(appointment) if party.email]
    used = already_queued([slot.key(appointment, party, "email") for party in invited], [])
    queued = 0
    for party in invited:
        if slot.key(appointment, party, "email") not in used:
            continue
        key = f"reminders/{appointment.appointment_id}/{slot.date}-{slot.start.replace(':', '')}/cancel/appointment.ics"
        storage.save(key, calendar_file(appointment, moment, cancelled=slot).encode(), "text/calendar")
        context = {**notifications.email_context(appointment), "scheduledTimeSlot": slot.__dict__}
        email_customer(
            email_type="appointment_reminder_cancelled",
            to_email=party.email,
            to_name=party.name,
            context=context,
            dedupe_key=slot.key(appointment, party, "email", kind="reminder-cancel"),
            attachments=[key],
        )
        queued += 1
    return queued


# --- "On my way" (#16.2) -------------------------------------------------------------------

ON_MY_WAY_STATUSES = (AppointmentStatus.SCHEDULED, AppointmentStatus.ONGOING)


def on_my_way_send(*, actor: StaffIdentity, appointment_id: str, eta_minutes: int, click: str) -> str:
    """Text the job's customer that its mechanic is on the way; once per ``click`` (the form's
    one-off token), so a double tap or a resubmitted form texts once. Returns the SMS status."""
    appointment = selectors.appointment_get(appointment_id)
    if appointment is None or appointment.assigned_mechanic_id != actor.user_id:
        raise NotFound("Appointment not found")  # only the job's own mechanic is on the way to it
    if appointment.status not in ON_MY_WAY_STATUSES:
        raise ValidationError("Only a scheduled or started job can send 'on my way'.")
    _name, _email, phone = notifications.customer_contact(appointment)
    if not phone:
        raise ValidationError("The customer has no phone number to text.")
    mechanic = selectors.staff_contact(actor.user_id)
    who = mechanic["userName"] if mechanic and mechanic.get("userName") else "Your mechanic"
    text = (
        f"{settings.BUSINESS_NAME}: {who} is on the way to inspect your {appointment.car_make} "
        f"{appointment.car_model} and should arrive in about {eta_minutes} minutes. "
        f"Your booking: {manage_links.manage_url(appointment.appointment_id)}"
    )
    status = send_sms(phone, text, f"on-my-way:{appointment_id}:{click}")
    if status == INVALID:
        raise ValidationError("The customer's phone number cannot receive texts.")
    return status
