"""Marking a record paid, the one transition every payment method goes through, and what follows.

A record is marked paid once, by a conditional write in the same transaction as its "pending
invoice" marker; the invoice itself is produced by the worker (billing.tasks) and, should the
enqueue be lost, by the periodic reconciler.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from autolab import clock, events
from autolab.dynamodb import retry_on_conflict, transaction
from autolab.exceptions import Conflict, NotFound, ValidationError
from autolab.money import money_str
from autolab.workflow import PaymentStatus
from billing import keys, records, tasks
from bookings import reservations
from bookings.models import Appointment
from emails.services import email_customer

logger = logging.getLogger(__name__)

MANUAL_METHODS = ("cash", "bank_transfer", "card")
METHOD_NAMES = {"cash": "Cash", "bank_transfer": "Bank Transfer", "card": "Card", "stripe": "Stripe"}
# Each retry follows a concurrent write that only moved the record's version.
_MARK_RETRIES = 5


@dataclass(frozen=True)
class PaymentOutcome:
    """Where a record's payment stands after a payment service (the API and portal word it)."""

    record_type: str
    reference_number: str
    payment_status: PaymentStatus
    payment_method: str = ""
    already_paid: bool = False  # a repeated confirmation: nothing changed
    cancelled_invoices: list[str] = field(default_factory=list)


def _enqueue_invoice(reference_type: str, reference_number: str) -> None:
    """Hand invoice generation to the worker; a lost enqueue is recovered by the reconciler."""
    try:
        tasks.invoice_generate_task.delay(reference_type, reference_number)
    except Exception:  # broker down: the pending marker makes the reconciler pick it up
        logger.exception("Could not enqueue the invoice of %s %s", reference_type, reference_number)


def _announce_paid(record: records.Record, method: str) -> None:
    payload = {**records.describe(record), "paymentStatus": PaymentStatus.PAID, "paymentMethod": method}
    events.publish_to_staff("payment.confirmed", payload)
    message = {
        "type": payload["type"],
        "subtype": "payment-status",
        "success": True,
        "referenceNumber": payload["referenceNumber"],
        "paymentStatus": PaymentStatus.PAID,
    }
    # The website handles {"type": "appointment" | "order", "subtype": "payment-status"} only (§3.6).
    events.publish(events.customer_group(record.created_user_id), message["type"], message)


def record_mark_paid(record_type: str, record_id: str, fields: dict[str, Any], intent_id: str | None = None) -> bool:
    """Mark the record paid with ``fields``; False when it was paid already (by anyone).

    The paid check, the cancellation check and (for Stripe) "this is the record's current intent"
    are conditions of the write itself, together with the version, so racing confirmations and
    webhooks produce exactly one transition.
    """
    model = records.record_model(record_type)

    def attempt() -> records.Record | None:  # a conflict re-reads: someone paid it, or only the version moved
        record = records.record_get(record_type, record_id)
        if record is None:
            raise NotFound(f"{record_type.capitalize()} not found")
        if record.payment_status == PaymentStatus.PAID:
            return None
        if records.record_is_cancelled(record):
            raise ValidationError(f"Cannot confirm payment for cancelled {record_type}")
        if intent_id is not None and record.payment_intent_id != intent_id:
            raise ValidationError("Payment intent ID does not match record")
        rule = (model.payment_status != PaymentStatus.PAID) & (model.status != records.cancelled_status(model))
        if intent_id is not None:
            rule &= model.payment_intent_id == intent_id
        actions = [getattr(model, name).set(value) for name, value in fields.items()]
        actions += [model.payment_status.set(PaymentStatus.PAID), model.updated_at.set(clock.epoch_now())]
        if isinstance(record, Appointment):  # paying holds its first choice (bookings.reservations)
            marker = keys.pending_marker(record_type, record_id)
            hold = reservations.payment_hold(record)
            reservations.commit_payment(record, actions, condition=rule, puts=[marker], hold=hold)
        else:
            with transaction() as write:
                write.update(record, actions=actions, condition=rule)
                write.save(keys.pending_marker(record_type, record_id))
        return record

    changed = Conflict("The record changed while it was being paid; please try again")
    record = retry_on_conflict(attempt, attempts=_MARK_RETRIES, or_raise=changed)
    if record is None:
        return False
    _announce_paid(record, fields.get("payment_method", ""))
    _enqueue_invoice(record_type, record_id)
    return True


def payment_cancelled_notify(
    record: records.Record, method: str, reason: str, cancelled: list[str], event_key: str
) -> None:
    """Email the customer that the record's payment was cancelled (once per ``event_key``)."""
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
