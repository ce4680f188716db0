"""Gap-free adjustment-note numbers: their own counter, moved in the transaction that writes the
note (the technique of billing.invoices.numbering), so a lost race never burns a number. The same
transaction adds the note's amount to its invoice's ``adjustedCents``, which analytics reads.

A note's id is derived from what it adjusts (a refund, or an invoice's cancellation), so issuing
the note of the same event twice finds the first one instead of writing a second."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from autolab import clock
from autolab.dynamodb import retry_on_conflict, transaction
from autolab.exceptions import Conflict
from autolab.money import from_cents, to_cents
from autolab.money import gst_of as gst_in
from billing import keys
from billing.models import AdjustmentNote, BillingKey, Invoice

ISSUE_RETRIES = 20  # as invoices: each retry follows a lost race for the next number


@dataclass(frozen=True)
class NoteDraft:
    """What an adjustment note says, before it has a number."""

    source: str  # the refund id, or "cancel-<invoiceId>": one note per source
    kind: str  # an AdjustmentNoteKind
    invoice_id: str
    invoice_number: int | None
    reference_type: str
    reference_number: str
    payment_intent_id: str
    amount_cents: int
    reason: str
    issued_by: str
    refund_id: str | None = None
    customer: dict[str, str] | None = None


def gst_of(amount_cents: int) -> int:
    """The GST in a GST-inclusive amount (one eleventh), rounded as invoices round it; none for a
    business not registered for GST, whose invoices charged none."""
    if not settings.GST_REGISTERED:
        return 0
    return to_cents(gst_in(from_cents(amount_cents)))


def note_id_of(source: str) -> str:
    return f"AN-{source}"


def _note_item(draft: NoteDraft, number: int) -> AdjustmentNote:
    now = clock.epoch_now()
    day: dt.date = clock.to_local(clock.from_epoch(now)).date()
    return AdjustmentNote(
        note_id=note_id_of(draft.source),
        note_number=number,
        kind=draft.kind,
        invoice_id=draft.invoice_id,
        invoice_number=draft.invoice_number,
        reference_type=draft.reference_type,
        reference_number=draft.reference_number,
        payment_intent_id=draft.payment_intent_id,
        refund_id=draft.refund_id,
        amount_cents=draft.amount_cents,
        gst_cents=gst_of(draft.amount_cents),
        reason=draft.reason,
        issued_by=draft.issued_by,
        customer=draft.customer,
        created_at=now,
        effective_month=day.strftime("%Y-%m"),
        effective_day=day.isoformat(),
    )


def note_issue(draft: NoteDraft) -> tuple[AdjustmentNote, bool]:
    """The note of ``draft`` with the next number, and True when this call wrote it (False: it
    existed already, a retry or a racing writer issued it)."""

    def attempt() -> tuple[AdjustmentNote, bool]:
        existing = AdjustmentNote.get_or_none(note_id_of(draft.source), consistent_read=True)
        if existing is not None:
            return existing, False
        current = keys.counter_value(keys.ADJUSTMENT_COUNTER)
        note = _note_item(draft, current + 1)
        counter = BillingKey(kind=keys.COUNTER, key=keys.ADJUSTMENT_COUNTER)
        rule = BillingKey.value == current if current else BillingKey.value.does_not_exist()
        with transaction() as write:
            write.update(counter, actions=[BillingKey.value.set(current + 1)], condition=rule)
            write.save(note, condition=AdjustmentNote.note_id.does_not_exist())
            if draft.invoice_id:  # exactly once per note: the note's put is create-only
                write.update(
                    Invoice(invoice_id=draft.invoice_id),
                    actions=[Invoice.adjusted_cents.add(draft.amount_cents)],
                    condition=Invoice.invoice_id.exists(),
                )
        return note, True

    no_number = Conflict("Could not allocate an adjustment-note number; please try again")
    return retry_on_conflict(attempt, attempts=ISSUE_RETRIES, or_raise=no_number)
