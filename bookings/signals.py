"""Signals other apps connect to (billing cancels the invoice of a cancelled appointment)."""

from django.dispatch import Signal

# Sent after an appointment was stored as CANCELLED; kwargs: appointment_id.
appointment_cancelled = Signal()
