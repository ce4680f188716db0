"""Invoices: gap-free numbering, one active invoice per paid record, PDF, cancel and reactivate.

Every rule that writes an invoice lives here; ``billing.services`` handles the payments that
lead to them.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import TransactWriteError

from autolab import clock, events, links, storage
from autolab.batch import BatchRead, first
from autolab.dynamodb import transaction
from autolab.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from autolab.money import money_str, to_money
from autolab.permissions import StaffIdentity
from billing import keys, pdf, records
from billing.models import BillingKey, Invoice
from bookings.selectors import plan_cached
from chat.emails.services import OutboxEmail, email_customer, outbox_message
from chat.selectors import customer_get
from staffapp.selectors import staff_get_by_user_id

logger = logging.getLogger(__name__)

_ISSUE_RETRIES = 20
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%d-%m-%Y", "%m/%d/%Y", "%Y/%m/%d", "%d %b %Y")


@dataclass
class Draft:
    """Everything an invoice needs before it gets its number."""

    payment_intent_id: str
    reference_number: str
    reference_type: str
    lines: list[pdf.Line]
    contact: records.Contact
    payment_method: str
    payment_date: dt.date
    metadata: dict[str, Any]
    analytics_data: dict[str, Any]
    effective_day: dt.date


def parse_any_date(value: str) -> dt.date | None:
    """A date in any of the formats the original accepted (§0.2), or None."""
    text = (value or "").strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


def pdf_key(invoice_id: str) -> str:
    return f"invoices/{invoice_id}.pdf"


def invoice_link(invoice_id: str) -> str:
    """The stable, authorised route that hands out a fresh expiring link to the PDF."""
    return f"/api/payments/invoices/{invoice_id}/pdf"


def invoice_staff_url(invoice: Invoice) -> str | None:
    """The stable route on autolab's public origin, for staff (session or token) to open."""
    return links.absolute(invoice.file_url) if invoice.file_url else None


def _new_invoice_id() -> str:
    return f"INV-{uuid.uuid4().hex[:10].upper()}"


