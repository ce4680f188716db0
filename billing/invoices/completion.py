"""What follows an issued invoice: its PDF, the link on its record, the confirmation email and the
staff event; each step idempotent, so a retried completion repeats nothing."""

from __future__ import annotations

from typing import Any

from autolab import clock, events, links
from billing import keys, records
from billing.invoices.documents import invoice_link, invoice_pdf_ensure
from billing.models import Invoice
from emails.services import OutboxEmail, email_customer, outbox_message


def invoice_complete(invoice: Invoice) -> Invoice:
    """PDF, link on the record, confirmation email, live event: each step idempotent."""
    key = invoice_pdf_ensure(invoice)
    if invoice.reference_type in records.RECORD_TYPES:
        _link_record(invoice)
        keys.pending_clear(invoice.reference_type, invoice.reference_number)
    _notify_confirmed(invoice, key)
    announce_generated(invoice)
    return invoice


def _link_record(invoice: Invoice) -> None:
    record = records.record_get(invoice.reference_type, invoice.reference_number)
    if record is None or record.invoice_id == invoice.invoice_id:
        return
    model = type(record)
    records.record_update(
        invoice.reference_type,
        invoice.reference_number,
        allowed=lambda _: None,
        actions=lambda _: [
            model.invoice_id.set(invoice.invoice_id),
            model.invoice_url.set(invoice_link(invoice.invoice_id)),
            model.updated_at.set(clock.epoch_now()),
        ],
        condition=lambda _: None,
    )


def _notify_confirmed(invoice: Invoice, key: str) -> None:
    """Queue the confirmation once: a completion that is a retry finds its dedupe key taken."""
    args = _confirmation_args(invoice, key)
    if args is not None:
        email_customer(**args)


def confirmation_email(invoice: Invoice, key: str) -> OutboxEmail | None:
    """The confirmation, unwritten, for the transaction that issues the invoice."""
    args = _confirmation_args(invoice, key)
    return outbox_message(**args) if args is not None else None


def _confirmation_args(invoice: Invoice, key: str) -> dict[str, Any] | None:
    """The "payment confirmed" email with the PDF attached (None without a customer address)."""
    meta = invoice.metadata.as_dict() if invoice.metadata else {}
    email = meta.get("userEmail") or ""
    if "@" not in email:
        return None
    context = {
        "referenceNumber": invoice.reference_number,
        "referenceType": invoice.reference_type,
        "amount": meta.get("totalAmount", ""),
        "paymentMethod": meta.get("paymentMethod", ""),
        "paymentDate": invoice.analytics_data.as_dict()["operation_data"]["paymentDetails"].get("date", ""),
        "paymentReference": invoice.payment_intent_id,
        "invoiceId": invoice.invoice_id,
        "invoiceNumber": invoice.invoice_number,
        "invoiceUrl": links.invoice_pdf(invoice.invoice_id),
    }
    return {
        "email_type": "payment_confirmed",
        "to_email": email,
        "to_name": meta.get("userName", ""),
        "context": context,
        "dedupe_key": f"payment_confirmed:{invoice.invoice_id}",
        "attachments": [key],
    }


def announce_generated(invoice: Invoice) -> None:
    """Tell the staff portal a new invoice exists."""
    events.publish_to_staff(
        "invoice.generated",
        {
            "invoiceId": invoice.invoice_id,
            "invoiceNumber": invoice.invoice_number,
            "referenceNumber": invoice.reference_number,
            "referenceType": invoice.reference_type,
        },
    )
