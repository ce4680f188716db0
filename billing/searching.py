"""How the staff search finds invoices (autolab.search): by number, invoice id, the reference of
its appointment or order, and the customer's name, email and phone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pynamodb.transactions import TransactWrite

from autolab import search
from autolab.permissions import Permission
from billing.models import Invoice, InvoiceStatus

KIND = "invoice"


def invoice_document(invoice: Invoice) -> search.Document:
    meta: dict[str, Any] = invoice.metadata.as_dict() if invoice.metadata else {}
    name = str(meta.get("userName") or "")
    email = str(meta.get("userEmail") or "")
    number = f"No. {invoice.invoice_number}" if invoice.invoice_number else invoice.invoice_id
    return search.Document(
        kind=KIND,
        record_id=invoice.invoice_id,
        label=f"Invoice {number}" + (f" · {name}" if name else ""),
        subtitle=" · ".join(
            part
            for part in (
                invoice.invoice_id,
                f"{invoice.reference_type} {invoice.reference_number[:8]}",
                "cancelled" if invoice.status == InvoiceStatus.CANCELLED else "",
            )
            if part
        ),
        texts=(name, email if email != "N/A" else ""),
        phones=(str(meta.get("userPhone") or ""),),
        codes=(
            str(invoice.invoice_number or ""),
            invoice.invoice_id,
            invoice.invoice_id.removeprefix("INV-"),
            invoice.reference_number[:8],
        ),
    )


def invoice_add_to(writer: TransactWrite, invoice: Invoice) -> None:
    """A new invoice's index entries, in the transaction that numbers it."""
    search.add_to(writer, invoice_document(invoice))


def _load(invoice_id: str) -> search.Document | None:
    invoice = Invoice.get_by_id(invoice_id)
    return invoice_document(invoice) if invoice is not None else None


def _everything() -> Iterator[search.Document]:
    for invoice in Invoice.scan():  # search_reindex only, offline
        yield invoice_document(invoice)


def register() -> None:
    # A customer found by the search opens on the customer record (billing.portal.customers).
    search.link_kind("customer", "admin:billing-customer-record", "user_id")
    search.register(
        search.Kind(
            name=KIND,
            title="Invoice",
            permissions=(Permission.INVOICE_VIEW,),
            url_name="admin:billing-invoice-detail",
            url_kwarg="invoice_id",
            load=_load,
            everything=_everything,
        )
    )
