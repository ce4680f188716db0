"""Bookings pages of the staff portal: appointments, scheduling, my day, the week calendar, the slot
analyser, services & plans. Importing the modules registers their pages; an app lists specific routes
before general ones (``appointments/new/`` before ``appointments/<id>/``)."""

from bookings.portal import appointments, calendar, plans, scheduling

__all__ = ["appointments", "calendar", "plans", "scheduling"]
