"""An issued invoice's life: cancelled (kept, marked so), reactivated, or moved to a new date.

Also the reactions other apps trigger: a cancelled record cancels its active invoice, and a
rescheduled paid record moves its invoice's effective date.
"""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from autolab import audit, clock, events, search
from autolab.dynamodb import transaction
from autolab.exceptions import Conflict, ValidationError
from autolab.permissions import StaffIdentity
from autolab.workflow import PaymentStatus
from billing import keys, records, searching
from billing.invoices.dates import day_text, parse_any_date
from billing.models import BillingKey, Invoice, InvoicePaymentStatus, InvoiceStatus
from billing.selectors import invoice_get
from emails.services import email_customer


def _cancel_write(invoice: Invoice) -> None:
    now = clock.epoch_now()
    lock = keys.active_lock_get(invoice.reference_type, invoice.reference_number)
    with transaction() as write:
        write.update(
            invoice,
            actions=[
                Invoice.status.set(InvoiceStatus.CANCELLED),
                Invoice.cancelled_at.set(now),
                Invoice.updated_at.set(now),
                # .value: metadata is a raw map, which serializes plain str only (not a str subclass).
                Invoice.metadata["paymentStatus"].set(InvoicePaymentStatus.CANCELLED.value),
            ],
            condition=Invoice.status == InvoiceStatus.GENERATED,
        )
        if lock is not None and lock.invoice_id == invoice.invoice_id:
            write.delete(lock, condition=BillingKey.invoice_id == invoice.invoice_id)


def invoice_cancel(
    *, invoice_id: str, actor: StaffIdentity | None, reason: str, sync_record: bool = True, notify: bool = True
) -> Invoice:
    """Cancel an active invoice (kept, marked cancelled) and release its record's lock.

    With ``sync_record`` the linked record's paymentStatus becomes ``cancelled`` as well.
    """
    invoice = invoice_get(invoice_id)
    if invoice.status == InvoiceStatus.CANCELLED:
        raise ValidationError(f"Invoice {invoice_id} is already cancelled")
    try:
        _cancel_write(invoice)
    except TransactWriteError as error:
        raise Conflict(f"Invoice {invoice_id} changed meanwhile; please reload") from error
    audit.record(actor, "invoice.cancel", "invoice", invoice_id, changes={"status": [invoice.status, "cancelled"]})
    search.reindex(searching.KIND, invoice_id)  # its search result says it is cancelled
    invoice = invoice_get(invoice_id)
    if sync_record and invoice.reference_type in records.RECORD_TYPES:
        _record_payment_status(invoice, PaymentStatus.CANCELLED, only_from=(PaymentStatus.PAID,))
    if notify:
        _notify_change(invoice, "payment_cancelled", reason)
    events.publish_to_staff("invoice.cancelled", {"invoiceId": invoice_id, "referenceNumber": invoice.reference_number})
    return invoice


def _reactivate_write(invoice: Invoice, *, locked: bool) -> None:
    with transaction() as write:
        write.update(
            invoice,
            actions=[
                Invoice.status.set(InvoiceStatus.GENERATED),
                Invoice.cancelled_at.remove(),
                Invoice.updated_at.set(clock.epoch_now()),
                Invoice.metadata["paymentStatus"].set(InvoicePaymentStatus.COMPLETED.value),
            ],
            condition=Invoice.status == InvoiceStatus.CANCELLED,
        )
        if locked:
            lock = keys.active_lock(invoice.reference_type, invoice.reference_number, invoice.invoice_id)
            write.save(lock, condition=BillingKey.key.does_not_exist())


