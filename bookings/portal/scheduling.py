"""Scheduling an appointment from its portal page in one pass: the form (date, start, mechanic; the
end worked out from the plan), each mechanic's free/busy on the chosen day, the customer's
preferred slots as they stand now, and on a clash the nearest free slots.

The form's state travels in the detail page's query string (``?date=&start=&end=&mechanic=``), so
"show this day" and a refused schedule both come back to the page with the input kept. Whether a
schedule is allowed is decided only by ``updates.appointment_update`` (the API's service); the reads
here only guide the choice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from autolab import clock
from autolab.permissions import staff_required
from bookings import forms, selectors, updates
from bookings.portal.common import VIEW, detail_url, page
from bookings.schedule_reads import MechanicJobs, day_schedules, mechanic_day_key
from bookings.selectors import DayState
from bookings.slots import Interval, candidates, to_hhmm, to_minutes, too_soon
from bookings.types import AppointmentChanges
from bookings.validation import staff_slot
from staffapp.actions import post_action
from staffapp.templatetags import staff_format

SUGGESTION_DAYS = 7  # the chosen day and the six after it
MAX_SUGGESTIONS = 4
MECHANIC_COLOURS = 8  # bookings.css: .mech-0 ... .mech-7
FORM_FIELDS = ("date", "start", "end", "mechanic")
DEFAULT_DURATION = 120  # minutes, for a plan that has none (legacy items)


def mechanic_colours(mechanics: Sequence[Mapping[str, str]]) -> dict[str, int]:
    """One colour number per active mechanic (by name, so it stays put between pages)."""
    ordered = sorted(mechanics, key=lambda m: (m["userName"].lower(), m["userId"]))
    return {m["userId"]: index % MECHANIC_COLOURS for index, m in enumerate(ordered)}


@dataclass(frozen=True)
class Wanted:
    """The slot the form asks for."""

    day: dt.date
    interval: Interval
    mechanic_id: str

    @property
    def date(self) -> str:
        return self.day.isoformat()

    @property
    def start(self) -> str:
        return to_hhmm(self.interval.start)

    @property
    def end(self) -> str:
        return to_hhmm(self.interval.end)


@dataclass(frozen=True)
class Suggestion:
    """A free slot offered instead (``date``/``start``/``end`` for ``|slot_range``)."""

    date: str
    start: str
    end: str
    mechanic_id: str
    mechanic_name: str

    @property
    def value(self) -> str:
        return f"{self.date}|{self.start}|{self.end}|{self.mechanic_id}"


def schedule_context(appointment: Any, query: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The detail page's scheduling part, for staff who may edit the appointment; ``query`` is the
    page's query string (the form's kept input, ``clash=1`` after a refused schedule)."""
    query = query or {}
    mechanics = selectors.mechanics_active()
    duration = _duration(appointment)
    form = _form(appointment, query, mechanics)
    wanted = _wanted(form, duration)
    day = wanted.day if wanted else clock.business_today()
    clash_asked = query.get("clash") == "1"
    dates = [(day + dt.timedelta(days=offset)).isoformat() for offset in range(SUGGESTION_DAYS)]
    states, busy = day_schedules(dates, [m["userId"] for m in mechanics])
    day_state = states[day.isoformat()]
    free_busy = _free_busy(appointment.appointment_id, mechanics, busy, day_state, wanted)
    context: dict[str, Any] = {
        "schedule_form": form,
        "duration": duration,
        "schedule_day": day,
        "wanted": wanted,
        "free_busy": free_busy,
    }
    clash = _clash(appointment.appointment_id, wanted, day_state, busy) if wanted is not None else ""
    if wanted is not None and (clash or clash_asked):
        context["clash"] = clash
        context["suggestions"] = _suggestions(appointment.appointment_id, wanted, mechanics, states, busy)
    if appointment.selected_slots:
        context["availability"] = _preferred_availability(appointment)
    return context


def _duration(appointment: Any) -> int:
    plan = selectors.plan_cached(appointment.service_id, appointment.plan_id)
    return int(plan.duration_minutes) if plan and plan.duration_minutes else DEFAULT_DURATION


def _form(appointment: Any, query: Mapping[str, str], mechanics: list[dict[str, str]]) -> forms.ScheduleForm:
    if any(query.get(name) for name in FORM_FIELDS):
        data = {name: query.get(name, "") for name in FORM_FIELDS}
        return forms.ScheduleForm({**data, "version": appointment.version}, mechanics=mechanics)
    return forms.ScheduleForm(initial=_schedule_initial(appointment), mechanics=mechanics)