def _ddmmyyyy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- analyticsData of an appointment or order (the seed's shape, strings for amounts) -------------


def booked_by(created_user_id: str) -> str:
    """ "STAFF" when staff booked without naming a customer, the customer's userId, else "NONE".

    Ids are server-issued UUIDs, never both: the customer is looked up first (one GetItem, the
    usual case) and the Staff userId index only when it is not one."""
    if created_user_id and customer_get(created_user_id) is not None:
        return created_user_id
    if created_user_id and staff_get_by_user_id(created_user_id) is not None:
        return "STAFF"
    return "NONE"


def _paid_day(record: records.Record) -> dt.date:
    moment = record.paid_at or record.payment_confirmed_at or clock.epoch_now()
    return clock.to_local(clock.from_epoch(moment)).date()


def _record_lines(record: records.Record) -> tuple[list[pdf.Line], list[dict], list[dict]]:
    """(PDF lines, analytics services, analytics orders) from the catalogue and the record."""
    vehicle = f"{record.car_make} {record.car_model} {record.car_year}".strip()
    if records.record_type_of(record) == "appointment":
        plan = plan_cached(record.service_id, record.plan_id)
        service_name = plan.service_name if plan else "Inspection service"
        plan_name = plan.plan_name if plan else f"Plan {record.plan_id}"
        line = pdf.Line(service_name, f"{vehicle} | {plan_name}", 1, to_money(record.price))
        return [line], [{"service_name": plan_name, "price": money_str(record.price)}], []
    catalogue = records.item_prices_get([(item.category_id, item.item_id) for item in record.items])
    lines, orders = [], []
    for item in record.items:
        entry = catalogue.get((item.category_id, item.item_id))
        name = entry.item_name if entry else f"Item {item.category_id}-{item.item_id}"
        category = entry.category_name if entry else ""
        lines.append(pdf.Line(name, f"{vehicle} | {category}".strip(" |"), item.quantity, to_money(item.unit_price)))
        orders.append(
            {
                "item_name": name,
                "unit_price": money_str(item.unit_price),
                "quantity": str(item.quantity),
                "total_price": money_str(item.total_price),
            }
        )
    return lines, [], orders


def _record_effective_day(record: records.Record, paid_day: dt.date) -> dt.date:
    return parse_any_date(record.scheduled_date or "") or paid_day


def record_draft(record: records.Record) -> Draft:
    """The invoice of a paid appointment or order, built from the record as it is now."""
    reference_type, reference_number = records.record_type_of(record), records.record_id_of(record)
    contact = records.record_contact(record)
    lines, services, orders = _record_lines(record)
    amount = Decimal(record.payment_amount if record.payment_amount is not None else records.record_amount(record))
    paid_day = _paid_day(record)
    effective = _record_effective_day(record, paid_day)
    by = booked_by(record.created_user_id)
    method = record.payment_method or "unknown"
    analytics = {
        "operation_type": "transaction",
        "operation_data": {
            "services": services,
            "orders": orders,
            "customerId": contact.email,
            "vehicleDetails": {"make": record.car_make, "model": record.car_model, "year": str(record.car_year)},
            "paymentDetails": {
                "payment_method": method,
                "amount": money_str(amount),
                "date": _ddmmyyyy(paid_day),
                "paid_before_operation": 1,
            },
            "bookingDetails": {
                "bookedBy": by,
                "bookedDate": record.created_date if by != "NONE" else "",
                "bookedAt": str(record.created_at) if by != "NONE" else "",
            },
            "effectiveDate": _ddmmyyyy(effective),
        },
    }
    metadata = {
        "userName": contact.name,
        "userEmail": contact.email,
        "userPhone": contact.phone,
        "vehicleMake": record.car_make,
        "vehicleModel": record.car_model,
        "vehicleYear": str(record.car_year),
        "items": [line.name for line in lines],
        "paymentMethod": method,
        "paymentStatus": "completed",
        "totalAmount": money_str(amount),
        "invoiceFormat": "pdf",
    }
    payment_id = (
        record.payment_intent_id
        if method == "stripe" and record.payment_intent_id
        else (f"{method}_{reference_number}_{record.payment_confirmed_at or record.paid_at or clock.epoch_now()}")
    )
    return Draft(
        payment_id, reference_number, reference_type, lines, contact, method, paid_day, metadata, analytics, effective
    )


# --- issuing: number, lock and invoice in one transaction -----------------------------------------


def _invoice_item(draft: Draft, number: int) -> Invoice:
    return Invoice(
        invoice_id=_new_invoice_id(),
        invoice_number=number,
        payment_intent_id=draft.payment_intent_id,
        reference_number=draft.reference_number,
        reference_type=draft.reference_type,
        status="generated",
        format="pdf",
        metadata=draft.metadata,
        analytics_data=draft.analytics_data,
        created_at=clock.epoch_now(),
        effective_month=draft.effective_day.strftime("%Y-%m"),
        effective_day=draft.effective_day.isoformat(),
    )


def _try_issue(draft: Draft, locked: bool) -> Invoice | None:
    """One attempt; None when another active invoice holds the lock. Raises on a lost race."""
    current = keys.counter_value()
    invoice = _invoice_item(draft, current + 1)
    counter = BillingKey(kind=keys.COUNTER, key=keys.INVOICE_COUNTER)
    counter_rule = BillingKey.value == current if current else BillingKey.value.does_not_exist()
    with transaction() as write:
        write.update(counter, actions=[BillingKey.value.set(current + 1)], condition=counter_rule)
        write.save(invoice, condition=Invoice.invoice_id.does_not_exist())
        if locked:
            lock_key = keys.reference_key(draft.reference_type, draft.reference_number)
            lock = BillingKey(kind=keys.ACTIVE_INVOICE, key=lock_key, invoice_id=invoice.invoice_id)
            write.save(lock, condition=BillingKey.key.does_not_exist())
    return invoice


def invoice_issue(draft: Draft, *, locked: bool) -> Invoice | None:
    """Store the invoice with the next number; with ``locked``, only if no other is active.

    The counter moves in the same transaction as the invoice, so a failed attempt never burns a
    number (gap-free), and the lock item makes "one active invoice per record" atomic.
    """
    for _ in range(_ISSUE_RETRIES):
        try:
            return _try_issue(draft, locked)
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            # Which condition failed is re-read rather than taken from the cancellation reasons
            # (engines differ in how they report them): a held lock means someone else won.
            if locked and keys.active_lock_get(draft.reference_type, draft.reference_number) is not None:
                return None
            continue  # the counter moved or the id collided: take the next number
    raise Conflict("Could not allocate an invoice number; please try again")


def _document(invoice: Invoice) -> pdf.InvoiceDocument:
    meta = invoice.metadata.as_dict() if invoice.metadata else {}
    data = invoice.analytics_data.as_dict()["operation_data"]
    lines = [
        pdf.Line(line["name"], line.get("description", ""), int(line["quantity"]), Decimal(line["unit_price"]))
        for line in meta.get("lines", [])
    ]
    return pdf.InvoiceDocument(
        invoice_number=invoice.invoice_number or 0,
        invoice_id=invoice.invoice_id,
        invoice_date=clock.analytics_date(clock.from_epoch(invoice.created_at)),
        buyer_name=meta.get("userName", ""),
        buyer_email=meta.get("userEmail", ""),
        buyer_phone=meta.get("userPhone", ""),
        payment_method=meta.get("paymentMethod", ""),
        payment_reference=invoice.payment_intent_id,
        payment_date=data["paymentDetails"].get("date", ""),
        lines=lines,
        cancelled_on=_cancelled_on(invoice),
    )


def _cancelled_on(invoice: Invoice) -> str:
    if invoice.status != "cancelled":
        return ""
    return clock.analytics_date(clock.from_epoch(invoice.cancelled_at or invoice.updated_at or invoice.created_at))


def invoice_pdf_ensure(invoice: Invoice) -> str:
    """Render and store the PDF once (deterministic key); returns the storage key."""
    if invoice.status == "cancelled":
        return _cancelled_pdf_ensure(invoice)
    key = pdf_key(invoice.invoice_id)
    if not storage.exists(key):
        storage.save(key, pdf.render_invoice(_document(invoice)), "application/pdf")
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
        storage.save(key, pdf.render_invoice(_document(invoice)), "application/pdf")
    return key


def _lines_meta(lines: list[pdf.Line]) -> list[dict[str, str]]:
    return [
        {
            "name": l.name,
            "description": l.description,
            "quantity": str(l.quantity),
            "unit_price": money_str(l.unit_price),
        }
        for l in lines  # noqa: E741
    ]


def invoice_get(invoice_id: str) -> Invoice:
    try:
        return Invoice.get(invoice_id, consistent_read=True)
    except Invoice.DoesNotExist as error:
        raise NotFound(f"Invoice {invoice_id} not found") from error


def _notify_confirmed(invoice: Invoice, key: str) -> None:
    """Queue the confirmation once: a completion that is a retry finds its dedupe key taken."""
    args = _confirmation_args(invoice, key)
    if args is not None:
        email_customer(**args)


def _confirmation_email(invoice: Invoice, key: str) -> OutboxEmail | None:
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


def invoice_complete(invoice: Invoice) -> Invoice:
    """PDF, link on the record, confirmation email, live event: each step idempotent."""
    key = invoice_pdf_ensure(invoice)
    if invoice.reference_type in records.RECORD_TYPES:
        _link_record(invoice)
        keys.pending_clear(invoice.reference_type, invoice.reference_number)
    _notify_confirmed(invoice, key)
    _announce_generated(invoice)
    return invoice


@dataclass
class _RecordReads:
    record: records.Record | None
    lock: BillingKey | None
    counter: int


def _record_reads(reference_type: str, reference_number: str) -> _RecordReads:
    """The record, its active-invoice lock and the invoice counter: one strongly consistent
    BatchGetItem across the record's table and BillingKeys."""
    model = records.record_model(reference_type)
    batch = BatchRead()
    if reference_number and isinstance(reference_number, str) and len(reference_number) <= 100:
        batch.add(model, reference_number, consistent=True)
    batch.add(BillingKey, keys.ACTIVE_INVOICE, keys.reference_key(reference_type, reference_number), consistent=True)
    batch.add(BillingKey, keys.COUNTER, keys.INVOICE_COUNTER, consistent=True)
    found = batch.run()
    billing_keys = [BillingKey.from_raw_data(raw) for raw in found.get(BillingKey.Meta.table_name, [])]
    lock = next((k for k in billing_keys if k.kind == keys.ACTIVE_INVOICE), None)
    counter = next((k for k in billing_keys if k.kind == keys.COUNTER), None)
    return _RecordReads(
        first(found.get(model.Meta.table_name, []), model), lock, int(counter.value or 0) if counter else 0
    )


def invoice_generate_for_record(*, reference_type: str, reference_number: str) -> Invoice | None:
    """The one active invoice of a paid appointment or order; created at most once.

    Re-reads the record: an unpaid record gets no invoice (its marker is dropped), and when an
    active invoice exists already it is completed (PDF, email) instead of duplicated.

    A new invoice is rendered and its PDF stored first; then ONE transaction moves the counter,
    writes the invoice, takes the lock, links the record (still paid, same version), drops the
    pending marker and queues the confirmation email. A lost race re-reads and renders again
    under the same invoice id, so the stored PDF is simply replaced.
    """
    invoice_id = _new_invoice_id()
    for _ in range(_ISSUE_RETRIES):
        reads = _record_reads(reference_type, reference_number)
        record = reads.record
        if record is None or record.payment_status != "paid":
            keys.pending_clear(reference_type, reference_number)
            return None
        if reads.lock is not None:
            return invoice_complete(invoice_get(reads.lock.invoice_id)) if reads.lock.invoice_id else None
        invoice = _rendered_invoice(record, invoice_id, reads.counter + 1)
        email = _confirmation_email(invoice, invoice.s3_key or pdf_key(invoice_id))
        try:
            _issue_for_record(invoice, record, reads.counter, email)
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            continue  # counter moved, record changed, or another invoice took the lock: re-read
        if email is not None:
            email.enqueue()
        _announce_generated(invoice)
        return invoice
    raise Conflict("Could not allocate an invoice number; please try again")


def _rendered_invoice(record: records.Record, invoice_id: str, number: int) -> Invoice:
    """The invoice item of ``record`` numbered ``number``, with its PDF already stored."""
    draft = record_draft(record)
    draft.metadata["lines"] = _lines_meta(draft.lines)
    invoice = _invoice_item(draft, number)
    invoice.invoice_id = invoice_id
    data = pdf.render_invoice(_document(invoice))
    key = pdf_key(invoice_id)
    storage.save(key, data, "application/pdf")
    invoice.s3_key, invoice.file_size, invoice.file_url = key, len(data), invoice_link(invoice_id)
    invoice.updated_at = clock.epoch_now()
    return invoice


def _issue_for_record(invoice: Invoice, record: records.Record, current: int, email: OutboxEmail | None) -> None:
    model = type(record)
    counter = BillingKey(kind=keys.COUNTER, key=keys.INVOICE_COUNTER)
    counter_rule = BillingKey.value == current if current else BillingKey.value.does_not_exist()
    lock_key = keys.reference_key(invoice.reference_type, invoice.reference_number)
    with transaction() as write:
        write.update(counter, actions=[BillingKey.value.set(current + 1)], condition=counter_rule)
        write.save(invoice, condition=Invoice.invoice_id.does_not_exist())
        write.save(
            BillingKey(kind=keys.ACTIVE_INVOICE, key=lock_key, invoice_id=invoice.invoice_id),
            condition=BillingKey.key.does_not_exist(),
        )
        write.update(
            record,
            actions=[
                model.invoice_id.set(invoice.invoice_id),
                model.invoice_url.set(invoice_link(invoice.invoice_id)),
                model.updated_at.set(clock.epoch_now()),
            ],
            condition=model.payment_status == "paid",
        )
        write.delete(BillingKey(kind=keys.PENDING_INVOICE, key=lock_key))
        if email is not None:
            email.add_to(write)


def _announce_generated(invoice: Invoice) -> None:
    events.publish_to_staff(
        "invoice.generated",
        {
            "invoiceId": invoice.invoice_id,
            "invoiceNumber": invoice.invoice_number,
            "referenceNumber": invoice.reference_number,
            "referenceType": invoice.reference_type,
        },
    )


# --- cancel and reactivate ------------------------------------------------------------------------


def _cancel_write(invoice: Invoice) -> None:
    now = clock.epoch_now()
    lock = keys.active_lock_get(invoice.reference_type, invoice.reference_number)
    with transaction() as write:
        write.update(
            invoice,
            actions=[
                Invoice.status.set("cancelled"),
                Invoice.cancelled_at.set(now),
                Invoice.updated_at.set(now),
                Invoice.metadata["paymentStatus"].set("cancelled"),
            ],
            condition=Invoice.status == "generated",
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
    if invoice.status == "cancelled":
        raise ValidationError(f"Invoice {invoice_id} is already cancelled")
    try:
        _cancel_write(invoice)
    except TransactWriteError as error:
        raise Conflict(f"Invoice {invoice_id} changed meanwhile; please reload") from error
    invoice = invoice_get(invoice_id)
    if sync_record and invoice.reference_type in records.RECORD_TYPES:
        _record_payment_status(invoice, "cancelled", only_from=("paid",))
    if notify:
        _notify_change(invoice, "payment_cancelled", reason)
    events.publish_to_staff("invoice.cancelled", {"invoiceId": invoice_id, "referenceNumber": invoice.reference_number})
    return invoice


def invoice_reactivate(*, invoice_id: str, actor: StaffIdentity | None) -> Invoice:
    """Reactivate a cancelled invoice, refused while another invoice of its record is active."""
    invoice = invoice_get(invoice_id)
    if invoice.status != "cancelled":
        raise ValidationError(
            f"Invoice {invoice_id} is not cancelled and cannot be reactivated. Current status: {invoice.status}"
        )
    locked = invoice.reference_type in records.RECORD_TYPES
    try:
        with transaction() as write:
            write.update(
                invoice,
                actions=[
                    Invoice.status.set("generated"),
                    Invoice.cancelled_at.remove(),
                    Invoice.updated_at.set(clock.epoch_now()),
                    Invoice.metadata["paymentStatus"].set("completed"),
                ],
                condition=Invoice.status == "cancelled",
            )
            if locked:
                lock_key = keys.reference_key(invoice.reference_type, invoice.reference_number)
                lock = BillingKey(kind=keys.ACTIVE_INVOICE, key=lock_key, invoice_id=invoice_id)
                write.save(lock, condition=BillingKey.key.does_not_exist())
    except TransactWriteError as error:
        if locked and keys.active_lock_get(invoice.reference_type, invoice.reference_number) is not None:
            raise Conflict(
                f"Another active invoice exists for {invoice.reference_type} {invoice.reference_number}"
            ) from error
        raise Conflict(f"Invoice {invoice_id} changed meanwhile; please reload") from error
    invoice = invoice_get(invoice_id)
    if locked:
        _record_payment_status(invoice, "paid", only_from=("cancelled",))
    _notify_change(invoice, "payment_reactivated", "Invoice was reactivated by staff")
    events.publish_to_staff(
        "invoice.reactivated", {"invoiceId": invoice_id, "referenceNumber": invoice.reference_number}
    )
    return invoice


def _record_payment_status(invoice: Invoice, status: str, *, only_from: tuple[str, ...]) -> bool:
    record = records.record_get(invoice.reference_type, invoice.reference_number)
    if record is None or record.payment_status not in only_from:
        return False
    model = type(record)
    rule = model.payment_status.is_in(*only_from)
    changed = records.record_set_if(
        record, [model.payment_status.set(status), model.updated_at.set(clock.epoch_now())], rule
    )
    if changed and status != "paid":
        records.release_hold(invoice.reference_type, invoice.reference_number)
    return changed


def _notify_change(invoice: Invoice, email_type: str, reason: str) -> None:
    meta = invoice.metadata.as_dict() if invoice.metadata else {}
    email = meta.get("userEmail") or invoice.analytics_data.as_dict()["operation_data"].get("customerId", "")
    if "@" not in (email or ""):
        return
    today = clock.business_today().strftime("%d/%m/%Y")
    context = {
        "referenceNumber": invoice.reference_number,
        "referenceType": invoice.reference_type,
        "amount": meta.get("totalAmount", ""),
        "paymentMethod": meta.get("paymentMethod", ""),
        "invoiceId": invoice.invoice_id,
        "date": today,
        "reason": reason,
    }
    email_customer(
        email_type=email_type,
        to_email=email,
        to_name=meta.get("userName", ""),
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


# --- manual ("walk-in") invoices --------------------------------------------------------------


@dataclass(frozen=True)
class ManualItem:
    name: str
    description: str
    is_service: bool
    unit_price: Decimal
    quantity: int
    total: Decimal


def _manual_reference(payment_method: str, reference_number: str) -> tuple[str, str]:
    """(payment id, referenceType) following the original's naming of manual payments."""
    if reference_number:
        return f"{payment_method}_{reference_number}", "admin_set"
    payment_id = f"{payment_method}_inv_{uuid.uuid4().hex[:8]}"
    # The original derived the type from the second "_" token, so bank_transfer_inv_... is admin_set.
    reference_type = "invoice_id" if payment_id.split("_")[1] == "inv" else "admin_set"
    return payment_id, reference_type


def _manual_draft(
    *,
    payment_method: str,
    reference_number: str,
    customer: dict[str, str],
    vehicle: dict[str, str],
    items: list[ManualItem],
    payment_day: dt.date,
) -> Draft:
    payment_id, reference_type = _manual_reference(payment_method, reference_number)
    contact = records.Contact(customer["name"], customer.get("email") or "", customer.get("phone") or "")
    vehicle_text = " ".join(part for part in (vehicle["make"], vehicle["model"], vehicle.get("year", "")) if part)
    lines = [
        pdf.Line(
            item.name,
            f"{item.description}{vehicle_text}" if item.description else vehicle_text,
            item.quantity,
            item.unit_price,
        )
        for item in items
    ]
    total = to_money(sum((item.total for item in items), Decimal(0)))
    services = [{"service_name": i.name, "price": money_str(i.total)} for i in items if i.is_service]
    orders = [
        {
            "item_name": i.name,
            "unit_price": money_str(i.unit_price),
            "quantity": str(i.quantity),
            "total_price": money_str(i.total),
        }
        for i in items
        if not i.is_service
    ]
    analytics = {
        "operation_type": "transaction",
        "operation_data": {
            "services": services,
            "orders": orders,
            "customerId": contact.email,
            "vehicleDetails": {"make": vehicle["make"], "model": vehicle["model"], "year": vehicle.get("year", "")},
            "paymentDetails": {
                "payment_method": payment_method,
                "amount": money_str(total),
                "date": _ddmmyyyy(payment_day),
                "paid_before_operation": 0,
            },
            "bookingDetails": {"bookedBy": "NONE", "bookedDate": "", "bookedAt": ""},
            "effectiveDate": _ddmmyyyy(payment_day),
        },
    }
    metadata = {
        "userName": contact.name,
        "userEmail": contact.email or "N/A",
        "userPhone": contact.phone,
        "vehicleMake": vehicle["make"],
        "vehicleModel": vehicle["model"],
        "vehicleYear": vehicle.get("year", ""),
        "items": [item.name for item in items],
        "paymentMethod": payment_method,
        "paymentDate": _ddmmyyyy(payment_day),
        "paymentStatus": "completed",
        "totalAmount": money_str(total),
        "invoiceFormat": "pdf",
        "lines": _lines_meta(lines),
    }
    return Draft(
        payment_id,
        payment_id,
        reference_type,
        lines,
        contact,
        payment_method,
        payment_day,
        metadata,
        analytics,
        payment_day,
    )


def invoice_create_manual(
    *,
    actor: StaffIdentity,
    payment_method: str,
    reference_number: str,
    customer: dict[str, str],
    vehicle: dict[str, str],
    items: list[ManualItem],
    payment_date: str,
) -> Invoice:
    """A walk-in tax invoice, numbered like every other, with its PDF generated right away."""
    payment_day = parse_any_date(payment_date) if payment_date else clock.business_today()
    if payment_day is None:
        raise ValidationError("transaction_data.payment_date is not a recognised date")
    draft = _manual_draft(
        payment_method=payment_method,
        reference_number=reference_number,
        customer=customer,
        vehicle=vehicle,
        items=items,
        payment_day=payment_day,
    )
    draft.metadata["createdBy"] = actor.user_id
    invoice = invoice_issue(draft, locked=False)
    if invoice is None:  # only a locked issue can be refused
        raise Conflict("The invoice could not be created; please try again")
    return invoice_complete(invoice)


def invoice_pdf_link(*, invoice_id: str, staff: StaffIdentity | None, user_id: str, signature: str = "") -> str:
    """A fresh expiring link to the PDF for staff who may view invoices, the holder of a signed
    customer link (``links.invoice_pdf``), or the record's customer by id."""
    from autolab.permissions import Permission

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
            Invoice.analytics_data["operation_data"]["effectiveDate"].set(_ddmmyyyy(day)),
            Invoice.effective_month.set(day.strftime("%Y-%m")),
            Invoice.effective_day.set(day.isoformat()),
            Invoice.updated_at.set(clock.epoch_now()),
        ],
        condition=Invoice.status == "generated",
    )
    return invoice.invoice_id
