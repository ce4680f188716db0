"""Rules of a staff schedule that the API and the portal both apply (original-backend-behaviour §3.1)."""

from __future__ import annotations

import datetime as dt

from autolab import clock
from autolab.exceptions import ValidationError
from bookings.slots import STEP_MINUTES, Interval


def staff_slot(day: dt.date, start: object, end: object) -> tuple[str, Interval]:
    """``(date, slot)`` staff may schedule: ``start``-``end`` (``HH:MM``) on the half-hour grid,
    inside business hours, today or later."""
    try:
        slot = Interval.parse(start, end)  # to_minutes refuses non-strings
    except ValueError as exc:
        raise ValidationError(f"scheduledTimeSlot: {exc}") from exc
    if not slot.inside_hours():
        raise ValidationError("scheduledTimeSlot must be within business hours (08:00-20:00)")
    if slot.start % STEP_MINUTES or slot.end % STEP_MINUTES:
        raise ValidationError("scheduledTimeSlot must start and end on the hour or half hour")
    if day < clock.business_today():
        raise ValidationError("scheduledTimeSlot cannot be in the past")
    return day.isoformat(), slot