def _schedule_initial(appointment: Any) -> dict[str, Any]:
    slot = appointment.scheduled_time_slot or next(iter(appointment.selected_slots or []), None)
    initial: dict[str, Any] = {"version": appointment.version, "mechanic": appointment.assigned_mechanic_id or ""}
    if slot is not None:
        initial.update(date=slot.date, start=slot.start)
        if appointment.scheduled_time_slot is not None:
            initial["end"] = slot.end
    return initial


def _wanted(form: forms.ScheduleForm, duration: int) -> Wanted | None:
    """The slot the form asks for (bound and valid, or its initial values); None if it names none."""
    if form.is_bound:
        if not form.is_valid():
            return None
        values = form.cleaned_data
        day, start, end, mechanic = values["date"], values["start"], values["end"], values["mechanic"]
    else:
        initial = form.initial
        try:
            day = clock.parse_date(str(initial.get("date") or ""))
        except ValueError:
            return None
        start, end, mechanic = initial.get("start"), initial.get("end"), initial.get("mechanic") or ""
    try:
        return Wanted(day, Interval.parse(start, end or end_after(str(start), duration)), mechanic)
    except ValueError:
        return None


def end_after(start: str, duration: int) -> str:
    """The end of a job of ``duration`` minutes starting at ``start`` (``HH:MM``)."""
    return to_hhmm(to_minutes(start) + duration)


def _mechanic_busy(busy: dict[str, MechanicJobs], mechanic_id: str, date: str, interval: Interval, own: str) -> bool:
    jobs = busy.get(mechanic_day_key(mechanic_id, date), {})
    return any(job != own and held.overlaps(interval) for job, held in jobs.items())


def _full(state: DayState, interval: Interval, own: str, capacity: int) -> bool:
    """No place left in ``interval``, not counting the place this appointment holds already."""
    held = state.jobs.get(own)
    mine = set(held[0].buckets()) if held and held[1] not in selectors.CLOSED_STATUSES else set()
    return any(state.load.get(b, 0) - (b in mine) >= capacity for b in interval.buckets())


def _clash(own: str, wanted: Wanted, state: DayState, busy: dict[str, MechanicJobs]) -> str:
    """Why the wanted slot looks taken right now ("" when it looks free)."""
    if state.blocked(wanted.interval):
        return "the time is blocked"
    if _full(state, wanted.interval, own, selectors.booking_capacity()):
        return "the slot is fully booked"
    if wanted.mechanic_id and _mechanic_busy(busy, wanted.mechanic_id, state.date, wanted.interval, own):
        return "the mechanic already has a job then"
    return ""


def _free_busy(
    own: str, mechanics: list[dict[str, str]], busy: dict[str, MechanicJobs], state: DayState, wanted: Wanted | None
) -> list[dict[str, Any]]:
    """Per active mechanic: their jobs on the day and whether they are free at the wanted time."""
    colours = mechanic_colours(mechanics)
    rows = []
    for mechanic in sorted(mechanics, key=lambda m: m["userName"].lower()):
        jobs = busy.get(mechanic_day_key(mechanic["userId"], state.date), {})
        rows.append(
            {
                "id": mechanic["userId"],
                "name": mechanic["userName"],
                "colour": colours[mechanic["userId"]],
                "jobs": [
                    {"start": to_hhmm(held.start), "end": to_hhmm(held.end), "id": job, "this": job == own}
                    for job, held in sorted(jobs.items(), key=lambda j: j[1])
                ],
                "free": wanted is not None
                and not _mechanic_busy(busy, mechanic["userId"], state.date, wanted.interval, own),
            }
        )
    return rows


