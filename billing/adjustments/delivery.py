"""An adjustment note's PDF and email, done by the worker: each step idempotent, as invoices'."""

from __future__ import annotations

import logging

from autolab import clock, storage
from billing.adjustments.pdf import NoteDocument, render_note
from billing.models import AdjustmentNote
from emails.services import email_customer

logger = logging.getLogger(__name__)


def note_deliver(note_id: str) -> None:
    """Hand the note's PDF and email to the worker; a lost enqueue leaves ``emailedAt`` unset."""
    from billing import tasks  # billing.tasks imports this module

    try:
        tasks.adjustment_note_deliver_task.delay(note_id)
    except Exception:  # broker down: the note stands, its PDF is rendered on the next delivery
        logger.exception("Could not enqueue adjustment note %s", note_id)


def note_pdf_key(note_id: str) -> str:
    return f"adjustment-notes/{note_id}.pdf"


def note_document(note: AdjustmentNote) -> NoteDocument:
    customer = note.customer.as_dict() if note.customer else {}
    return NoteDocument(
        note_number=note.note_number,
        note_date=clock.analytics_date(clock.from_epoch(note.created_at)),
        invoice_number=note.invoice_number,
        invoice_id=note.invoice_id,
        customer_name=customer.get("name", ""),
        customer_email=customer.get("email", ""),
        reason=note.reason,
        amount_cents=note.amount_cents,
        gst_cents=note.gst_cents,
    )


def note_pdf_ensure(note: AdjustmentNote) -> str:
    """Render and store the PDF once (deterministic key); the storage key."""
    key = note_pdf_key(note.note_id)
    if not storage.exists(key):
        storage.save(key, render_note(note_document(note)), "application/pdf")
    if note.s3_key != key:
        note.update(actions=[AdjustmentNote.s3_key.set(key), AdjustmentNote.file_size.set(len(storage.read(key)))])
    return key


def note_send(note_id: str) -> None:
    """PDF, then the customer's email with it attached (the dedupe key sends it once)."""
    note = AdjustmentNote.get(note_id, consistent_read=True)
    key = note_pdf_ensure(note)
    customer = note.customer.as_dict() if note.customer else {}
    email = customer.get("email") or ""
    if "@" in email and note.emailed_at is None:
        email_customer(
            email_type="payment_refunded",
            to_email=email,
            to_name=customer.get("name", ""),
            context={
                "referenceNumber": note.reference_number,
                "referenceType": note.reference_type,
                "amount": str(note.amount_cents / 100),
                "invoiceNumber": note.invoice_number,
                "adjustmentNoteNumber": note.note_number,
                "reason": note.reason,
                "date": clock.analytics_date(clock.from_epoch(note.created_at)),
            },
            dedupe_key=f"adjustment_note:{note_id}",
            attachments=[key],
        )
        note.update(actions=[AdjustmentNote.emailed_at.set(clock.epoch_now())])
