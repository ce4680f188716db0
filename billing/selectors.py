"""Reads of payments and invoices: always by key or index, never a Scan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from autolab import clock
from autolab.exceptions import NotFound
from autolab.money import from_cents
from autolab.pagination import Page, Partitions
from billing.analytics.transactions import Adjustment, Txn, counts_in_revenue, transaction_of, transaction_of_compact
from billing.models import INVOICE_LIST_KEY, AdjustmentNote, Invoice, Payment, Refund, search_text
from bookings.models import Appointment, AppointmentStatus


def months_between(start: dt.date, end: dt.date) -> list[str]:
    """Every ``YYYY-MM`` from ``start`` to ``end`` inclusive."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _month_query(month: str, start: dt.date, end: dt.date, **kwargs: Any) -> Any:
    return Invoice.effective_month_index.query(
        month, Invoice.effective_day.between(start.isoformat(), end.isoformat()), **kwargs
    )


def invoices_in_range(start: dt.date, end: dt.date, **kwargs: Any) -> Iterator[Invoice]:
    """Every invoice (cancelled included) whose effective day is in [start, end]: one Query chain a month."""
    for month in months_between(start, end):
        yield from _month_query(month, start, end, **kwargs)


def invoice_list(*, start: dt.date, end: dt.date, limit: int, cursor: str | None) -> Page[Invoice]:
    """Invoices by effective day, newest first, one page; a cursor is good for its date range only."""
    months = list(reversed(months_between(start, end)))
    return Partitions(Invoice.effective_month_index, months, scope=f"{start}..{end}").page(
        limit=limit,
        cursor=cursor,
        range_key_condition=Invoice.effective_day.between(start.isoformat(), end.isoformat()),
        scan_index_forward=False,
    )


def _day_condition(start: dt.date | None, end: dt.date | None) -> Any:
    """The list index's range condition for [start, end]; either end may be open."""
    if start is not None and end is not None:
        return Invoice.effective_day.between(start.isoformat(), end.isoformat())
    if start is not None:
        return Invoice.effective_day >= start.isoformat()
    if end is not None:
        return Invoice.effective_day <= end.isoformat()
    return None


def invoice_page(
    *, start: dt.date | None, end: dt.date | None, newest_first: bool, limit: int, cursor: str | None
) -> Page[Invoice]:
    """Every invoice (or those of [start, end]) by effective day, one page: one Query on the list index."""
    scope = f"{start}..{end}:{'desc' if newest_first else 'asc'}"
    return Partitions(Invoice.list_index, [INVOICE_LIST_KEY], scope=scope).page(
        limit=limit, cursor=cursor, range_key_condition=_day_condition(start, end), scan_index_forward=not newest_first
    )


SEARCH_LIMIT = 50  # matches read per index; a search narrower than this is what staff type
# A reference is a UUID (the portal shows its first 8 characters): "2" would match one in 16 of
# them, so an invoice number is not also read as the start of a reference.
REFERENCE_PREFIX_MIN = 4


def invoice_search(
    text: str, *, start: dt.date | None = None, end: dt.date | None = None, newest_first: bool = True
) -> list[Invoice]:
    """Invoices whose number is ``text``, or whose id, customer name, email or reference starts
    with it: one Query per index (a GetItem for an invoice id), never a Scan; sorted by effective day."""
    found: dict[str, Invoice] = {}
    needle = search_text(text) or ""
    queries: list[tuple[Any, Any]] = [
        (Invoice.name_index, Invoice.search_name.startswith(needle)),
        (Invoice.email_index, Invoice.search_email.startswith(needle)),
    ]
    if len(needle) >= REFERENCE_PREFIX_MIN:
        queries.append((Invoice.reference_prefix_index, Invoice.reference_number.startswith(needle)))
        if text != needle:  # a manual reference is stored as typed
            queries.append((Invoice.reference_prefix_index, Invoice.reference_number.startswith(text)))
    if text.isdigit() and len(text) < 10:
        queries.append((Invoice.number_index, Invoice.invoice_number == int(text)))
    for index, condition in queries if needle else []:
        for invoice in index.query(INVOICE_LIST_KEY, condition, limit=SEARCH_LIMIT):
            found[invoice.invoice_id] = invoice
    by_id = Invoice.get_by_id(text.upper()) if text.upper().startswith("INV-") else None
    if by_id is not None:
        found[by_id.invoice_id] = by_id
    low, high = (start or dt.date.min).isoformat(), (end or dt.date.max).isoformat()
    matches = [i for i in found.values() if low <= (i.effective_day or "") <= high]
    return sorted(matches, key=lambda i: (i.effective_day or "", i.created_at), reverse=newest_first)


