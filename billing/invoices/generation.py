"""The one active invoice of a paid appointment or order, issued in one transaction with its record."""

from __future__ import annotations

from dataclasses import dataclass

from autolab import clock
from autolab.batch import BatchRead, first
from autolab.dynamodb import retry_on_conflict, transaction
from autolab.exceptions import Conflict
from autolab.workflow import PaymentStatus
from billing import keys, records
from billing.invoices.completion import announce_generated, confirmation_email, invoice_complete
from billing.invoices.documents import invoice_link, pdf_key, pdf_store
from billing.invoices.drafts import record_draft
from billing.invoices.numbering import ISSUE_RETRIES, invoice_item, new_invoice_id, write_numbered
from billing.models import BillingKey, Invoice
from billing.selectors import invoice_get
from emails.services import OutboxEmail


@dataclass
class _RecordReads:
    record: records.Record | None
    lock: BillingKey | None
    counter: int


def _record_reads(reference_type: str, reference_number: str) -> _RecordReads:
    """The record, its active-invoice lock and the invoice counter: one strongly consistent
    BatchGetItem across the record's table and BillingKeys."""
    model = records.record_model(reference_type)
    batch = BatchRead()
    if reference_number and isinstance(reference_number, str) and len(reference_number) <= 100:
        batch.add(model, reference_number, consistent=True)
    batch.add(BillingKey, keys.ACTIVE_INVOICE, keys.reference_key(reference_type, reference_number), consistent=True)
    batch.add(BillingKey, keys.COUNTER, keys.INVOICE_COUNTER, consistent=True)
    found = batch.run()
    billing_keys = [BillingKey.from_raw_data(raw) for raw in found.get(BillingKey.Meta.table_name, [])]
    lock = next((k for k in billing_keys if k.kind == keys.ACTIVE_INVOICE), None)
    counter = next((k for k in billing_keys if k.kind == keys.COUNTER), None)
    return _RecordReads(
        first(found.get(model.Meta.table_name, []), model), lock, int(counter.value or 0) if counter else 0
    )


def invoice_generate_for_record(*, reference_type: str, reference_number: str) -> Invoice | None:
    """The one active invoice of a paid appointment or order; created at most once.

    Re-reads the record: an unpaid record gets no invoice (its marker is dropped), and when an
    active invoice exists already it is completed (PDF, email) instead of duplicated.

    A new invoice is rendered and its PDF stored first; then ONE transaction moves the counter,
    writes the invoice, takes the lock, links the record (still paid, same version), drops the
    pending marker and queues the confirmation email. A lost race re-reads and renders again
    under the same invoice id, so the stored PDF is simply replaced.
    """
    invoice_id = new_invoice_id()

    def attempt() -> Invoice | None:  # a conflict: counter moved, record changed, or another invoice took the lock
        reads = _record_reads(reference_type, reference_number)
        record = reads.record
        if record is None or record.payment_status != PaymentStatus.PAID:
            keys.pending_clear(reference_type, reference_number)
            return None
        if reads.lock is not None:
            return invoice_complete(invoice_get(reads.lock.invoice_id)) if reads.lock.invoice_id else None
        invoice = _rendered_invoice(record, invoice_id, reads.counter + 1)
        email = confirmation_email(invoice, invoice.s3_key or pdf_key(invoice_id))
        _issue_for_record(invoice, record, reads.counter, email)
        if email is not None:
            email.enqueue()
        announce_generated(invoice)
        return invoice

    no_number = Conflict("Could not allocate an invoice number; please try again")
    return retry_on_conflict(attempt, attempts=ISSUE_RETRIES, or_raise=no_number)


def _rendered_invoice(record: records.Record, invoice_id: str, number: int) -> Invoice:
    """The invoice item of ``record`` numbered ``number``, with its PDF already stored."""
    invoice = invoice_item(record_draft(record), number, invoice_id)
    key = pdf_key(invoice_id)
    data = pdf_store(invoice, key)
    invoice.s3_key, invoice.file_size, invoice.file_url = key, len(data), invoice_link(invoice_id)
    invoice.updated_at = clock.epoch_now()
    return invoice


def _issue_for_record(invoice: Invoice, record: records.Record, current: int, email: OutboxEmail | None) -> None:
    model = type(record)
    reference = (invoice.reference_type, invoice.reference_number)
    with transaction() as write:
        write_numbered(write, invoice, current)
        write.save(keys.active_lock(*reference, invoice.invoice_id), condition=BillingKey.key.does_not_exist())
        write.update(
            record,
            actions=[
                model.invoice_id.set(invoice.invoice_id),
                model.invoice_url.set(invoice_link(invoice.invoice_id)),
                model.updated_at.set(clock.epoch_now()),
            ],
            condition=model.payment_status == PaymentStatus.PAID,
        )
        write.delete(BillingKey(kind=keys.PENDING_INVOICE, key=keys.reference_key(*reference)))
        if email is not None:
            email.add_to(write)
