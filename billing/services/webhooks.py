"""Stripe's webhook events: each event id processed once, and a paid record never moved backwards."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from autolab import clock, events
from autolab.exceptions import ValidationError
from autolab.workflow import PaymentStatus
from billing import keys, records, stripe_api
from billing.adjustments.refunds import stripe_refunds_reconcile
from billing.invoices.lifecycle import invoices_cancel_for_record
from billing.selectors import payment_get
from billing.services.payments import payment_cancelled_notify
from billing.services.stripe_payments import PAYABLE_FROM, intent_check_pays, payment_set_status, stripe_mark_paid

logger = logging.getLogger(__name__)

EventObject = dict[str, Any]


def stripe_webhook_handle(*, payload: bytes, signature: str | None) -> bool:
    """Verify and process one delivery; False when its event id was processed already."""
    event = stripe_api.event_construct(payload, signature)
    if not keys.event_claim(event["id"]):
        return False
    handler = _WEBHOOK_HANDLERS.get(event.get("type", ""))
    try:
        if handler is not None:
            handler(event["data"]["object"])
    except Exception:
        keys.event_release(event["id"])  # let Stripe's retry process it again
        raise
    return True


def _on_succeeded(obj: EventObject) -> None:
    payment = payment_get(obj["id"])
    if payment is None:
        logger.warning("Stripe succeeded for unknown intent %s", obj["id"])
        return
    intent = stripe_api.event_intent(obj)
    record = records.record_get(payment.type, payment.reference_number)
    if record is None or record.payment_status == PaymentStatus.PAID:
        payment_set_status(payment, PaymentStatus.PAID, only_from=PAYABLE_FROM)
        return
    try:
        intent_check_pays(intent, record)
        stripe_mark_paid(payment, intent)
    except ValidationError as error:  # not this record's intent, or short-paid: leave it unpaid
        logger.warning("Stripe intent %s not applied: %s", intent.id, error.message)


def _on_unsuccessful(status: PaymentStatus) -> Callable[[EventObject], None]:
    def handle(obj: EventObject) -> None:
        payment = payment_get(obj["id"])
        if payment is None:
            return
        payment_set_status(payment, status, only_from=(PaymentStatus.PENDING, PaymentStatus.FAILED))
        record = records.record_get(payment.type, payment.reference_number)
        if record is None or record.payment_intent_id != payment.payment_intent_id:
            return
        model = type(record)
        rule = (model.payment_status != PaymentStatus.PAID) & (model.payment_intent_id == payment.payment_intent_id)
        changed = records.record_set_if(
            record, [model.payment_status.set(status), model.updated_at.set(clock.epoch_now())], rule
        )
        if changed and status == PaymentStatus.CANCELLED:
            payment_cancelled_notify(
                record, "stripe", "Stripe payment was cancelled", [], f"canceled:{payment.payment_intent_id}"
            )

    return handle


def _on_refund(obj: EventObject) -> None:
    """refund.created / refund.updated: Stripe's list for the intent is the truth, read whole."""
    stripe_refunds_reconcile(obj["payment_intent"])


def _on_refunded(obj: EventObject) -> None:
    intent_id = obj.get("payment_intent")
    payment = payment_get(intent_id) if isinstance(intent_id, str) else None
    if payment is None:
        return
    if stripe_refunds_reconcile(payment.payment_intent_id):
        return  # each refund recorded with its adjustment note; a full one marked the record refunded
    # Stripe lists no refund (an event without one): the whole payment was returned.
    payment_set_status(payment, PaymentStatus.REFUNDED, only_from=(PaymentStatus.PAID, PaymentStatus.PENDING))
    record = records.record_get(payment.type, payment.reference_number)
    if record is None or record.payment_intent_id != intent_id:
        return
    model = type(record)
    rule = (model.payment_status == PaymentStatus.PAID) & (model.payment_intent_id == intent_id)
    if records.record_set_if(
        record, [model.payment_status.set(PaymentStatus.REFUNDED), model.updated_at.set(clock.epoch_now())], rule
    ):
        cancelled = invoices_cancel_for_record(
            reference_type=payment.type, reference_number=payment.reference_number, reason="Payment was refunded"
        )
        keys.pending_clear(payment.type, payment.reference_number)
        records.release_hold(payment.type, payment.reference_number)
        payment_cancelled_notify(record, "stripe", "Payment was refunded", cancelled, f"refunded:{intent_id}")
        events.publish_to_staff(
            "payment.refunded", {**records.describe(record), "paymentStatus": PaymentStatus.REFUNDED}
        )


_WEBHOOK_HANDLERS: dict[str, Callable[[EventObject], None]] = {
    "payment_intent.succeeded": _on_succeeded,
    "payment_intent.payment_failed": _on_unsuccessful(PaymentStatus.FAILED),
    "payment_intent.canceled": _on_unsuccessful(PaymentStatus.CANCELLED),
    "charge.refunded": _on_refunded,
    "refund.created": _on_refund,
    "refund.updated": _on_refund,
}
