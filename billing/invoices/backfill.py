"""Give invoices stored before the invoice list's keys existed (restored backups) their listKey,
searchName and searchEmail, so the list and its search find them; and invoices adjusted by notes
issued before ``adjustedCents`` existed their total, so analytics counts them as sales (a refunded
then cancelled invoice would otherwise look voided while its note is subtracted: money off twice).

A one-off data migration run by ``prepare_dev`` after a restore (``manage.py invoices_backfill``):
it reads the table with a Scan, as backup and restore do; no page or API reads this way. Each
write is conditional on the key still missing, so a run racing a new invoice changes nothing twice.
"""

from __future__ import annotations

from collections import Counter

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from autolab.dynamodb import condition_failed
from billing.models import INVOICE_LIST_KEY, AdjustmentNote, Invoice, search_text


def invoice_list_keys_backfill() -> int:
    """The number of invoices given their list keys."""
    done = 0
    for invoice in Invoice.scan(Invoice.list_key.does_not_exist()):
        meta = invoice.metadata.as_dict() if invoice.metadata else {}
        actions: list[Action] = [Invoice.list_key.set(INVOICE_LIST_KEY)]
        for attribute, value in (
            (Invoice.search_name, meta.get("userName")),
            (Invoice.search_email, meta.get("userEmail")),
        ):
            text = search_text(value)
            if text:
                actions.append(attribute.set(text))
        try:
            invoice.update(actions=actions, condition=Invoice.list_key.does_not_exist())
        except UpdateError:  # given its keys meanwhile
            continue
        done += 1
    return done


def invoice_adjusted_cents_backfill() -> int:
    """The number of invoices given the total of their notes' amounts.

    Only invoices without ``adjustedCents`` are written; one that a new note reached meanwhile
    keeps what that note added (analytics asks only whether an invoice was adjusted)."""
    totals: Counter[str] = Counter()
    for note in AdjustmentNote.scan(attributes_to_get=["noteId", "invoiceId", "amountCents"]):
        if note.invoice_id:
            totals[note.invoice_id] += note.amount_cents
    done = 0
    for invoice_id, cents in sorted(totals.items()):
        rule = Invoice.invoice_id.exists() & Invoice.adjusted_cents.does_not_exist()
        try:
            Invoice(invoice_id=invoice_id).update(actions=[Invoice.adjusted_cents.set(cents)], condition=rule)
        except UpdateError as error:  # adjusted meanwhile, or not stored
            if not condition_failed(error):
                raise
            continue
        done += 1
    return done
