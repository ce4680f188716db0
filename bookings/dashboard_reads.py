"""Reads for the staff dashboard: the jobs of a few days per mechanic, the bookings still to be
scheduled and the reports waiting for an admin's review. By key or index only; each function says
its DynamoDB calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from autolab.workflow import PaymentStatus
from bookings.models import Appointment, AppointmentStatus
from bookings.report_changes import is_awaiting_review
from bookings.schedule_reads import day_schedules, mechanic_day_key
from bookings.selectors import appointment_get_many
from bookings.selectors import reports_awaiting_review as reports_awaiting_review_page
from bookings.slots import Interval

TO_SCHEDULE_LIMIT = 100  # the oldest wanted first; the list page has the rest
REVIEW_PANEL_APPOINTMENTS = 50  # waiting longest first; the review queue page has the rest


@dataclass(frozen=True)
class Job:
    appointment_id: str
    interval: Interval
    status: str
    appointment: Appointment | None  # None when it could not be read (deleted meanwhile)


@dataclass
class MechanicRow:
    mechanic_id: str
    name: str
    jobs: list[Job] = field(default_factory=list)


@dataclass
class JobsDay:
    date: str
    rows: list[MechanicRow]


def jobs_by_mechanic(dates: list[str], mechanics: list[dict[str, str]], *, unassigned: bool) -> list[JobsDay]:
    """Each day's open or done jobs per mechanic in start order (and, with ``unassigned``, a row for
    scheduled jobs nobody is assigned to). Two BatchGetItems: the days (SlotLoad, MechanicDay) and
    the appointments."""
    ids = [m["userId"] for m in mechanics]
    states, busy = day_schedules(dates, ids)
    owner: dict[tuple[str, str], str] = {
        (date, job): mechanic_id
        for mechanic_id in ids
        for date in dates
        for job in busy[mechanic_day_key(mechanic_id, date)]
    }
    wanted: dict[str, list[tuple[str, str, Interval, str]]] = {date: [] for date in dates}
    for date in dates:
        for job, (interval, status) in states[date].jobs.items():
            # A PENDING entry is a paid first choice held, not a job yet (the "to schedule" panel).
            if status in (AppointmentStatus.CANCELLED, AppointmentStatus.PENDING):
                continue
            mechanic_id = owner.get((date, job), "")
            if mechanic_id or unassigned:
                wanted[date].append((mechanic_id, job, interval, status))
    found = {a.appointment_id: a for a in appointment_get_many([j[1] for jobs in wanted.values() for j in jobs])}
    days = []
    for date in dates:
        rows = {m["userId"]: MechanicRow(m["userId"], m["userName"]) for m in mechanics}
        if unassigned:
            rows[""] = MechanicRow("", "Not assigned")
        for mechanic_id, job, interval, status in sorted(wanted[date], key=lambda j: (j[2], j[1])):
            rows[mechanic_id].jobs.append(Job(job, interval, status, found.get(job)))
        days.append(JobsDay(date, [row for row in rows.values() if row.mechanic_id or row.jobs]))
    return days


@dataclass(frozen=True)
class ToSchedule:
    paid: list[Appointment]
    unpaid: list[Appointment]


def to_schedule(today: dt.date) -> ToSchedule:
    """PENDING appointments wanted from ``today`` on, earliest wanted first, paid ones apart. One
    Query of status-listDate-index (a PENDING appointment's listDate is its earliest preferred slot)."""
    found = Appointment.status_list_index.query(
        AppointmentStatus.PENDING.value,
        Appointment.list_date >= today.isoformat(),
        limit=TO_SCHEDULE_LIMIT,
        page_size=TO_SCHEDULE_LIMIT,
    )
    paid: list[Appointment] = []
    unpaid: list[Appointment] = []
    for appointment in found:
        (paid if appointment.payment_status == PaymentStatus.PAID else unpaid).append(appointment)
    return ToSchedule(paid, unpaid)


@dataclass(frozen=True)
class AwaitingReview:
    appointment: Appointment
    file_name: str
    uploaded_at: str


@dataclass(frozen=True)
class ReviewQueue:
    reports: list[AwaitingReview]
    more: bool  # more appointments wait than the panel read: the review queue page has them all


def reports_awaiting_review(limit: int = REVIEW_PANEL_APPOINTMENTS) -> ReviewQueue:
    """The reports no admin has reviewed yet, of the ``limit`` appointments waiting longest: one
    Query of the review queue (bookings.selectors.reports_awaiting_review), the same list the
    review queue page pages through."""
    page = reports_awaiting_review_page(limit=limit)
    waiting = [
        AwaitingReview(appointment, str(report.get("fileName") or ""), str(report.get("uploadedAt") or ""))
        for appointment in page.items
        for report in appointment.reports or []
        if is_awaiting_review(report)
    ]
    return ReviewQueue(
        sorted(waiting, key=lambda r: (r.uploaded_at, r.appointment.appointment_id)), page.next_cursor is not None
    )
