"""Gap-free invoice numbers: the counter moves in the same transaction that writes the invoice."""

from __future__ import annotations

import uuid

from pynamodb.transactions import TransactWrite

from autolab import clock
from autolab.dynamodb import retry_on_conflict, transaction
from autolab.exceptions import Conflict
from billing import keys, searching
from billing.analytics.transactions import compact_of
from billing.invoices.snapshot import Draft
from billing.models import INVOICE_LIST_KEY, BillingKey, Invoice, InvoiceStatus, search_text

# Each retry follows a lost race for the next number; 20 covers a burst of concurrent payments.
ISSUE_RETRIES = 20


def new_invoice_id() -> str:
    return f"INV-{uuid.uuid4().hex[:10].upper()}"


def invoice_item(draft: Draft, number: int, invoice_id: str | None = None) -> Invoice:
    """The (unsaved) invoice of ``draft`` numbered ``number``."""
    return Invoice(
        invoice_id=invoice_id or new_invoice_id(),
        invoice_number=number,
        payment_intent_id=draft.payment_intent_id,
        reference_number=draft.reference_number,
        reference_type=draft.reference_type,
        status=InvoiceStatus.GENERATED,
        format="pdf",
        metadata=draft.metadata,
        analytics_data=draft.analytics_data,
        analytics_txn=compact_of(draft.analytics_data),
        created_at=clock.epoch_now(),
        effective_month=draft.effective_day.strftime("%Y-%m"),
        effective_day=draft.effective_day.isoformat(),
        list_key=INVOICE_LIST_KEY,
        search_name=search_text(draft.metadata.get("userName")),
        search_email=search_text(draft.metadata.get("userEmail")),
    )


def write_numbered(write: TransactWrite, invoice: Invoice, current: int) -> None:
    """Add to ``write``: the counter moves from ``current`` to the invoice's number, and the
    invoice is created. Either condition failing cancels the whole transaction, so a lost race
    never burns a number."""
    counter = BillingKey(kind=keys.COUNTER, key=keys.INVOICE_COUNTER)
    counter_rule = BillingKey.value == current if current else BillingKey.value.does_not_exist()
    write.update(counter, actions=[BillingKey.value.set(current + 1)], condition=counter_rule)
    write.save(invoice, condition=Invoice.invoice_id.does_not_exist())
    searching.invoice_add_to(write, invoice)  # found by the staff search as soon as it exists


def invoice_issue(draft: Draft) -> Invoice:
    """Store the invoice of ``draft`` with the next number (an invoice of no record, so no lock)."""

    def attempt() -> Invoice:  # a conflict: the counter moved or the id collided, so take the next number
        current = keys.counter_value()
        invoice = invoice_item(draft, current + 1)
        with transaction() as write:
            write_numbered(write, invoice, current)
        return invoice

    no_number = Conflict("Could not allocate an invoice number; please try again")
    return retry_on_conflict(attempt, attempts=ISSUE_RETRIES, or_raise=no_number)
