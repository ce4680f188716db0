"""Give invoices stored before the invoice list's keys existed (restored backups) their listKey,
searchName and searchEmail, so the list and its search find them.

A one-off data migration run by ``prepare_dev`` after a restore (``manage.py invoices_backfill``):
it reads the table with a Scan, as backup and restore do; no page or API reads this way. Each
write is conditional on the key still missing, so a run racing a new invoice changes nothing twice.
"""

from __future__ import annotations

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from billing.models import INVOICE_LIST_KEY, Invoice, search_text


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
