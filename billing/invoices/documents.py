"""An invoice's PDF: rendered from the stored invoice alone, stored once, handed out by expiring link."""

from __future__ import annotations

from autolab import clock, links, storage
from autolab.exceptions import NotFound, PermissionDenied
from autolab.permissions import Permission, StaffIdentity
from billing import pdf, records
from billing.invoices.snapshot import document_lines
from billing.models import Invoice, InvoiceStatus
from billing.selectors import invoice_get


def pdf_key(invoice_id: str) -> str:
    return f"invoices/{invoice_id}.pdf"


def invoice_link(invoice_id: str) -> str:
    """The stable, authorised route that hands out a fresh expiring link to the PDF."""
    return f"/api/payments/invoices/{invoice_id}/pdf"


def invoice_staff_url(invoice: Invoice) -> str | None:
    """The stable route on autolab's public origin, for staff (session or token) to open."""
    return links.absolute(invoice.file_url) if invoice.file_url else None


def invoice_document(invoice: Invoice) -> pdf.InvoiceDocument:
    """What the PDF shows, from the invoice's metadata and analyticsData."""
    meta = invoice.metadata.as_dict() if invoice.metadata else {}
    data = invoice.analytics_data.as_dict()["operation_data"]
    return pdf.InvoiceDocument(
        invoice_number=invoice.invoice_number or 0,
        invoice_id=invoice.invoice_id,
        invoice_date=clock.analytics_date(clock.from_epoch(invoice.created_at)),
        buyer_name=meta.get("userName", ""),
        buyer_email=meta.get("userEmail", ""),
        buyer_phone=meta.get("userPhone", ""),
        buyer_abn=meta.get("buyerAbn", ""),
        payment_method=meta.get("paymentMethod", ""),
        payment_reference=invoice.payment_intent_id,
        payment_date=data["paymentDetails"].get("date", ""),
        lines=document_lines(meta),
        cancelled_on=_cancelled_on(invoice),
    )


def _cancelled_on(invoice: Invoice) -> str:
    if invoice.status != InvoiceStatus.CANCELLED:
        return ""
    return clock.analytics_date(clock.from_epoch(invoice.cancelled_at or invoice.updated_at or invoice.created_at))


def pdf_store(invoice: Invoice, key: str) -> bytes:
    """Render the invoice's PDF and store it at ``key``; returns the bytes stored."""
    data = pdf.render_invoice(invoice_document(invoice))
    storage.save(key, data, "application/pdf")
    return data


def invoice_pdf_ensure(invoice: Invoice) -> str:
    """Render and store the PDF once (deterministic key); returns the storage key."""
    if invoice.status == InvoiceStatus.CANCELLED:
        return _cancelled_pdf_ensure(invoice)
    key = pdf_key(invoice.invoice_id)
    if not storage.exists(key):
        pdf_store(invoice, key)
    if invoice.s3_key != key:
        # Also when the file exists already: a worker killed between saving and recording it.
        data = storage.read(key)
        invoice.update(
            actions=[
                Invoice.s3_key.set(key),
                Invoice.file_size.set(len(data)),
                Invoice.file_url.set(invoice_link(invoice.invoice_id)),
                Invoice.updated_at.set(clock.epoch_now()),
            ]
        )
    return key


def _cancelled_pdf_ensure(invoice: Invoice) -> str:
    """The issued PDF stays as it was; a cancelled invoice is served as its own copy marked cancelled
    (one per cancellation, so a reactivated and again cancelled invoice shows the right date)."""
    key = pdf_key(invoice.invoice_id).replace(".pdf", f"-cancelled-{invoice.cancelled_at or 0}.pdf")
    if not storage.exists(key):
        pdf_store(invoice, key)
    return key


def invoice_pdf_link(*, invoice_id: str, staff: StaffIdentity | None, user_id: str, signature: str = "") -> str:
    """A fresh expiring link to the PDF for staff who may view invoices, the holder of a signed
    customer link (``links.invoice_pdf``), or the record's customer by id."""
    if signature:
        _check_signature(invoice_id, signature)
    invoice = invoice_get(invoice_id)
    if not signature and (staff is None or not staff.has(Permission.INVOICE_VIEW)):
        record = (
            records.record_get(invoice.reference_type, invoice.reference_number)
            if invoice.reference_type in records.RECORD_TYPES and user_id
            else None
        )
        if record is None or record.created_user_id != user_id:
            raise NotFound(f"Invoice {invoice_id} not found")
    key = invoice_pdf_ensure(invoice)
    return storage.download_url(key, filename=f"tax-invoice-{invoice.invoice_number}.pdf")


def _check_signature(invoice_id: str, signature: str) -> None:
    try:
        links.invoice_pdf_check(invoice_id, signature)
    except links.LinkError as error:
        # An expired link is the customer's own and says so; a forged one confirms nothing.
        raise (
            PermissionDenied(str(error)) if error.expired else NotFound(f"Invoice {invoice_id} not found")
        ) from error
