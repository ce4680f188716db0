"""Billing's reactions to bookings and shop (domain events, subscribed in ``BillingConfig.ready``).

Each handler re-reads the record before acting: a retry can run after later changes, and acting on
what the event said then could cancel the invoice of a record un-cancelled since, or date an invoice
by a schedule already replaced.
"""

from __future__ import annotations

import datetime as dt

from autolab.domain_events import RecordCancelled, RecordRescheduled
from autolab.workflow import PaymentStatus
from billing import records
from billing.adjustments.cancellation import cancellation_settle
from billing.invoices import invoice_effective_date_update, invoices_cancel_for_record
from bookings.models import Appointment


def invoice_cancel_on_record_cancelled(event: RecordCancelled) -> None:
    """A cancelled appointment or order cancels its active invoice (no email: the record's own says it).

    A paid appointment first goes through the cancellation policy: the money less any fee is refunded
    (with its adjustment note). When a fee is kept the invoice stays active: it is the tax invoice for
    the fee (the ATO never lets an issued tax invoice be edited, and the adjustment note that reduces
    it to the fee refers to it), so cancelling it would drop the fee from revenue. With nothing kept,
    the invoice is cancelled as before (no supply remains) and the full refund's note documents the
    money returned.
    """
    record = records.record_get(event.record_type, event.record_id)
    if record is None or not records.record_is_cancelled(record):
        return
    starts_at = dt.datetime.fromisoformat(event.starts_at) if event.starts_at else None
    if isinstance(record, Appointment) and cancellation_settle(
        record, cancelled_by=event.cancelled_by, starts_at=starts_at
    ):
        return
    invoices_cancel_for_record(
        reference_type=event.record_type,
        reference_number=event.record_id,
        reason=f"The {event.record_type} was cancelled",
    )


def invoice_date_on_record_rescheduled(event: RecordRescheduled) -> None:
    """A paid record's scheduled date is its invoice's effective date, so revenue by day follows the
    schedule (§3.8); unpaid records have no invoice yet (it is dated by the schedule when issued)."""
    if not event.is_paid:
        return
    record = records.record_get(event.record_type, event.record_id)
    if record is None or record.payment_status != PaymentStatus.PAID or not record.scheduled_date:
        return
    invoice_effective_date_update(
        reference_type=event.record_type, reference_number=event.record_id, scheduled_date=record.scheduled_date
    )
