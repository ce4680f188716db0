"""A mechanic's calendar feed (#16.5): their jobs as an ICS file a phone's calendar subscribes to.

The link carries no login, so its token is the proof: ``django.core.signing`` over the mechanic's
staff userId and their ``calendarFeedVersion`` (Staff table). Rotating the version
(``staffapp.services.staff_rotate_calendar_feed``) revokes every link handed out before; a
deactivated member, or one who is no longer a mechanic, gets 404 like a forged token.

Reads: one GetItem-by-index of the member and one Query of ``assignedMechanicId-listDate-index``
from ``CALENDAR_FEED_PAST_DAYS`` ago on (no Scan); only scheduled jobs (with a slot, not cancelled
or pending) become events. Each event's UID is the appointment's, the same as the reminder's ICS, so
a calendar that imported a reminder keeps one event.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse

from autolab import clock, links
from autolab.permissions import Role
from bookings import reminders, selectors
from bookings.models import Appointment, AppointmentStatus
from staffapp.models import Staff
from staffapp.selectors import staff_get_by_user_id

_SALT = "bookings.calendar_feed"
FEED_STATUSES = (AppointmentStatus.SCHEDULED, AppointmentStatus.ONGOING, AppointmentStatus.COMPLETED)
MAX_EVENTS = 500


class FeedTokenError(ValueError):
    """A forged token, a revoked one (old version) or one of a member who is no mechanic now."""


def feed_token(staff: Staff) -> str:
    return signing.dumps({"u": staff.user_id, "v": staff.calendar_feed_version or 0}, salt=_SALT)


def feed_url(staff: Staff) -> str:
    """The absolute https link of ``staff``'s feed (a phone subscribes to it as ``webcal://``)."""
    return links.absolute(reverse("bookings-calendar-feed", kwargs={"token": feed_token(staff)}))


def mechanic_from_token(token: str) -> Staff:
    """The active mechanic ``token`` was issued to, at their current feed version."""
    try:
        claims = signing.loads(token, salt=_SALT)
    except signing.BadSignature as error:
        raise FeedTokenError("Unknown calendar feed") from error
    user_id, version = (claims.get("u"), claims.get("v")) if isinstance(claims, dict) else (None, None)
    if not isinstance(user_id, str) or not isinstance(version, int):
        raise FeedTokenError("Unknown calendar feed")
    staff = staff_get_by_user_id(user_id)
    if staff is None or not staff.is_active or Role.MECHANIC not in staff.roles:
        raise FeedTokenError("Unknown calendar feed")
    if (staff.calendar_feed_version or 0) != version:
        raise FeedTokenError("This calendar link was replaced by a newer one")
    return staff


def feed_jobs(mechanic_id: str, today: dt.date) -> list[Appointment]:
    """The mechanic's scheduled jobs from ``CALENDAR_FEED_PAST_DAYS`` before ``today`` on."""
    since = (today - dt.timedelta(days=settings.CALENDAR_FEED_PAST_DAYS)).isoformat()
    found = Appointment.mechanic_list_index.query(
        mechanic_id, Appointment.list_date >= since, limit=MAX_EVENTS, page_size=100
    )
    return [
        job
        for job in found
        if job.status in FEED_STATUSES and job.scheduled_time_slot is not None and job.scheduled_time_slot.date
    ]


def _event(job: Appointment, now: dt.datetime) -> list[str]:
    start, end = reminders.slot_moments(job)
    plan = selectors.plan_cached(job.service_id, job.plan_id)
    title = f"{plan.service_name} - {plan.plan_name}" if plan else "Inspection"
    car = f"{job.car_year} {job.car_make} {job.car_model}".strip()
    page = links.absolute(reverse("admin:bookings-appointment", kwargs={"appointment_id": job.appointment_id}))
    text = reminders.ics_text
    return [
        "BEGIN:VEVENT",
        f"UID:{job.appointment_id}@autolab",
        f"DTSTAMP:{reminders.ics_time(now)}",
        f"DTSTART:{reminders.ics_time(start)}",
        f"DTEND:{reminders.ics_time(end)}",
        f"SUMMARY:{text(f'{title}: {car}')}",
        f"LOCATION:{text(job.car_location or '')}",
        f"DESCRIPTION:{text(f'{job.status.title()} · {page}')}",
        f"URL:{page}",
        "STATUS:CONFIRMED",
        "END:VEVENT",
    ]


def feed_ics(staff: Staff, *, now: dt.datetime | None = None) -> str:
    moment = now or clock.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{reminders.ics_text(settings.BUSINESS_NAME)}//Jobs//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{reminders.ics_text(f'{settings.BUSINESS_NAME} jobs: {staff.user_name}')}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT15M",
        "X-PUBLISHED-TTL:PT15M",
    ]
    for job in feed_jobs(staff.user_id, clock.to_local(moment).date()):
        lines += _event(job, moment)
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"


def fold(line: str) -> str:
    """RFC 5545 §3.1: lines longer than 75 octets continue on the next line after a space."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)
