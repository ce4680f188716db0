"""Signals other apps connect to (billing reacts to cancelled and rescheduled appointments)."""

from django.dispatch import Signal

# Sent after an appointment was stored as CANCELLED; kwargs: appointment_id.
appointment_cancelled = Signal()

# Sent after a paid appointment got a new scheduled date; kwargs: appointment_id, scheduled_date (YYYY-MM-DD).
appointment_rescheduled = Signal()
