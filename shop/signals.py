"""Signals other apps listen to (billing reacts to cancelled and rescheduled orders)."""

from django.dispatch import Signal

# Sent after an order's status was written as CANCELLED; kwargs: order_id.
order_cancelled = Signal()

# Sent after a paid order got a new scheduled date; kwargs: order_id, scheduled_date (YYYY-MM-DD).
order_rescheduled = Signal()
