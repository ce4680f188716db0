"""Day and week pages of the bookings portal: my day, the week calendar with blocking, the slot
analyser."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from autolab import clock
from autolab.dates import date_range
from autolab.exceptions import ValidationError
from autolab.permissions import Permission, StaffIdentity, staff_required
from bookings import calendar_feed, catalogue, forms, notifications, schedule_reads, selectors, seller_confirmation
from bookings.models import AppointmentStatus
from bookings.portal.common import SLOTS, VIEW, day_param, page
from bookings.portal.scheduling import mechanic_colours
from bookings.slots import BUCKETS, Interval, to_hhmm
from staffapp.actions import post_action, refused
from staffapp.rendering import render_page
from staffapp.selectors import staff_get
from staffapp.services import staff_rotate_calendar_feed
from staffapp.templatetags import staff_format


@page("bookings/my-day/", "bookings-my-day", "My day", (Permission.APPOINTMENT_VIEW_ASSIGNED,), order=20)
def my_day(request: HttpRequest) -> HttpResponse:
    day = day_param(request)
    viewer = staff_required(request)
    jobs = selectors.mechanic_day(viewer.user_id, day.isoformat())
    member = staff_get(viewer.email)
    feed = calendar_feed.feed_url(member) if member is not None else None
    context = {
        "day": day,
        "jobs": jobs,
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
        "feed_url": feed,
        "feed_webcal": "webcal://" + feed.split("://", 1)[1] if feed else None,
    }
    return render_page(request, "bookings/my_day.html", context, title=f"My day: {staff_format.day(day)}")


@page(
    "bookings/my-day/calendar-feed/",
    "bookings-calendar-feed-reset",
    "New calendar link",
    (Permission.APPOINTMENT_VIEW_ASSIGNED,),
    order=21,
    in_index=False,
)
@require_http_methods(["GET", "POST"])
def calendar_feed_reset(request: HttpRequest) -> HttpResponse:
    """Confirmation page, then a new version for the mechanic's feed: the old link stops working."""
    if request.method == "POST":
        return post_action(
            request,
            lambda: staff_rotate_calendar_feed(actor=staff_required(request)),
            success="Your calendar link was replaced. Subscribe again with the new link; the old one no longer works.",
            redirect_to=reverse("admin:bookings-my-day"),
        )
    return render_page(request, "bookings/calendar_feed_reset.html", {}, title="New calendar link")


# --- Week calendar with blocking -----------------------------------------------------------------

LANE_COLUMNS = 60  # grid columns of a day: overlapping jobs share them equally (60 divides by 1-6)


@dataclass(frozen=True)
class Viewer:
    """Who looks at the calendar: a mechanic-only user sees other mechanics' jobs as busy boxes
    (no link, no customer), as the appointment page would answer them 404."""

    user_id: str
    mechanic_only: bool

    def may_open(self, appointment: Any) -> bool:
        return not self.mechanic_only or (appointment is not None and appointment.assigned_mechanic_id == self.user_id)


@dataclass(frozen=True)
class Palette:
    """Each active mechanic's colour number and name."""

    colours: dict[str, int]
    names: dict[str, str]

    @classmethod
    def of(cls, mechanics: list[dict[str, str]]) -> Palette:
        return cls(mechanic_colours(mechanics), {m["userId"]: m["userName"] for m in mechanics})

    def legend(self) -> list[dict[str, Any]]:
        named = sorted(self.names.items(), key=lambda item: (item[1].lower(), item[0]))
        return [{"name": name, "colour": self.colours[user_id]} for user_id, name in named]


def _calendar_columns(
    states: list[selectors.DayState], appointments: dict[str, Any], viewer: Viewer, palette: Palette
) -> list[dict[str, Any]]:
    """Per day: positioned boxes for blocked periods and jobs (grid rows are half-hour buckets)."""
    columns = []
    for state in states:
        boxes: list[dict[str, Any]] = [
            {
                "kind": "block",
                "start": to_hhmm(b.start),
                "end": to_hhmm(b.end),
                "row": _row(b.start),
                "row_end": _row(b.end),
            }
            for b in state.blocks
        ]
        jobs = sorted(
            (slot, appointment_id, status)
            for appointment_id, (slot, status) in state.jobs.items()
            if status != AppointmentStatus.CANCELLED
        )
        for (slot, appointment_id, status), (first, last) in zip(jobs, _lanes([job[0] for job in jobs]), strict=True):
            boxes.append(
                _job_box(slot, status, appointments.get(appointment_id), appointment_id, viewer, palette)
                | {"col": first, "col_end": last}
            )
        columns.append({"date": state.date, "day": clock.parse_date(state.date), "boxes": boxes})
    return columns