def _suggestions(
    own: str,
    wanted: Wanted,
    mechanics: list[dict[str, str]],
    states: dict[str, DayState],
    busy: dict[str, MechanicJobs],
) -> list[Suggestion]:
    """The nearest slots the schedule could take instead: the same time with another free mechanic,
    then the wanted mechanic's (or, with none chosen, anyone's) free slots by distance in time."""
    capacity, length = selectors.booking_capacity(), wanted.interval.end - wanted.interval.start
    names = {m["userId"]: m["userName"] for m in mechanics}
    found: list[tuple[tuple[int, int, int], Suggestion]] = []
    for offset, (date, state) in enumerate(states.items()):
        for slot in candidates(length):
            if too_soon(date, slot) or state.blocked(slot) or _full(state, slot, own, capacity):
                continue
            distance = abs(slot.start - wanted.interval.start)
            if not wanted.mechanic_id or not _mechanic_busy(busy, wanted.mechanic_id, date, slot, own):
                if (offset, distance) != (0, 0):
                    found.append(((offset, 1, distance), _suggestion(date, slot, wanted.mechanic_id, names)))
            elif offset == 0 and distance == 0:
                found += [
                    ((0, 0, 0), _suggestion(date, slot, other, names))
                    for other in names
                    if not _mechanic_busy(busy, other, date, slot, own)
                ]
    return [suggestion for _, suggestion in sorted(found, key=lambda f: f[0])[:MAX_SUGGESTIONS]]


def _suggestion(date: str, slot: Interval, mechanic_id: str, names: dict[str, str]) -> Suggestion:
    return Suggestion(date, to_hhmm(slot.start), to_hhmm(slot.end), mechanic_id, names.get(mechanic_id, ""))


def _preferred_availability(appointment: Any) -> list[dict[str, Any]]:
    """The customer's preferred slots with their status right now (free / full / blocked / too soon)."""
    states = selectors.day_states(sorted({s.date for s in appointment.selected_slots}))
    capacity = selectors.booking_capacity()
    rows = []
    for slot in sorted(appointment.selected_slots, key=lambda s: s.priority):
        status, free = selectors.slot_status(states[slot.date], Interval.parse(slot.start, slot.end), capacity)
        rows.append({"slot": slot, "status": status, "free": free})
    return rows


def _form_url(appointment_id: str, data: Mapping[str, Any], **extra: str) -> str:
    """The detail page with the schedule form's input kept in the query string."""
    kept = {name: str(data.get(name) or "")[:64] for name in FORM_FIELDS}
    return f"{detail_url(appointment_id)}?{urlencode({**kept, **extra})}#schedule-form"


@page(
    "bookings/appointments/<str:appointment_id>/schedule/",
    "bookings-appointment-schedule",
    "Schedule",
    VIEW,
    order=12,
    in_index=False,
)
@require_POST
def appointment_schedule(request: HttpRequest, appointment_id: str) -> HttpResponse:
    form = forms.ScheduleForm(request.POST, mechanics=selectors.mechanics_active())
    kept = form.data
    if "show_day" in request.POST:
        return redirect(_form_url(appointment_id, kept))
    if not form.is_valid():
        messages.error(request, "Choose a date, a start and, if you like, a mechanic and an end.")
        return redirect(_form_url(appointment_id, kept))
    data = form.cleaned_data
    end = data["end"] or end_after(data["start"], _duration(_appointment_or_404(appointment_id)))
    response = post_action(
        request,
        lambda: updates.appointment_update(
            actor=staff_required(request), appointment_id=appointment_id, changes=_changes(data, end)
        ),
        success=_scheduled_message(data, end),
        redirect_to=detail_url(appointment_id),
        stay_on_error=True,
    )
    return response or redirect(_form_url(appointment_id, {**data, "date": data["date"].isoformat()}, clash="1"))


def _changes(data: dict[str, Any], end: str) -> AppointmentChanges:
    """The schedule as the API's PATCH gives it, through the API's rule for staff slots
    (validation.staff_slot: its ValidationError is the page's message)."""
    return AppointmentChanges(
        given=frozenset({"schedule", "mechanic_id"}),
        schedule=staff_slot(data["date"], data["start"], end),
        mechanic_id=data["mechanic"] or None,
        version=data["version"],
    )


def _scheduled_message(data: dict[str, Any], end: str) -> str:
    mechanic = next((m["userName"] for m in selectors.mechanics_active() if m["userId"] == data["mechanic"]), "")
    when = f"{staff_format.day(data['date'])}, {data['start']}{staff_format.EN_DASH}{end}"
    return f"Scheduled for {when}{f' with {mechanic}' if mechanic else ''}."


def _appointment_or_404(appointment_id: str) -> Any:
    appointment = selectors.appointment_get(appointment_id)
    if appointment is None:
        raise Http404("Appointment not found")
    return appointment
