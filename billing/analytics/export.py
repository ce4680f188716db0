"""The analytics CSV: one row per invoice of the period (cancelled ones too, with their status).

Net, GST and total come from the invoice's document (billing.invoices.documents), as its PDF
prints them: GST is 1/11 of the GST-inclusive total (autolab.money.gst_of), and 0 for a business not
registered for GST (settings.GST_REGISTERED), whose invoices carry none."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings

from autolab.money import gst_of, to_money
from billing import records
from billing.invoices.documents import invoice_document
from billing.models import Invoice
from billing.pdf import method_label

HEADER = ("Date", "Invoice number", "Customer", "Reference", "Method", "Net", "GST", "Total", "Status")


def transaction_rows(invoices: Iterable[Invoice]) -> Iterator[tuple[Any, ...]]:
    """The header, then one row per invoice by effective day and number."""
    yield HEADER
    for invoice in sorted(invoices, key=lambda i: (i.effective_day or "", i.invoice_number or 0)):
        meta = invoice.metadata.as_dict() if invoice.metadata else {}
        doc = invoice_document(invoice)
        total = doc.total if doc.lines else to_money(meta.get("totalAmount") or 0)  # an invoice stored without lines
        gst = gst_of(total) if settings.GST_REGISTERED else to_money(0)
        yield (
            invoice.effective_day or "",
            invoice.invoice_number or "",
            meta.get("userName") or "",
            records.reference_label(invoice.reference_type, invoice.reference_number),
            method_label(meta.get("paymentMethod") or ""),
            f"{total - gst:.2f}",
            f"{gst:.2f}",
            f"{total:.2f}",
            invoice.status.capitalize(),
        )
