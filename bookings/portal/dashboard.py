"""The bookings panels of the staff dashboard: today's and tomorrow's jobs per mechanic on a
timeline, the bookings still to be scheduled, the reports waiting for review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from autolab import clock
from autolab.permissions import Permission, StaffIdentity
from bookings import dashboard_reads, selectors
from bookings.portal.common import VIEW
from bookings.slots import OPEN_MINUTE, STEP_MINUTES, to_hhmm
from staffapp.sites import portal_site

# What changes an appointment's place on the dashboard: a booking, a staff change, a payment.
APPOINTMENT_EVENTS = (
    "appointment.created",
    "appointment.updated",
    "payment.confirmed",
    "payment.reverted",
    "payment.refunded",
)
COLUMNS = 24  # dashboard.css: 08:00-20:00 in half hours
SHOWN = 8  # of each list; the appointments list has the rest


def _column(minute: int) -> int:
    """The timeline's grid line of ``minute`` (1 is 08:00, 25 is 20:00), clamped to the hours shown."""
    return min(max((minute - OPEN_MINUTE) // STEP_MINUTES, 0), COLUMNS) + 1


@portal_site.register_panel(
    name="jobs",
    title="Jobs today and tomorrow",
    template="bookings/dashboard/jobs.html",
    permissions=VIEW,
    refresh_on=APPOINTMENT_EVENTS,
    order=10,
)
def jobs_panel(staff: StaffIdentity) -> dict[str, Any]:
    """Everyone's jobs for staff who see all appointments; a mechanic sees their own row only."""
    today = clock.business_today()
    dates = [today.isoformat(), (today + dt.timedelta(days=1)).isoformat()]
    sees_all = staff.has(Permission.APPOINTMENT_VIEW_ALL)
    mechanics = sorted(selectors.mechanics_active(), key=lambda m: m["userName"].lower())
    if not sees_all:
        mechanics = [m for m in mechanics if m["userId"] == staff.user_id] or [
            {"userId": staff.user_id, "userName": staff.name}
        ]
    days = dashboard_reads.jobs_by_mechanic(dates, mechanics, unassigned=sees_all)
    return {"days": [_timeline(day) for day in days], "hours": [f"{hour:02d}:00" for hour in range(8, 20, 2)]}


def _timeline(day: dashboard_reads.JobsDay) -> dict[str, Any]:
    rows = [
        {"name": row.name, "mine": bool(row.mechanic_id), "jobs": [_job(job) for job in row.jobs]} for row in day.rows
    ]
    return {"date": day.date, "rows": rows, "count": sum(len(row.jobs) for row in day.rows)}


def _job(job: dashboard_reads.Job) -> dict[str, Any]:
    appointment = job.appointment
    name, car = "", ""
    if appointment is not None:
        name = (appointment.buyer_name if appointment.is_buyer else appointment.seller_name) or "Customer"
        car = f"{appointment.car_make} {appointment.car_model}".strip()
    return {
        "id": job.appointment_id,
        "start": to_hhmm(job.interval.start),
        "end": to_hhmm(job.interval.end),
        "status": job.status,
        "from": _column(job.interval.start),
        "to": _column(job.interval.end),
        "who": name,
        "car": car,
        "where": appointment.car_location if appointment is not None else "",
    }


@portal_site.register_panel(
    name="to-schedule",
    title="Bookings to schedule",
    template="bookings/dashboard/to_schedule.html",
    permissions=(Permission.APPOINTMENT_VIEW_ALL,),
    refresh_on=APPOINTMENT_EVENTS,
    order=20,
)
def to_schedule_panel(staff: StaffIdentity) -> dict[str, Any]:
    """Paid bookings first (their customer is waiting for a time), then new unpaid ones."""
    waiting = dashboard_reads.to_schedule(clock.business_today())
    return {
        "paid": waiting.paid[:SHOWN],
        "unpaid": waiting.unpaid[:SHOWN],
        "paid_count": len(waiting.paid),
        "unpaid_count": len(waiting.unpaid),
        "more": len(waiting.paid) + len(waiting.unpaid) >= dashboard_reads.TO_SCHEDULE_LIMIT,
    }


@portal_site.register_panel(
    name="reports",
    title="Reports awaiting review",
    template="bookings/dashboard/reports.html",
    permissions=(Permission.APPOINTMENT_REPORT_APPROVE,),
    refresh_on=("appointment.updated",),
    order=30,
)
def reports_panel(staff: StaffIdentity) -> dict[str, Any]:
    queue = dashboard_reads.reports_awaiting_review()
    return {"waiting": queue.reports[:SHOWN], "count": len(queue.reports), "more": queue.more}