def invoice_reactivate(*, invoice_id: str, actor: StaffIdentity | None) -> Invoice:
    """Reactivate a cancelled invoice, refused while another invoice of its record is active."""
    invoice = invoice_get(invoice_id)
    if invoice.status != InvoiceStatus.CANCELLED:
        raise ValidationError(
            f"Invoice {invoice_id} is not cancelled and cannot be reactivated. Current status: {invoice.status}"
        )
    locked = invoice.reference_type in records.RECORD_TYPES
    try:
        _reactivate_write(invoice, locked=locked)
    except TransactWriteError as error:
        if locked and keys.active_lock_get(invoice.reference_type, invoice.reference_number) is not None:
            raise Conflict(
                f"Another active invoice exists for {invoice.reference_type} {invoice.reference_number}"
            ) from error
        raise Conflict(f"Invoice {invoice_id} changed meanwhile; please reload") from error
    audit.record(actor, "invoice.reactivate", "invoice", invoice_id, changes={"status": [invoice.status, "generated"]})
    search.reindex(searching.KIND, invoice_id)
    invoice = invoice_get(invoice_id)
    if locked:
        _record_payment_status(invoice, PaymentStatus.PAID, only_from=(PaymentStatus.CANCELLED,))
    _notify_change(invoice, "payment_reactivated", "Invoice was reactivated by staff")
    events.publish_to_staff(
        "invoice.reactivated", {"invoiceId": invoice_id, "referenceNumber": invoice.reference_number}
    )
    return invoice


def _record_payment_status(invoice: Invoice, status: PaymentStatus, *, only_from: tuple[PaymentStatus, ...]) -> bool:
    record = records.record_get(invoice.reference_type, invoice.reference_number)
    if record is None or record.payment_status not in only_from:
        return False
    model = type(record)
    rule = model.payment_status.is_in(*only_from)
    changed = records.record_set_if(
        record, [model.payment_status.set(status), model.updated_at.set(clock.epoch_now())], rule
    )
    if changed and status != PaymentStatus.PAID:
        records.release_hold(invoice.reference_type, invoice.reference_number)
    return changed


def invoice_recipient(invoice: Invoice) -> records.Contact | None:
    """Who is emailed when the invoice is cancelled or reactivated: its buyer, when it has an address."""
    meta = invoice.metadata.as_dict() if invoice.metadata else {}
    data = invoice.analytics_data.as_dict() if invoice.analytics_data else {}
    email = meta.get("userEmail") or data.get("operation_data", {}).get("customerId", "")
    if "@" not in (email or ""):
        return None
    return records.Contact(meta.get("userName", ""), email, meta.get("userPhone", ""))


def _notify_change(invoice: Invoice, email_type: str, reason: str) -> None:
    meta = invoice.metadata.as_dict() if invoice.metadata else {}
    recipient = invoice_recipient(invoice)
    if recipient is None:
        return
    context = {
        "referenceNumber": invoice.reference_number,
        "referenceType": invoice.reference_type,
        "amount": meta.get("totalAmount", ""),
        "paymentMethod": meta.get("paymentMethod", ""),
        "invoiceId": invoice.invoice_id,
        "date": day_text(clock.business_today()),
        "reason": reason,
    }
    email_customer(
        email_type=email_type,
        to_email=recipient.email,
        to_name=recipient.name,
        context=context,
        dedupe_key=f"{email_type}:{invoice.invoice_id}:{invoice.updated_at or clock.epoch_now()}",
    )


def invoices_cancel_for_record(*, reference_type: str, reference_number: str, reason: str) -> list[str]:
    """Cancel the active invoice of a record (revert, refund, record cancelled); no email."""
    lock = keys.active_lock_get(reference_type, reference_number)
    if lock is None or not lock.invoice_id:
        return []
    try:
        invoice_cancel(invoice_id=lock.invoice_id, actor=None, reason=reason, sync_record=False, notify=False)
    except ValidationError:
        return []
    return [lock.invoice_id]


def invoice_effective_date_update(*, reference_type: str, reference_number: str, scheduled_date: str) -> str | None:
    """Move the active invoice of a paid record to its new scheduled date (analytics by effective day).

    For bookings/shop to call after rescheduling a paid record; a cancelled invoice is never touched.
    """
    day = parse_any_date(scheduled_date)
    lock = keys.active_lock_get(reference_type, reference_number)
    if day is None or lock is None or not lock.invoice_id:
        return None
    invoice = invoice_get(lock.invoice_id)
    invoice.update(
        actions=[
            Invoice.analytics_data["operation_data"]["effectiveDate"].set(day_text(day)),
            Invoice.effective_month.set(day.strftime("%Y-%m")),
            Invoice.effective_day.set(day.isoformat()),
            Invoice.updated_at.set(clock.epoch_now()),
        ],
        condition=Invoice.status == InvoiceStatus.GENERATED,
    )
    return invoice.invoice_id