def invoices_for_reference(reference_number: str) -> list[Invoice]:
    """Every invoice of one appointment, order or manual reference, oldest first."""
    return list(Invoice.reference_index.query(reference_number))


def invoices_get_many(invoice_ids: list[str]) -> list[Invoice]:
    """The invoices with these ids that exist (one BatchGetItem per 100)."""
    return list(Invoice.batch_get(sorted(set(invoice_ids)))) if invoice_ids else []


def payments_of_customer(user_id: str) -> list[Payment]:
    """The payments of one customer's records, newest first (userId-index)."""
    return list(Payment.user_index.query(user_id, scan_index_forward=False))


def payments_for_reference(reference_number: str) -> list[Payment]:
    return list(Payment.reference_index.query(reference_number))


def refunds_for_reference(reference_number: str) -> list[Refund]:
    return list(Refund.reference_index.query(reference_number))


def notes_for_reference(reference_number: str) -> list[AdjustmentNote]:
    return list(AdjustmentNote.reference_index.query(reference_number))


def note_find(note_id: str) -> AdjustmentNote | None:
    return AdjustmentNote.get_or_none(note_id)


def invoice_get(invoice_id: str) -> Invoice:
    """The invoice, read strongly consistent (it is about to be changed); NotFound otherwise."""
    invoice = Invoice.get_or_none(invoice_id, consistent_read=True)
    if invoice is None:
        raise NotFound(f"Invoice {invoice_id} not found")
    return invoice


def payment_get(intent_id: str) -> Payment | None:
    """The payment of a Stripe intent, read strongly consistent, or None."""
    return Payment.get_or_none(intent_id, consistent_read=True)


def invoice_find(invoice_id: str) -> Invoice | None:
    return Invoice.get_by_id(invoice_id)


# What analytics reads of each invoice; invoices written before analyticsTxn existed (restored or
# seeded ones) are read again by key for their analyticsData.
_ANALYTICS_ATTRIBUTES = ["invoiceId", "status", "createdAt", "effectiveDay", "analyticsTxn", "adjustedCents"]


def analytics_transactions(start: dt.date, end: dt.date) -> tuple[list[Txn], int]:
    """(transactions of the period's invoices that count in revenue, how many such invoices there
    are); see ``counts_in_revenue``."""
    txns, older, in_period = [], [], 0
    for invoice in invoices_in_range(start, end, attributes_to_get=_ANALYTICS_ATTRIBUTES):
        if not counts_in_revenue(invoice.status, invoice.adjusted_cents):
            continue
        in_period += 1
        if invoice.analytics_txn and invoice.effective_day:
            txns.append(transaction_of_compact(invoice.analytics_txn, dt.date.fromisoformat(invoice.effective_day)))
        else:
            older.append(invoice.invoice_id)
    for invoice in Invoice.batch_get(older, attributes_to_get=["createdAt", "analyticsData"]):
        txn = transaction_of(invoice.analytics_data.as_dict() if invoice.analytics_data else None, invoice.created_at)
        if txn is not None:
            txns.append(txn)
    return txns, in_period


def notes_in_range(start: dt.date, end: dt.date, **kwargs: Any) -> Iterator[AdjustmentNote]:
    """Every adjustment note issued in [start, end] (Perth days): one Query chain a month."""
    for month in months_between(start, end):
        yield from AdjustmentNote.month_index.query(
            month, AdjustmentNote.effective_day.between(start.isoformat(), end.isoformat()), **kwargs
        )


def analytics_adjustments(start: dt.date, end: dt.date) -> list[Adjustment]:
    """The adjustment notes issued in the period, as analytics subtracts them from revenue."""
    notes = notes_in_range(start, end, attributes_to_get=["noteId", "effectiveDay", "amountCents"])
    return [Adjustment(day=dt.date.fromisoformat(n.effective_day), amount=from_cents(n.amount_cents)) for n in notes]


def refunds_by_id(refund_ids: list[str]) -> dict[str, Refund]:
    """Refunds by id: one BatchGetItem per 100."""
    return {refund.refund_id: refund for refund in Refund.batch_get(refund_ids)} if refund_ids else {}


APPOINTMENT_STATUSES = tuple(AppointmentStatus)


def appointment_status_counts(start: dt.date, end: dt.date) -> dict[str, int]:
    """Appointments created in [start, end] per status: one COUNT Query per status on status-index."""
    low, high = clock.epoch_of_local_day(start), clock.epoch_of_local_day(end + dt.timedelta(days=1)) - 1
    window = Appointment.created_at.between(low, high)
    return {status: Appointment.status_index.count(status, filter_condition=window) for status in APPOINTMENT_STATUSES}
