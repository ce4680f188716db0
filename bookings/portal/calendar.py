"""Day and week pages of the bookings portal: my day, the week calendar with blocking, the slot
analyser."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from autolab import clock
from autolab.dates import date_range
from autolab.exceptions import ValidationError
from autolab.permissions import Permission, StaffIdentity, staff_required
from bookings import catalogue, forms, selectors
from bookings.models import AppointmentStatus
from bookings.portal.common import SLOTS, VIEW, day_param, page
from bookings.slots import BUCKETS, Interval
from staffapp.actions import post_action, refused
from staffapp.rendering import render_page


@page("bookings/my-day/", "bookings-my-day", "My day", (Permission.APPOINTMENT_VIEW_ASSIGNED,), order=20)
def my_day(request: HttpRequest) -> HttpResponse:
    day = day_param(request)
    jobs = selectors.mechanic_day(staff_required(request).user_id, day.isoformat())
    context = {"day": day, "jobs": jobs, "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1)}
    return render_page(request, "bookings/my_day.html", context, title=f"My day: {day:%a %d %b %Y}")


# --- Week calendar with blocking -----------------------------------------------------------------


def _calendar_columns(states: list[selectors.DayState], appointments: dict[str, Any]) -> list[dict[str, Any]]:
    """Per day: positioned boxes for blocked periods and jobs (grid rows are half-hour buckets)."""
    columns = []
    for state in states:
        boxes = [
            {"kind": "block", "label": f"Blocked {b.label}", "row": _row(b.start), "end": _row(b.end), "lane": 0}
            for b in state.blocks
        ]
        for lane, (appointment_id, (slot, status)) in enumerate(sorted(state.jobs.items(), key=lambda j: j[1][0])):
            if status == AppointmentStatus.CANCELLED:
                continue
            appointment = appointments.get(appointment_id)
            name = (
                appointment.buyer_name
                if appointment and appointment.is_buyer
                else getattr(appointment, "seller_name", "")
            ) or "Job"
            boxes.append(
                {
                    "kind": "job",
                    "label": f"{slot.label} {name} ({status.title()})",
                    "row": _row(slot.start),
                    "end": _row(slot.end),
                    "lane": lane % 3 + 1,
                    "id": appointment_id,
                }
            )
        columns.append({"date": state.date, "day": clock.parse_date(state.date), "boxes": boxes})
    return columns


def _row(minute: int) -> int:
    """CSS grid row of a minute of the day (row 1 is the header, 08:00 is row 2)."""
    return max(2, min(len(BUCKETS) + 2, (minute - 8 * 60) // 30 + 2))


@page("bookings/calendar/", "bookings-calendar", "Week calendar", VIEW + SLOTS, order=30)
@require_http_methods(["GET", "POST"])
def week_calendar(request: HttpRequest) -> HttpResponse:
    staff = staff_required(request)
    if request.method == "POST":
        return _block_action(request, staff)
    first = day_param(request, "week")
    first -= dt.timedelta(days=first.weekday())
    states, appointments = selectors.week_states(first.isoformat())
    context = {
        "columns": _calendar_columns(states, appointments),
        "hours": [b[:2] + ":" + b[2:] for b in BUCKETS],
        "previous": first - dt.timedelta(days=7),
        "next": first + dt.timedelta(days=7),
        "first": first,
        "can_block": staff.has(Permission.SLOTS_MANAGE_PORTAL),
        "block_form": forms.BlockForm(initial={"start_date": first}),
    }
    return render_page(request, "bookings/calendar.html", context, title=f"Week of {first:%d %b %Y}")


def _block_action(request: HttpRequest, staff: StaffIdentity) -> HttpResponse:
    if not staff.has(Permission.SLOTS_MANAGE_PORTAL):
        raise Http404
    form = forms.BlockForm(request.POST)
    if not form.is_valid():
        return refused(request, "Choose the dates and times to block or unblock.", "admin:bookings-calendar")
    data = form.cleaned_data
    verb = "Blocked" if data["action"] == "add" else "Unblocked"
    return post_action(
        request,
        lambda: _block(staff, data),
        success=lambda days: f"{verb} {data['start']}-{data['end']} on {days} day(s).",
        redirect_to=f"{request.path}?week={data['start_date'].isoformat()}",
    )


def _block(staff: StaffIdentity, data: dict[str, Any]) -> int:
    """Block or unblock the period on each day of the range; returns how many days."""
    wrong = f"Choose an end date on or after the start, at most {catalogue.MAX_RANGE_DAYS} days"
    span = date_range(
        data["start_date"],
        data["end_date"] or data["start_date"],
        max_days=catalogue.MAX_RANGE_DAYS,
        order_message=wrong,
        span_message=wrong,
    )
    try:
        period = Interval.parse(data["start"], data["end"])
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    dates = [day.isoformat() for day in span.each_day()]
    catalogue.unavailable_slots_update(actor=staff, dates=dates, operation=data["action"], periods=[period])
    return len(dates)


# --- Slot analyser ---------------------------------------------------------------------------------


@page("bookings/analyser/", "bookings-analyser", "Slot analyser", VIEW + SLOTS, order=40)
def slot_analyser(request: HttpRequest) -> HttpResponse:
    plans = [p for p in selectors.service_price_list() if p.active]
    form = forms.AnalyserForm(request.GET or {"date": clock.business_today().isoformat()}, plans=plans)
    analysis, plan = None, None
    if form.is_valid() and plans:
        service_id, plan_id = (
            int(part)
            for part in (form.cleaned_data.get("plan") or f"{plans[0].service_id}:{plans[0].plan_id}").split(":")
        )
        plan = selectors.service_price_get(service_id, plan_id)
        analysis = (
            selectors.day_analysis(form.cleaned_data["date"].isoformat(), plan.duration_minutes) if plan else None
        )
    return render_page(
        request, "bookings/analyser.html", {"form": form, "analysis": analysis, "plan": plan}, title="Slot analyser"
    )