def _job_box(
    slot: Interval, status: str, appointment: Any, appointment_id: str, viewer: Viewer, palette: Palette
) -> dict[str, Any]:
    mechanic_id = getattr(appointment, "assigned_mechanic_id", None) or ""
    box = {
        "kind": "job",
        "start": to_hhmm(slot.start),
        "end": to_hhmm(slot.end),
        "row": _row(slot.start),
        "row_end": _row(slot.end),
        "status": "Paid, to schedule" if status == AppointmentStatus.PENDING else status,  # a held first choice
        "mechanic": palette.names.get(mechanic_id, "Other mechanic") if mechanic_id else "",
        "colour": palette.colours.get(mechanic_id, "none"),
    }
    if not viewer.may_open(appointment):
        return box | {"busy": True}
    customer = notifications.customer_contact(appointment)[0] if appointment else ""
    seller = seller_confirmation.label(appointment) if appointment else ""
    return box | {"id": appointment_id, "customer": customer or "Customer", "seller": seller}


def _lanes(slots: list[Interval]) -> list[tuple[int, int]]:
    """Grid columns ``(first, last)`` of each job (``slots`` in start order): jobs that overlap
    share the day's width in lanes; a job overlapping none takes all of it."""
    placed = [(1, LANE_COLUMNS + 1)] * len(slots)
    for group in _overlapping(slots):
        lane_ends: list[int] = []
        lanes = []
        for index in group:
            slot = slots[index]
            lane = next((n for n, end in enumerate(lane_ends) if end <= slot.start), len(lane_ends))
            lane_ends[lane : lane + 1] = [slot.end]
            lanes.append(lane)
        width = len(lane_ends)
        for index, lane in zip(group, lanes, strict=True):
            placed[index] = (lane * LANE_COLUMNS // width + 1, (lane + 1) * LANE_COLUMNS // width + 1)
    return placed


def _overlapping(slots: list[Interval]) -> list[list[int]]:
    """Indexes of ``slots`` (in start order) in groups that overlap one another, transitively."""
    groups: list[list[int]] = []
    group_end = 0
    for index, slot in enumerate(slots):
        if not groups or slot.start >= group_end:
            groups.append([])
            group_end = slot.end
        groups[-1].append(index)
        group_end = max(group_end, slot.end)
    return groups


def _row(minute: int) -> int:
    """CSS grid row of a minute of the day (row 1 is the header, 08:00 is row 2)."""
    return max(2, min(len(BUCKETS) + 2, (minute - 8 * 60) // 30 + 2))


def _focus(request: HttpRequest) -> tuple[dt.date, dt.date]:
    """(Monday of the week shown, the day a phone or ``?view=day`` shows): ``?day=`` names the
    day (and so the week), else ``?week=`` the week (today if in it, else its Monday)."""
    if request.GET.get("day"):
        focus = day_param(request, "day")
        return focus - dt.timedelta(days=focus.weekday()), focus
    first = day_param(request, "week")
    first -= dt.timedelta(days=first.weekday())
    today = clock.business_today()
    return first, today if first <= today < first + dt.timedelta(days=7) else first


@page("bookings/calendar/", "bookings-calendar", "Week calendar", VIEW + SLOTS, order=30)
@require_http_methods(["GET", "POST"])
def week_calendar(request: HttpRequest) -> HttpResponse:
    staff = staff_required(request)
    if request.method == "POST":
        return _block_action(request, staff)
    first, focus = _focus(request)
    states, appointments = selectors.week_states(first.isoformat())
    palette = Palette.of(selectors.mechanics_active())
    viewer = Viewer(staff.user_id, staff.is_mechanic_only)
    single = request.GET.get("view") == "day"
    context = {
        "columns": _calendar_columns(states, appointments, viewer, palette),
        "hours": [b[:2] + ":" + b[2:] for b in BUCKETS],
        "previous": first - dt.timedelta(days=7),
        "next": first + dt.timedelta(days=7),
        "first": first,
        "focus": focus,
        "previous_day": focus - dt.timedelta(days=1),
        "next_day": focus + dt.timedelta(days=1),
        "single": single,
        "legend": palette.legend(),
        "mechanic_only": viewer.mechanic_only,
        "can_block": staff.has(Permission.SLOTS_MANAGE_PORTAL),
        "block_form": forms.BlockForm(initial={"start_date": focus}),
    }
    return render_page(request, "bookings/calendar.html", context, title=f"Week of {staff_format.day(first)}")


def _block_action(request: HttpRequest, staff: StaffIdentity) -> HttpResponse:
    if not staff.has(Permission.SLOTS_MANAGE_PORTAL):
        raise Http404
    form = forms.BlockForm(request.POST)
    if not form.is_valid():
        return refused(request, "Choose the dates and times to block or unblock.", "admin:bookings-calendar")
    data = form.cleaned_data
    if data["action"] == "add" and not data["confirmed"]:
        try:
            covered = schedule_reads.jobs_covered(*_period(data))
        except ValidationError as error:
            return refused(request, error.message, "admin:bookings-calendar")
        if covered:  # ask first, listing them
            return redirect(f"{reverse('admin:bookings-calendar-block')}?{urlencode(_block_query(data))}")
    verb = "Blocked" if data["action"] == "add" else "Unblocked"
    return post_action(
        request,
        lambda: _block(staff, data),
        success=lambda days: f"{verb} {data['start']}{staff_format.EN_DASH}{data['end']} {_on_days(data, days)}.",
        redirect_to=f"{request.path}?day={data['start_date'].isoformat()}",
    )


def _on_days(data: dict[str, Any], days: int) -> str:
    """``on Thu 10 Dec`` or ``on Thu 10 Dec to Sat 12 Dec (3 days)``."""
    first = f"on {staff_format.day(data['start_date'])}"
    return first if days == 1 else f"{first} to {staff_format.day(data['end_date'])} ({days} days)"


def _block_query(data: dict[str, Any]) -> dict[str, str]:
    return {
        "start_date": data["start_date"].isoformat(),
        "end_date": data["end_date"].isoformat() if data["end_date"] else "",
        "start": data["start"],
        "end": data["end"],
        "action": data["action"],
    }


def _period(data: dict[str, Any]) -> tuple[list[str], Interval]:
    """The days and the period of a block form (ValidationError for a wrong range or times)."""
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
    return [day.isoformat() for day in span.each_day()], period


def _block(staff: StaffIdentity, data: dict[str, Any]) -> int:
    """Block or unblock the period on each day of the range; returns how many days."""
    dates, period = _period(data)
    catalogue.unavailable_slots_update(actor=staff, dates=dates, operation=data["action"], periods=[period])
    return len(dates)


@page("bookings/calendar/block/", "bookings-calendar-block", "Block a period", SLOTS, order=31, in_index=False)
@require_GET
def block_confirm(request: HttpRequest) -> HttpResponse:
    """Blocking a period over booked jobs asks first: the jobs it covers (customer, time, mechanic)
    stay booked and no one is emailed; "Yes, block" POSTs the same form, confirmed."""
    form = forms.BlockForm(request.GET)
    if not form.is_valid() or form.cleaned_data["action"] != "add":
        return refused(request, "Choose the dates and times to block.", "admin:bookings-calendar")
    data = form.cleaned_data
    try:
        dates, period = _period(data)
    except ValidationError as error:
        return refused(request, error.message, "admin:bookings-calendar")
    jobs = [_covered_row(job) for job in schedule_reads.jobs_covered(dates, period)]
    context = {"jobs": jobs, "query": _block_query(data), "days": len(dates), "period": period, "data": data}
    return render_page(request, "bookings/calendar_block.html", context, title="Block a period over booked jobs?")


@dataclass(frozen=True)
class CoveredRow:
    """A covered job as the confirmation page lists it (``date``/``start``/``end`` for ``|slot_range``)."""

    appointment_id: str | None
    date: str
    start: str
    end: str
    customer: str
    mechanic: str
    status: str


def _covered_row(job: schedule_reads.CoveredJob) -> CoveredRow:
    appointment = job.appointment
    mechanic = selectors.staff_contact(appointment.assigned_mechanic_id) if appointment else None
    return CoveredRow(
        appointment_id=appointment.appointment_id if appointment else None,
        date=job.date,
        start=to_hhmm(job.interval.start),
        end=to_hhmm(job.interval.end),
        customer=notifications.customer_contact(appointment)[0] if appointment else "",
        mechanic=mechanic["userName"] if mechanic else "",
        status=appointment.status if appointment else "",
    )


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
