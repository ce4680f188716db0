"""The cancellation policy of a paid appointment: a fee may be kept, the rest is refunded.

The rule is ``cancellation_fee_cents`` alone (settings CANCELLATION_FREE_HOURS, CANCELLATION_FEE_CENTS,
CANCELLATION_FEE_PERCENT); ``cancellation_settle`` applies it once per payment, whatever the number of
times the cancellation is retried: the refund's idempotency key comes from the appointment and its
invoice, so a retried reaction (or a doubled cancel) finds the refund already made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from autolab import clock
from autolab.workflow import PaymentStatus
from billing.adjustments.refunds import RefundRequest, paid_cents, refund_create, refund_id_of, refunded_cents
from billing.models import Refund, RefundMethod
from bookings.models import Appointment

SYSTEM = "cancellation-policy"  # refundedBy when the cancel came with no staff member (a retry of old events)


@dataclass(frozen=True)
class CancellationPolicy:
    free_hours: int
    fee_cents: int
    fee_percent: Decimal

    @classmethod
    def from_settings(cls) -> CancellationPolicy:
        return cls(
            free_hours=settings.CANCELLATION_FREE_HOURS,
            fee_cents=settings.CANCELLATION_FEE_CENTS,
            fee_percent=Decimal(str(settings.CANCELLATION_FEE_PERCENT)),
        )


def cancellation_fee_cents(
    policy: CancellationPolicy, *, paid: int, starts_at: dt.datetime | None, cancelled_at: dt.datetime
) -> int:
    """What is kept of ``paid`` cents: nothing for an unscheduled job or one cancelled at least
    ``free_hours`` before its start; otherwise the fixed fee plus the percentage (as pretix adds
    them), never more than was paid."""
    if starts_at is None or starts_at - cancelled_at >= dt.timedelta(hours=policy.free_hours):
        return 0
    share = (Decimal(paid) * policy.fee_percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(0, min(paid, policy.fee_cents + int(share)))


def _method_of(appointment: Appointment) -> str:
    if appointment.payment_method == "stripe" and appointment.payment_intent_id:
        return RefundMethod.CARD
    if appointment.payment_method == RefundMethod.BANK_TRANSFER:
        return RefundMethod.BANK_TRANSFER
    return RefundMethod.CASH


def cancellation_key(appointment: Appointment) -> str:
    # The invoice tells one payment from a later one (cancelled, reopened, paid again, cancelled).
    return f"cancellation:{appointment.appointment_id}:{appointment.invoice_id or ''}"


def cancellation_settle(appointment: Appointment, *, cancelled_by: str, starts_at: dt.datetime | None) -> int:
    """Refund a cancelled paid appointment (scheduled to start at ``starts_at``) less its fee; the fee
    kept (cents). Idempotent."""
    if appointment.payment_status != PaymentStatus.PAID:
        return 0
    paid = paid_cents(appointment)
    fee = cancellation_fee_cents(
        CancellationPolicy.from_settings(), paid=paid, starts_at=starts_at, cancelled_at=clock.now()
    )
    key = cancellation_key(appointment)
    if Refund.get_or_none(refund_id_of("appointment", appointment.appointment_id, key), consistent_read=True):
        return fee  # a retried or doubled cancel: its refund is made
    amount = paid - fee - refunded_cents("appointment", appointment.appointment_id)
    if amount <= 0:
        return fee  # what was already refunded by hand covers it
    refund_create(
        RefundRequest(
            record_type="appointment",
            reference_number=appointment.appointment_id,
            amount_cents=amount,
            method=_method_of(appointment),
            idempotency_key=key,
            refunded_by=cancelled_by or SYSTEM,
            notes="Refunded on cancellation" + (f" (fee kept: {fee / 100:.2f})" if fee else ""),
            reason="Cancellation" if not fee else "Cancellation, less the cancellation fee",
        )
    )
    return fee
