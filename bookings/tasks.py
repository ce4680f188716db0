"""Celery entry points of bookings: thin; the rules live in reminders."""

from __future__ import annotations

from celery import shared_task

from autolab import clock
from bookings import reminders


@shared_task(name="bookings.reminders_send_task")
def reminders_send_task(at: int | None = None) -> dict[str, int]:
    """Periodic: the reminders due now (``at``: epoch seconds, to run it for another moment)."""
    return reminders.reminders_send(clock.from_epoch(at) if at is not None else None)
