"""Scheduling an appointment from its portal page: the form, the customer's preferred slots as
they stand now, and the schedule action."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from bookings import forms, selectors
from bookings.portal.common import VIEW, apply, detail_url, page
from bookings.slots import Interval
from bookings.types import AppointmentChanges
from bookings.validation import staff_slot
from staffapp.actions import refused


def schedule_context(appointment: Any) -> dict[str, Any]:
    """The detail page's scheduling part, for staff who may edit the appointment."""
    context: dict[str, Any] = {
        "schedule_form": forms.ScheduleForm(
            initial=_schedule_initial(appointment), mechanics=selectors.mechanics_active()
        )
    }
    if appointment.selected_slots:
        context["availability"] = _preferred_availability(appointment)
    return context


def _schedule_initial(appointment: Any) -> dict[str, Any]:
    slot = appointment.scheduled_time_slot or next(iter(appointment.selected_slots or []), None)
    initial: dict[str, Any] = {"version": appointment.version, "mechanic": appointment.assigned_mechanic_id or ""}
    if slot is not None:
        initial.update(date=slot.date, start=slot.start, end=slot.end)
    return initial


def _preferred_availability(appointment: Any) -> list[dict[str, Any]]:
    """The customer's preferred slots with their status right now (free / full / blocked / too soon)."""
    states = selectors.day_states(sorted({s.date for s in appointment.selected_slots}))
    capacity = selectors.booking_capacity()
    rows = []
    for slot in sorted(appointment.selected_slots, key=lambda s: s.priority):
        status, free = selectors.slot_status(states[slot.date], Interval.parse(slot.start, slot.end), capacity)
        rows.append({"slot": slot, "status": status, "free": free})
    return rows


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
    if not form.is_valid():
        return refused(request, "Choose a date, a start and an end.", detail_url(appointment_id))
    data = form.cleaned_data

    def changes() -> AppointmentChanges:
        return AppointmentChanges(
            given=frozenset({"schedule", "mechanic_id"}),
            schedule=staff_slot(data["date"], data["start"], data["end"]),
            mechanic_id=data["mechanic"] or None,
            version=data["version"],
        )

    done = f"Scheduled for {data['date'].isoformat()} {data['start']}-{data['end']}."
    return apply(request, appointment_id, changes, done)
