"""The analytics CSV: one row per invoice of the period (cancelled ones too, with their status), then
one negative row per adjustment note issued in it, so the Revenue column adds up to the period's
net revenue, as the dashboard shows it.

Net, GST and total come from the invoice's document (billing.invoices.documents), as its PDF
prints them: GST is 1/11 of the GST-inclusive total (autolab.money.gst_of), and 0 for a business not
registered for GST (settings.GST_REGISTERED), whose invoices carry none. A note's row takes its own
amount and GST, negative. Revenue is what the row adds to revenue (``counts_in_revenue``): an
invoice's total, 0 for a voided (cancelled, never adjusted) invoice, minus the amount of a note.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings

from autolab.money import from_cents, gst_of, to_money
from billing import records
from billing.adjustments.pdf import note_title
from billing.analytics.transactions import counts_in_revenue
from billing.invoices.documents import invoice_document
from billing.models import AdjustmentNote, Invoice, Refund
from billing.pdf import method_label

HEADER = ("Date", "Invoice number", "Customer", "Reference", "Method", "Net", "GST", "Total", "Status", "Revenue")
_REFUND_METHODS = {"card": "stripe"}  # a card refund goes back through Stripe, as the payment came


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _invoice_row(invoice: Invoice) -> tuple[Any, ...]:
    meta = invoice.metadata.as_dict() if invoice.metadata else {}
    doc = invoice_document(invoice)
    total = doc.total if doc.lines else to_money(meta.get("totalAmount") or 0)  # an invoice stored without lines
    gst = gst_of(total) if settings.GST_REGISTERED else to_money(0)
    counted = counts_in_revenue(invoice.status, invoice.adjusted_cents)
    return (
        invoice.effective_day or "",
        invoice.invoice_number or "",
        meta.get("userName") or "",
        records.reference_label(invoice.reference_type, invoice.reference_number),
        method_label(meta.get("paymentMethod") or ""),
        _money(total - gst),
        _money(gst),
        _money(total),
        invoice.status.capitalize(),
        _money(total if counted else to_money(0)),
    )


def _note_row(note: AdjustmentNote, refund: Refund | None) -> tuple[Any, ...]:
    amount, gst = from_cents(note.amount_cents), from_cents(note.gst_cents)
    method = _REFUND_METHODS.get(refund.method, refund.method) if refund else ""
    return (
        note.effective_day,
        note.invoice_number or "",
        (note.customer.as_dict() if note.customer else {}).get("name") or "",
        records.reference_label(note.reference_type, note.reference_number),
        method_label(method),
        _money(gst - amount),
        _money(-gst),
        _money(-amount),
        f"{note_title()} {note.note_number}",
        _money(-amount),
    )


def transaction_rows(
    invoices: Iterable[Invoice], notes: Iterable[AdjustmentNote], refunds: Mapping[str, Refund]
) -> Iterator[tuple[Any, ...]]:
    """The header, then every invoice and note by day (a day's invoices before its notes) and number;
    ``refunds`` by id name each refund note's method."""
    yield HEADER
    keyed = [((i.effective_day or "", 0, i.invoice_number or 0), _invoice_row(i)) for i in invoices]
    keyed += [((n.effective_day, 1, n.note_number), _note_row(n, refunds.get(n.refund_id or ""))) for n in notes]
    for _, row in sorted(keyed, key=lambda pair: pair[0]):
        yield row
