"""Refunds: full or partial, never more than was paid less earlier refunds, each exactly once.

A refund's id comes from the request's idempotency key (or, for one made in Stripe's dashboard,
from Stripe's refund id), and the item is written create-only in one transaction with the
record's refunded total (BillingKeys ``refunded``/``<type>#<id>``, moved from the value read).
So a double click or a retried request finds the first refund, and two different requests racing
for the same money cannot both pass the limit. A card refund is written before Stripe is asked,
with its id in Stripe's metadata: the webhook that may overtake the answer finds it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from autolab import clock
from autolab.dynamodb import condition_failed, retry_on_conflict, transaction
from autolab.exceptions import Conflict, NotFound, ValidationError
from autolab.money import from_cents, money_display, to_cents
from autolab.workflow import PaymentStatus
from billing import keys, records, stripe_api
from billing.adjustments.numbering import NoteDraft, note_issue
from billing.models import AdjustmentNoteKind, BillingKey, Invoice, Refund, RefundMethod, RefundStatus
from billing.selectors import payment_get
from billing.services.stripe_payments import payment_set_status

logger = logging.getLogger(__name__)

REFUNDED = "refunded"  # BillingKeys kind: a record's refunded cents (pending and succeeded)
DASHBOARD = "stripe-dashboard"  # refundedBy of a refund made in Stripe's dashboard
_RETRIES = 10
_STRIPE_STATUS = {"succeeded": RefundStatus.SUCCEEDED, "failed": RefundStatus.FAILED, "canceled": RefundStatus.FAILED}


@dataclass(frozen=True)
class RefundRequest:
    record_type: str
    reference_number: str
    amount_cents: int | None  # None: all that is left to refund
    method: str  # a RefundMethod
    idempotency_key: str
    refunded_by: str
    notes: str = ""
    reason: str = ""


def refund_id_of(record_type: str, reference_number: str, idempotency_key: str) -> str:
    digest = hashlib.sha256(f"{record_type}#{reference_number}#{idempotency_key}".encode()).hexdigest()
    return f"RF-{digest[:20].upper()}"


def refunded_cents(record_type: str, reference_number: str) -> int:
    item = keys.key_get(REFUNDED, keys.reference_key(record_type, reference_number))
    return int(item.value or 0) if item else 0


def paid_cents(record: records.Record) -> int:
    return to_cents(record.payment_amount if record.payment_amount is not None else records.record_amount(record))


def _new_refund(request: RefundRequest, refund_id: str, intent_id: str, status: RefundStatus, amount: int) -> Refund:
    now = clock.epoch_now()
    day = clock.to_local(clock.from_epoch(now)).date()
    return Refund(
        refund_id=refund_id,
        reference_type=request.record_type,
        reference_number=request.reference_number,
        payment_intent_id=intent_id,
        amount_cents=amount,
        method=request.method,
        status=status,
        idempotency_key=request.idempotency_key,
        refunded_by=request.refunded_by,
        notes=request.notes or None,
        reason=request.reason or None,
        created_at=now,
        updated_at=now,
        effective_month=day.strftime("%Y-%m"),
        effective_day=day.isoformat(),
    )


def _move_total(write: TransactWrite, record_type: str, reference_number: str, current: int, delta: int) -> None:
    total = BillingKey(kind=REFUNDED, key=keys.reference_key(record_type, reference_number))
    rule = BillingKey.value == current if current else BillingKey.value.does_not_exist()
    write.update(total, actions=[BillingKey.value.set(current + delta)], condition=rule)


def _reserve(refund: Refund, limit_cents: int | None) -> tuple[Refund, bool]:
    """Write ``refund`` with the record's refunded total moved by its amount; (the refund, True),
    or the one already written under its id and False. ValidationError past ``limit_cents``."""

    def attempt() -> tuple[Refund, bool]:
        existing = Refund.get_or_none(refund.refund_id, consistent_read=True)
        if existing is not None:
            return existing, False
        current = refunded_cents(refund.reference_type, refund.reference_number)
        if limit_cents is not None and current + refund.amount_cents > limit_cents:
            settled = Refund.get_or_none(refund.refund_id, consistent_read=True)
            if settled is not None:  # its twin took the money between the two reads
                return settled, False
            left = max(limit_cents - current, 0)
            raise ValidationError(
                f"amount is more than is left to refund ({money_display(from_cents(left))} of this payment)"
            )
        with transaction() as write:
            _move_total(write, refund.reference_type, refund.reference_number, current, refund.amount_cents)
            write.save(refund, condition=Refund.refund_id.does_not_exist())
        return refund, True

    busy = Conflict("Another refund of this payment is being recorded; please try again")
    return retry_on_conflict(attempt, attempts=_RETRIES, or_raise=busy)


def _release(refund: Refund) -> None:
    """A failed refund gives its amount back to what may still be refunded (once: pending → failed)."""

    def attempt() -> None:
        current = refunded_cents(refund.reference_type, refund.reference_number)
        with transaction() as write:
            _move_total(write, refund.reference_type, refund.reference_number, current, -refund.amount_cents)
            write.update(
                refund,
                actions=[Refund.status.set(RefundStatus.FAILED), Refund.updated_at.set(clock.epoch_now())],
                condition=Refund.status == RefundStatus.PENDING,
            )

    try:
        retry_on_conflict(attempt, attempts=_RETRIES, or_raise=Conflict("refund release"))
    except Conflict:
        logger.info("Refund %s was already settled", refund.refund_id)


def refund_create(request: RefundRequest) -> Refund:
    """Refund part or all of a paid record (ADMIN; the caller checked the role)."""
    if request.method not in tuple(RefundMethod):
        raise ValidationError("method must be 'card', 'cash' or 'bank_transfer'")
    if request.amount_cents is not None and request.amount_cents <= 0:
        raise ValidationError("amount must be more than zero")
    record = records.record_get(request.record_type, request.reference_number)
    if record is None:
        raise NotFound(f"{request.record_type.capitalize()} not found")
    refund_id = refund_id_of(request.record_type, request.reference_number, request.idempotency_key)
    known = Refund.get_or_none(refund_id, consistent_read=True)
    if known is not None:  # a double click or a retried request
        if known.status == RefundStatus.SUCCEEDED and not known.adjustment_note_id:
            refund_settle(known)  # the first try stopped before its note: finish it
            return Refund.get(refund_id, consistent_read=True)
        return known
    _check_refundable(record, request.method)
    status = RefundStatus.PENDING if request.method == RefundMethod.CARD else RefundStatus.SUCCEEDED
    limit = paid_cents(record)
    amount = request.amount_cents or limit - refunded_cents(request.record_type, request.reference_number)
    if amount <= 0:
        # A repeat of a request that took what was left finds its refund; anything else is refused.
        done = Refund.get_or_none(refund_id, consistent_read=True)
        if done is not None:
            return done
        raise ValidationError("Nothing is left to refund on this payment")
    refund, wrote = _reserve(_new_refund(request, refund_id, record.payment_intent_id or "", status, amount), limit)
    if wrote and refund.method == RefundMethod.CARD:
        _ask_stripe(refund)
    elif wrote:
        refund_settle(refund)
    return Refund.get(refund.refund_id, consistent_read=True)


def _check_refundable(record: records.Record, method: str) -> None:
    if record.payment_status not in (PaymentStatus.PAID, PaymentStatus.REFUNDED):
        raise ValidationError("Only a paid record can be refunded")
    stripe_paid = record.payment_method == "stripe" and bool(record.payment_intent_id)
    if method == RefundMethod.CARD and not stripe_paid:
        raise ValidationError("A card refund needs a Stripe payment; record it as cash or bank_transfer")


def _ask_stripe(refund: Refund) -> None:
    try:
        answer = stripe_api.refund_create(
            intent_id=refund.payment_intent_id,
            amount_cents=refund.amount_cents,
            metadata={"refundId": refund.refund_id},
            idempotency_key=refund.refund_id,
        )
    except ValidationError:
        _release(refund)
        raise
    refund.update(actions=[Refund.stripe_refund_id.set(answer.id)])
    _apply_stripe_status(refund, answer.status)


def _apply_stripe_status(refund: Refund, stripe_status: str) -> None:
    status = _STRIPE_STATUS.get(stripe_status)
    if status == RefundStatus.SUCCEEDED:
        refund_settle(refund)
    elif status == RefundStatus.FAILED:
        _release(refund)


def refunds_without_note(*, older_than: int) -> list[Refund]:
    """Succeeded refunds of this month and the last that have no adjustment note: a process that
    stopped between the money going back and its note. Two Queries, however many refunds."""
    today = clock.business_today()
    months = {today.strftime("%Y-%m"), (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")}
    return [
        refund
        for month in sorted(months)
        for refund in Refund.month_index.query(
            month,
            filter_condition=(Refund.status == RefundStatus.SUCCEEDED)
            & Refund.adjustment_note_id.does_not_exist()
            & (Refund.updated_at < older_than),
        )
    ]


def refund_settle(refund: Refund) -> None:
    """The refund's money has gone back: mark it succeeded (once), issue its adjustment note, and
    when nothing is left mark the record and payment refunded. Safe to run again."""
    if refund.status == RefundStatus.PENDING:
        try:
            refund.update(
                actions=[Refund.status.set(RefundStatus.SUCCEEDED), Refund.updated_at.set(clock.epoch_now())],
                condition=Refund.status == RefundStatus.PENDING,
            )
        except UpdateError as error:  # settled (or failed) by a racing webhook or request
            if not condition_failed(error):
                raise
            refund = Refund.get(refund.refund_id, consistent_read=True)
            if refund.status != RefundStatus.SUCCEEDED:
                return
    note = _issue_note(refund)
    if refund.adjustment_note_id != note:
        refund.update(actions=[Refund.adjustment_note_id.set(note)])
    _mark_fully_refunded(refund)


def _issue_note(refund: Refund) -> str:
    from billing.adjustments.delivery import note_deliver  # the worker renders and emails it

    record = records.record_get(refund.reference_type, refund.reference_number)
    invoice = Invoice.get_or_none(record.invoice_id, consistent_read=True) if record and record.invoice_id else None
    contact = records.record_contact(record) if record else None
    note, wrote = note_issue(
        NoteDraft(
            source=refund.refund_id,
            kind=AdjustmentNoteKind.REFUND,
            invoice_id=invoice.invoice_id if invoice else "",
            invoice_number=invoice.invoice_number if invoice else None,
            reference_type=refund.reference_type,
            reference_number=refund.reference_number,
            payment_intent_id=refund.payment_intent_id,
            amount_cents=refund.amount_cents,
            reason=refund.reason or "Refund",
            issued_by=refund.refunded_by,
            refund_id=refund.refund_id,
            customer={"name": contact.name, "email": contact.email} if contact else None,
        )
    )
    if wrote:
        note_deliver(note.note_id)
    return note.note_id


def _mark_fully_refunded(refund: Refund) -> None:
    record = records.record_get(refund.reference_type, refund.reference_number)
    if record is None or refunded_cents(refund.reference_type, refund.reference_number) < paid_cents(record):
        return
    model = type(record)
    rule = model.payment_status == PaymentStatus.PAID
    records.record_set_if(
        record, [model.payment_status.set(PaymentStatus.REFUNDED), model.updated_at.set(clock.epoch_now())], rule
    )
    payment = payment_get(refund.payment_intent_id) if refund.payment_intent_id else None
    if payment is not None:
        payment_set_status(payment, PaymentStatus.REFUNDED, only_from=(PaymentStatus.PAID,))


def stripe_refunds_reconcile(intent_id: str) -> list[Refund]:
    """Bring every refund Stripe holds for ``intent_id`` into autolab: ours settle or fail, one made
    in Stripe's dashboard is recorded (with its note) under an id derived from Stripe's."""
    payment = payment_get(intent_id)
    if payment is None:
        return []
    seen = []
    for stripe_refund in stripe_api.refunds_of(intent_id):
        refund_id = stripe_refund.metadata.get("refundId") or f"RF-{stripe_refund.id}"
        refund = Refund.get_or_none(refund_id, consistent_read=True)
        if refund is None:
            refund = _record_dashboard_refund(payment.type, payment.reference_number, refund_id, stripe_refund)
        elif refund.stripe_refund_id is None:
            refund.update(actions=[Refund.stripe_refund_id.set(stripe_refund.id)])
        if refund.status == RefundStatus.PENDING:
            _apply_stripe_status(refund, stripe_refund.status)
        seen.append(refund)
    return seen


def _record_dashboard_refund(
    record_type: str, reference_number: str, refund_id: str, found: stripe_api.StripeRefund
) -> Refund:
    request = RefundRequest(
        record_type=record_type,
        reference_number=reference_number,
        amount_cents=found.amount,
        method=RefundMethod.CARD,
        idempotency_key=found.id,
        refunded_by=DASHBOARD,
        notes="Refunded in Stripe's dashboard",
        reason="Refund",
    )
    refund = _new_refund(request, refund_id, found.payment_intent, RefundStatus.PENDING, found.amount)
    refund.stripe_refund_id = found.id
    # Stripe has already returned the money: recorded even past autolab's limit (never refused).
    written, _ = _reserve(refund, limit_cents=None)
    return written
