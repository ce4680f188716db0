"""Signals other apps listen to (billing cancels the invoice of a cancelled order)."""

from django.dispatch import Signal

# Sent after an order's status was written as CANCELLED; kwargs: order_id.
order_cancelled = Signal()
