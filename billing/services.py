"""Payments: Stripe intents, confirmation and webhooks, and staff-confirmed cash/bank/card.

A record is marked paid once, by a conditional write in the same transaction as its "pending
invoice" marker; the invoice itself is produced by the worker (billing.tasks) and, should the
enqueue be lost, by the periodic reconciler.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError

from autolab import clock, events
from autolab.dynamodb import transaction
from autolab.exceptions import Conflict, NotFound, ValidationError
from autolab.money import from_cents, money_str, to_cents
from autolab.permissions import StaffIdentity
from billing import invoices, keys, records, stripe_api
from billing.models import Payment
from bookings import reservations
from bookings.models import Appointment
from chat.emails.services import email_customer
from chat.selectors import customer_get

logger = logging.getLogger(__name__)

MANUAL_METHODS = ("cash", "bank_transfer", "card")
METHOD_NAMES = {"cash": "Cash", "bank_transfer": "Bank Transfer", "card": "Card", "stripe": "Stripe"}
_MARK_RETRIES = 5


def _enqueue_invoice(reference_type: str, reference_number: str) -> None:
    """Hand invoice generation to the worker; a lost enqueue is recovered by the reconciler."""
    from billing.tasks import invoice_generate_task

    try:
        invoice_generate_task.delay(reference_type, reference_number)
    except Exception:  # broker down: the pending marker makes the reconciler pick it up
        logger.exception("Could not enqueue the invoice of %s %s", reference_type, reference_number)


def _announce_paid(record: records.Record, method: str) -> None:
    payload = {**records.describe(record), "paymentStatus": "paid", "paymentMethod": method}
    events.publish_to_staff("payment.confirmed", payload)
    message = {
        "type": payload["type"],
        "subtype": "payment-status",
        "success": True,
        "referenceNumber": payload["referenceNumber"],
        "paymentStatus": "paid",
    }
    # The website handles {"type": "appointment" | "order", "subtype": "payment-status"} only (§3.6).
    events.publish(events.customer_group(record.created_user_id), message["type"], message)


def _mark_paid(record_type: str, record_id: str, fields: dict[str, Any], intent_id: str | None = None) -> bool:
    """Mark the record paid with ``fields``; False when it was paid already (by anyone).

    The paid check, the cancellation check and (for Stripe) "this is the record's current intent"
    are conditions of the write itself, together with the version, so racing confirmations and
    webhooks produce exactly one transition.
    """
    model = records.record_model(record_type)
    for _ in range(_MARK_RETRIES):
        record = records.record_get(record_type, record_id)
        if record is None:
            raise NotFound(f"{record_type.capitalize()} not found")
        if record.payment_status == "paid":
            return False
        if records.record_is_cancelled(record):
            raise ValidationError(f"Cannot confirm payment for cancelled {record_type}")
        if intent_id is not None and record.payment_intent_id != intent_id:
            raise ValidationError("Payment intent ID does not match record")
        rule = (model.payment_status != "paid") & (model.status != "CANCELLED")
        if intent_id is not None:
            rule &= model.payment_intent_id == intent_id
        actions = [getattr(model, name).set(value) for name, value in fields.items()]
        actions += [model.payment_status.set("paid"), model.updated_at.set(clock.epoch_now())]
        try:
            if isinstance(record, Appointment):  # paying holds its first choice (bookings.reservations)
                marker = keys.pending_marker(record_type, record_id)
                hold = reservations.payment_hold(record)
                reservations.commit_payment(record, actions, condition=rule, puts=[marker], hold=hold)
            else:
                with transaction() as write:
                    write.update(record, actions=actions, condition=rule)
                    write.save(keys.pending_marker(record_type, record_id))
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            continue  # re-read: either someone paid it, or only the version moved
        _announce_paid(record, fields.get("payment_method", ""))
        _enqueue_invoice(record_type, record_id)
        return True
    raise Conflict("The record changed while it was being paid; please try again")


# --- Stripe -------------------------------------------------------------------------------------


def _payable_record(record_type: str, record_id: str, user_id: str) -> records.Record:
    if customer_get(user_id) is None:
        raise NotFound("User not found")
    record = records.record_get(record_type, record_id)
    if record is None or record.created_user_id != user_id:
        raise NotFound(f"{record_type.capitalize()} not found")
    if record.payment_status == "paid":
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
) -> dict[str, Any]:
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
    return {
        "message": "Payment intent created successfully",
        "clientSecret": intent.client_secret,
        "paymentIntentId": intent.id,
        "amount": expected,
        "currency": "aud",
        "referenceNumber": reference_number,
        "type": record_type,
    }


def _payment_save(intent: stripe_api.Intent, record_type: str, record_id: str, user_id: str, meta: dict) -> None:
    now = clock.epoch_now()
    payment = Payment(
        payment_intent_id=intent.id,
        reference_number=record_id,
        type=record_type,
        user_id=user_id,
        amount=from_cents(intent.amount),
        currency="AUD",
        status="pending",
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
        if record.payment_status == "paid":
            raise ValidationError("Payment already confirmed for this record")

    records.record_update(
        record_type,
        record_id,
        allowed=allowed,
        actions=lambda r: [
            type(r).payment_intent_id.set(intent_id),
            type(r).payment_status.set("pending"),
            type(r).updated_at.set(clock.epoch_now()),
        ],
        condition=lambda model: model.payment_status != "paid",
    )


def payment_get(intent_id: str) -> Payment | None:
    try:
        return Payment.get(intent_id, consistent_read=True)
    except Payment.DoesNotExist:
        return None


def _check_intent_pays(intent: stripe_api.Intent, record: records.Record) -> None:
    if intent.status != "succeeded":
        raise ValidationError("Payment has not been completed successfully")
    if intent.currency != "aud" or intent.amount_received < to_cents(records.record_amount(record)):
        raise ValidationError("The amount received does not match the price of this record")


def _stripe_mark_paid(payment: Payment, intent: stripe_api.Intent) -> bool:
    fields = {
        "payment_method": "stripe",
        "paid_at": clock.epoch_now(),
        "payment_amount": from_cents(intent.amount_received),
    }
    marked = _mark_paid(payment.type, payment.reference_number, fields, intent_id=intent.id)
    _payment_set_status(
        payment,
        "paid",
        only_from=("pending", "failed", "cancelled"),
        receipt_url=_text_or_none(stripe_api.receipt_url(intent)),
        stripe_payment_method_id=_text_or_none(intent.payment_method),
    )
    return marked


def _text_or_none(value: Any) -> str | None:
    return value[:2048] if isinstance(value, str) else None


def _payment_set_status(payment: Payment, status: str, *, only_from: tuple[str, ...], **extra: Any) -> bool:
    actions = [Payment.status.set(status), Payment.updated_at.set(clock.epoch_now())]
    actions += [getattr(Payment, name).set(value) for name, value in extra.items() if value]
    try:
        payment.update(actions=actions, condition=Payment.status.is_in(*only_from))
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def stripe_payment_confirm(*, payment_intent_id: str) -> dict[str, Any]:
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
    already = {
        "message": "Payment already confirmed for this record",
        "referenceNumber": payment.reference_number,
        "type": payment.type,
        "paymentStatus": "paid",
    }
    if record.payment_status == "paid":
        return already
    if record.payment_intent_id != payment_intent_id:
        raise ValidationError("Payment intent ID does not match record")
    _check_intent_pays(intent, record)
    if not _stripe_mark_paid(payment, intent):
        return already
    return {
        "message": "Payment confirmed successfully",
        "referenceNumber": payment.reference_number,
        "type": payment.type,
        "paymentStatus": "paid",
        "invoiceUrl": None,
        "updatedAt": clock.iso_local(),
    }


# --- Stripe webhook -----------------------------------------------------------------------------


def stripe_webhook_handle(*, payload: bytes, signature: str | None) -> dict[str, Any]:
    """Verify, process each event id once, and never move a paid record backwards."""
    event = stripe_api.event_construct(payload, signature)
    if not keys.event_claim(event["id"]):
        return {"message": "Webhook processed successfully", "duplicate": True}
    handler = _WEBHOOK_HANDLERS.get(event.get("type", ""))
    try:
        if handler is not None:
            handler(event["data"]["object"])
    except Exception:
        keys.event_release(event["id"])  # let Stripe's retry process it again
        raise
    return {"message": "Webhook processed successfully"}


def _on_succeeded(obj: dict[str, Any]) -> None:
    payment = payment_get(obj["id"])
    if payment is None:
        logger.warning("Stripe succeeded for unknown intent %s", obj["id"])
        return
    intent = stripe_api.Intent(
        id=obj["id"],
        status=obj.get("status", ""),
        amount=int(obj.get("amount") or 0),
        amount_received=int(obj.get("amount_received") or 0),
        currency=(obj.get("currency") or "").lower(),
        client_secret=None,
        payment_method=obj.get("payment_method"),
        metadata=obj.get("metadata") or {},
        **stripe_api.charge_fields(obj),
    )
    record = records.record_get(payment.type, payment.reference_number)
    if record is None or record.payment_status == "paid":
        _payment_set_status(payment, "paid", only_from=("pending", "failed", "cancelled"))
        return
    try:
        _check_intent_pays(intent, record)
        _stripe_mark_paid(payment, intent)
    except ValidationError as error:  # not this record's intent, or short-paid: leave it unpaid
        logger.warning("Stripe intent %s not applied: %s", intent.id, error.message)


def _on_unsuccessful(status: str) -> Any:
    def handle(obj: dict[str, Any]) -> None:
        payment = payment_get(obj["id"])
        if payment is None:
            return
        _payment_set_status(payment, status, only_from=("pending", "failed"))
        record = records.record_get(payment.type, payment.reference_number)
        if record is None or record.payment_intent_id != payment.payment_intent_id:
            return
        model = type(record)
        rule = (model.payment_status != "paid") & (model.payment_intent_id == payment.payment_intent_id)
        changed = records.record_set_if(
            record, [model.payment_status.set(status), model.updated_at.set(clock.epoch_now())], rule
        )
        if changed and status == "cancelled":
            _notify_cancelled(
                record, "stripe", "Stripe payment was cancelled", [], f"canceled:{payment.payment_intent_id}"
            )

    return handle


def _on_refunded(obj: dict[str, Any]) -> None:
    intent_id = obj.get("payment_intent")
    payment = payment_get(intent_id) if isinstance(intent_id, str) else None
    if payment is None:
        return
    _payment_set_status(payment, "refunded", only_from=("paid", "pending"))
    record = records.record_get(payment.type, payment.reference_number)
    if record is None or record.payment_intent_id != intent_id:
        return
    model = type(record)
    rule = (model.payment_status == "paid") & (model.payment_intent_id == intent_id)
    if records.record_set_if(
        record, [model.payment_status.set("refunded"), model.updated_at.set(clock.epoch_now())], rule
    ):
        cancelled = invoices.invoices_cancel_for_record(
            reference_type=payment.type, reference_number=payment.reference_number, reason="Payment was refunded"
        )
        keys.pending_clear(payment.type, payment.reference_number)
        records.release_hold(payment.type, payment.reference_number)
        _notify_cancelled(record, "stripe", "Payment was refunded", cancelled, f"refunded:{intent_id}")
        events.publish_to_staff("payment.refunded", {**records.describe(record), "paymentStatus": "refunded"})


_WEBHOOK_HANDLERS = {
    "payment_intent.succeeded": _on_succeeded,
    "payment_intent.payment_failed": _on_unsuccessful("failed"),
    "payment_intent.canceled": _on_unsuccessful("cancelled"),
    "charge.refunded": _on_refunded,
}


# --- staff-confirmed payments -------------------------------------------------------------------


def manual_payment_confirm(
    *, actor: StaffIdentity, record_type: str, reference_number: str, payment_method: str
) -> dict[str, Any]:
    """Staff confirm cash, bank transfer or card, recording who and when, for the full price."""
    if payment_method not in MANUAL_METHODS:
        raise ValidationError("paymentMethod must be 'cash', 'bank_transfer' or 'card'")
    record = records.record_get(record_type, reference_number)
    if record is None:
        raise NotFound(f"{record_type.capitalize()} not found")
    fields = {
        "payment_method": payment_method,
        "payment_confirmed_by": actor.user_id,
        "payment_confirmed_at": clock.epoch_now(),
        "payment_amount": records.record_amount(record),
    }
    if not _mark_paid(record_type, reference_number, fields):
        raise ValidationError("Payment already confirmed for this record")
    return {
        "message": f"{METHOD_NAMES[payment_method]} payment confirmed successfully",
        "referenceNumber": reference_number,
        "type": record_type,
        "paymentMethod": payment_method,
        "paymentStatus": "paid",
    }


_CLEARED_ON_REVERT = (
    "payment_method",
    "payment_confirmed_by",
    "payment_confirmed_at",
    "payment_intent_id",
    "payment_amount",
    "paid_at",
    "invoice_id",
    "invoice_url",
)


def manual_payment_revert(*, actor: StaffIdentity, record_type: str, reference_number: str) -> dict[str, Any]:
    """Undo a payment: every payment field cleared, the active invoice cancelled, no refund."""

    def allowed(record: records.Record) -> None:
        if record.payment_status != "paid":
            raise ValidationError("Payment is not confirmed, cannot revert")

    def actions(record: records.Record) -> list:
        model = type(record)
        now = clock.epoch_now()
        cleared = [getattr(model, name).remove() for name in _CLEARED_ON_REVERT]
        return [
            *cleared,
            model.payment_status.set("pending"),
            model.payment_reverted_by.set(actor.user_id),
            model.payment_reverted_at.set(now),
            model.updated_at.set(now),
        ]

    before = records.record_get(record_type, reference_number)
    record = records.record_update(
        record_type,
        reference_number,
        allowed=allowed,
        actions=actions,
        condition=lambda model: model.payment_status == "paid",
    )
    keys.pending_clear(record_type, reference_number)
    records.release_hold(record_type, reference_number)
    cancelled = invoices.invoices_cancel_for_record(
        reference_type=record_type, reference_number=reference_number, reason="Payment was cancelled by staff"
    )
    source = before or record
    reason = "Payment was cancelled by staff"
    _notify_cancelled(source, source.payment_method or "", reason, cancelled, f"revert:{source.version}")
    events.publish_to_staff("payment.reverted", {**records.describe(record), "paymentStatus": "pending"})
    return {
        "message": "Payment confirmation reverted successfully",
        "referenceNumber": reference_number,
        "type": record_type,
        "paymentStatus": "pending",
        "cancelledInvoices": cancelled,
    }


def _notify_cancelled(record: records.Record, method: str, reason: str, cancelled: list[str], event_key: str) -> None:
    contact = records.record_contact(record)
    if "@" not in contact.email:
        return
    reference = records.record_id_of(record)
    context = {
        "referenceNumber": reference,
        "amount": money_str(records.record_amount(record)),
        "paymentMethod": METHOD_NAMES.get(method, method),
        "cancellationDate": clock.business_today().strftime("%d/%m/%Y"),
        "cancellationReason": reason,
        "cancelledInvoiceId": cancelled[0] if cancelled else None,
    }
    email_customer(
        email_type="payment_cancelled",
        to_email=contact.email,
        to_name=contact.name,
        context=context,
        dedupe_key=f"payment_cancelled:{reference}:{event_key}",
    )
