"""Bookings pages of the staff portal: booking for a caller, appointments, scheduling, my day, the
week calendar, the slot analyser, services & plans. Importing the modules registers their pages; an
app lists specific routes before general ones (``appointments/new/`` before ``appointments/<id>/``)."""

from bookings.portal import caller  # noqa: I001  (first: its appointments/new/ before appointments/<id>/)
from bookings.portal import appointments, calendar, dashboard, plans, scheduling, vehicles

__all__ = ["appointments", "calendar", "caller", "dashboard", "plans", "scheduling", "vehicles"]
