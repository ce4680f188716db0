"""Adjustment notes: gap-free numbers of their own under concurrency, one note per source."""

from __future__ import annotations

import threading

import pytest

from billing.adjustments.numbering import NoteDraft, gst_of, note_issue
from billing.models import AdjustmentNote, AdjustmentNoteKind, BillingKey, Invoice


@pytest.fixture(autouse=True)
def original() -> None:
    """The invoice the notes adjust: each note adds its amount to the invoice's adjustedCents."""
    Invoice(
        invoice_id="INV-ORIGINAL",
        payment_intent_id="pi_1",
        reference_number="ref-1",
        reference_type="appointment",
        created_at=1,
        invoice_number=7,
    ).save()


def _draft(source: str, amount_cents: int = 11000) -> NoteDraft:
    return NoteDraft(
        source=source,
        kind=AdjustmentNoteKind.REFUND,
        invoice_id="INV-ORIGINAL",
        invoice_number=7,
        reference_type="appointment",
        reference_number="ref-1",
        payment_intent_id="pi_1",
        amount_cents=amount_cents,
        reason="requested by customer",
        issued_by="admin-1",
    )


def test_concurrent_notes_take_consecutive_numbers_from_their_own_counter() -> None:
    barrier = threading.Barrier(5)
    sources = [f"rf-{n}" for n in range(5)]

    def run(source: str) -> None:
        barrier.wait()
        note_issue(_draft(source))

    threads = [threading.Thread(target=run, args=(source,)) for source in sources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = sorted(note.note_number for note in AdjustmentNote.scan())
    assert numbers == [1, 2, 3, 4, 5]
    assert BillingKey.get("counter", "adjustmentNoteNumber").value == 5
    assert BillingKey.get_or_none("counter", "invoiceNumber") is None  # invoices keep their own
    assert Invoice.get("INV-ORIGINAL").adjusted_cents == 5 * 11000  # each note's amount added once


def test_issuing_the_same_source_twice_gives_one_note_and_shows_gst() -> None:
    first, wrote = note_issue(_draft("rf-same", 5500))
    again, wrote_again = note_issue(_draft("rf-same", 5500))
    assert (wrote, wrote_again) == (True, False)
    assert (again.note_id, again.note_number) == (first.note_id, 1)
    assert (first.amount_cents, first.gst_cents, first.invoice_number) == (5500, 500, 7)
    assert Invoice.get("INV-ORIGINAL").adjusted_cents == 5500  # the repeat added nothing
    assert gst_of(11000) == 1000
