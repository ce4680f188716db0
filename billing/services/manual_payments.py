"""Staff-confirmed payments (cash, bank transfer, card terminal) and reverting a confirmed payment."""

from __future__ import annotations

from pynamodb.expressions.update import Action

from autolab import audit, clock, events
from autolab.exceptions import NotFound, ValidationError
from autolab.permissions import StaffIdentity
from autolab.workflow import PaymentStatus
from billing import keys, records
from billing.invoices.lifecycle import invoices_cancel_for_record
from billing.services.payments import MANUAL_METHODS, PaymentOutcome, payment_cancelled_notify, record_mark_paid

# Every field a payment set on the record, so a reverted record looks never paid.
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
_REVERT_REASON = "Payment was cancelled by staff"


def manual_payment_confirm(
    *, actor: StaffIdentity, record_type: str, reference_number: str, payment_method: str
) -> PaymentOutcome:
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
    if not record_mark_paid(record_type, reference_number, fields):
        raise ValidationError("Payment already confirmed for this record")
    audit.record(actor, "payment.confirm", record_type, reference_number, changes=_paid_change(record, fields))
    return PaymentOutcome(record_type, reference_number, PaymentStatus.PAID, payment_method=payment_method)


def manual_payment_revert(*, actor: StaffIdentity, record_type: str, reference_number: str) -> PaymentOutcome:
    """Undo a payment: every payment field cleared, the active invoice cancelled, no refund."""

    def allowed(record: records.Record) -> None:
        if record.payment_status != PaymentStatus.PAID:
            raise ValidationError("Payment is not confirmed, cannot revert")

    def actions(record: records.Record) -> list[Action]:
        model = type(record)
        now = clock.epoch_now()
        cleared = [getattr(model, name).remove() for name in _CLEARED_ON_REVERT]
        return [
            *cleared,
            model.payment_status.set(PaymentStatus.PENDING),
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
        condition=lambda model: model.payment_status == PaymentStatus.PAID,
    )
    audit.record(actor, "payment.revert", record_type, reference_number, audit.snapshot(before), audit.snapshot(record))
    keys.pending_clear(record_type, reference_number)
    records.release_hold(record_type, reference_number)
    cancelled = invoices_cancel_for_record(
        reference_type=record_type, reference_number=reference_number, reason=_REVERT_REASON
    )
    source = before or record
    payment_cancelled_notify(source, source.payment_method or "", _REVERT_REASON, cancelled, f"revert:{source.version}")
    events.publish_to_staff("payment.reverted", {**records.describe(record), "paymentStatus": PaymentStatus.PENDING})
    return PaymentOutcome(record_type, reference_number, PaymentStatus.PENDING, cancelled_invoices=cancelled)


def _paid_change(record: records.Record, fields: dict) -> dict[str, list]:
    """The audit entry's before -> after of a confirmed payment (the record as it was read), by the
    stored (camelCase) field names."""
    model = type(record)
    changed = {getattr(model, name).attr_name: [getattr(record, name, None), value] for name, value in fields.items()}
    return {"paymentStatus": [record.payment_status, PaymentStatus.PAID], **changed}
