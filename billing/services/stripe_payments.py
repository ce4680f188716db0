"""Stripe payments: an intent for the record's own price, and the customer's confirmation of it."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action

from autolab import clock
from autolab.dynamodb import condition_failed
from autolab.exceptions import NotFound, ValidationError
from autolab.money import from_cents, to_cents
from autolab.workflow import PaymentStatus
from billing import records, stripe_api
from billing.models import Payment
from billing.selectors import payment_get
from billing.services.payments import PaymentOutcome, record_mark_paid
from chat.selectors import customer_get

# A Payments row becomes paid from any of these: an intent that failed or was cancelled may still
# succeed on a later attempt.
PAYABLE_FROM = (PaymentStatus.PENDING, PaymentStatus.FAILED, PaymentStatus.CANCELLED)


@dataclass(frozen=True)
class IntentCreated:
    """A PaymentIntent made for one record, with what the website needs to collect it."""

    payment_intent_id: str
    client_secret: str | None
    amount_cents: int
    currency: str
    reference_number: str
    record_type: str


def _payable_record(record_type: str, record_id: str, user_id: str) -> records.Record:
    if customer_get(user_id) is None:
        raise NotFound("User not found")
    record = records.record_get(record_type, record_id)
    if record is None or record.created_user_id != user_id:
        raise NotFound(f"{record_type.capitalize()} not found")
    if record.payment_status == PaymentStatus.PAID:
        raise ValidationError("Payment already confirmed for this record")
    if records.record_is_cancelled(record):
        raise ValidationError(f"{record_type.capitalize()} is cancelled and cannot be paid")
    return record


def stripe_intent_create(
    *,
    user_id: str,
    reference_number: str,
    record_type: str,
    amount: int | None,
    currency: str,
    metadata: dict[str, str] | None = None,
) -> IntentCreated:
    """A PaymentIntent for the caller's own unpaid record, for exactly the record's price."""
    if currency.lower() != "aud":
        raise ValidationError("currency must be 'aud'")
    record = _payable_record(record_type, reference_number, user_id)
    expected = to_cents(records.record_amount(record))
    if amount is not None and amount != expected:
        raise ValidationError(f"amount must be {expected} cents, the price of this {record_type}")
    intent_metadata = {**(metadata or {}), "userId": user_id, "referenceNumber": reference_number, "type": record_type}
    intent = stripe_api.intent_create(
        amount_cents=expected, currency="aud", metadata=intent_metadata, idempotency_key=uuid.uuid4().hex
    )
    _payment_save(intent, record_type, reference_number, user_id, intent_metadata)
    _record_attach_intent(record_type, reference_number, intent.id)
    return IntentCreated(intent.id, intent.client_secret, expected, "aud", reference_number, record_type)


def _payment_save(intent: stripe_api.Intent, record_type: str, record_id: str, user_id: str, meta: dict) -> None:
    now = clock.epoch_now()
    payment = Payment(
        payment_intent_id=intent.id,
        reference_number=record_id,
        type=record_type,
        user_id=user_id,
        amount=from_cents(intent.amount),
        currency="AUD",
        status=PaymentStatus.PENDING,
        metadata=json.dumps(meta),
        created_at=now,
        updated_at=now,
    )
    try:
        payment.save(condition=Payment.payment_intent_id.does_not_exist())
    except PutError:
        stripe_api.intent_cancel(intent.id)
        raise


def _record_attach_intent(record_type: str, record_id: str, intent_id: str) -> None:
    def allowed(record: records.Record) -> None:
        if record.payment_status == PaymentStatus.PAID:
            raise ValidationError("Payment already confirmed for this record")

    records.record_update(
        record_type,
        record_id,
        allowed=allowed,
        actions=lambda r: [
            type(r).payment_intent_id.set(intent_id),
            type(r).payment_status.set(PaymentStatus.PENDING),
            type(r).updated_at.set(clock.epoch_now()),
        ],
        condition=lambda model: model.payment_status != PaymentStatus.PAID,
    )


def intent_check_pays(intent: stripe_api.Intent, record: records.Record) -> None:
    """Refuse an intent that has not succeeded, or did not bring in the record's full price."""
    if intent.status != "succeeded":
        raise ValidationError("Payment has not been completed successfully")
    if intent.currency != "aud" or intent.amount_received < to_cents(records.record_amount(record)):
        raise ValidationError("The amount received does not match the price of this record")


def stripe_mark_paid(payment: Payment, intent: stripe_api.Intent) -> bool:
    """Mark the payment's record paid by ``intent``; False when it was paid already."""
    fields = {
        "payment_method": "stripe",
        "paid_at": clock.epoch_now(),
        "payment_amount": from_cents(intent.amount_received),
    }
    marked = record_mark_paid(payment.type, payment.reference_number, fields, intent_id=intent.id)
    payment_set_status(
        payment,
        PaymentStatus.PAID,
        only_from=PAYABLE_FROM,
        receipt_url=_text_or_none(stripe_api.receipt_url(intent)),
        stripe_payment_method_id=_text_or_none(intent.payment_method),
    )
    return marked


def _text_or_none(value: Any) -> str | None:
    return value[:2048] if isinstance(value, str) else None


def payment_set_status(
    payment: Payment, status: PaymentStatus, *, only_from: tuple[PaymentStatus, ...], **extra: str | None
) -> bool:
    """Move the payment to ``status`` if it is in ``only_from``; ``extra`` fields set when given."""
    actions: list[Action] = [Payment.status.set(status), Payment.updated_at.set(clock.epoch_now())]
    actions += [getattr(Payment, name).set(value) for name, value in extra.items() if value]
    try:
        payment.update(actions=actions, condition=Payment.status.is_in(*only_from))
    except UpdateError as error:
        if not condition_failed(error):
            raise
        return False
    return True


def stripe_payment_confirm(*, payment_intent_id: str) -> PaymentOutcome:
    """Confirm a succeeded intent for the record's full price; a second call is a no-op."""
    intent = stripe_api.intent_retrieve(payment_intent_id)
    if intent.status != "succeeded":
        raise ValidationError("Payment has not been completed successfully")
    payment = payment_get(payment_intent_id)
    if payment is None:
        raise NotFound("Payment not found")
    record = records.record_get(payment.type, payment.reference_number)
    if record is None:
        raise NotFound(f"{payment.type.capitalize()} not found")
    already = PaymentOutcome(payment.type, payment.reference_number, PaymentStatus.PAID, already_paid=True)
    if record.payment_status == PaymentStatus.PAID:
        return already
    if record.payment_intent_id != payment_intent_id:
        raise ValidationError("Payment intent ID does not match record")
    intent_check_pays(intent, record)
    if not stripe_mark_paid(payment, intent):
        return already
    return PaymentOutcome(payment.type, payment.reference_number, PaymentStatus.PAID)
