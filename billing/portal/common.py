"""What the billing portal pages share: permissions, the page decorator, a record by URL, staff
names, and an invoice as its list row and live-update answer show it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse

from autolab.permissions import Permission, StaffIdentity, staff_required
from billing import records
from billing.models import Invoice
from billing.pdf import method_label
from staffapp.selectors import staff_get_by_user_id
from staffapp.sites import portal_site
from staffapp.templatetags.staff_format import label

SECTION = "Billing"
VIEW = (Permission.INVOICE_VIEW, Permission.PAYMENT_CONFIRM_MANUAL)


def page(
    route: str, name: str, title: str, permissions: tuple[Permission, ...], *, order: int = 100, in_index: bool = False
) -> Any:
    return portal_site.register_page(
        section=SECTION, title=title, route=route, name=name, permissions=permissions, order=order, in_index=in_index
    )


def require(request: HttpRequest, permission: Permission) -> StaffIdentity:
    staff = staff_required(request)
    if staff is None or not staff.has(permission):
        raise PermissionDenied
    return staff


def payments_url(record_type: str, record_id: str) -> str:
    return reverse("admin:billing-payments", kwargs={"record_type": record_type, "record_id": record_id})


def detail_url(invoice_id: str) -> str:
    return reverse("admin:billing-invoice-detail", kwargs={"invoice_id": invoice_id})


def record_or_404(record_type: str, record_id: str) -> records.Record:
    if record_type not in records.RECORD_TYPES:
        raise Http404("Unknown record type")
    record = records.record_get(record_type, record_id)
    if record is None:  # not or_404: mypy would widen the Appointment | Order union to DynamoModel
        raise Http404(f"{record_type.capitalize()} not found")
    return record


def form_errors(form: Any) -> list[str]:
    """A filter form's errors, each named by its field ("From: Enter a valid date.")."""
    errors = []
    for name, messages in form.errors.items():
        field = form.fields.get(name)
        errors += [f"{field.label}: {m}" if field is not None else str(m) for m in messages]
    return errors


def staff_name(user_id: str | None) -> str:
    """The staff member's name for a stored user id ("" when there is none, "a former staff member"
    when the account is gone): a page never shows the id."""
    if not user_id:
        return ""
    staff = staff_get_by_user_id(user_id)
    return staff.user_name if staff else "a former staff member"


@dataclass(frozen=True)
class InvoiceRow:
    """An invoice as the lists and the live update show it."""

    invoice_id: str
    number: int | None
    day: str  # YYYY-MM-DD, the effective (job) day
    customer: str
    email: str
    reference: str
    reference_url: str | None  # the record's payments page
    total: Decimal | None
    method: str
    status: str
    has_pdf: bool

    @property
    def status_label(self) -> str:
        return label(self.status)


def invoice_row(invoice: Invoice) -> InvoiceRow:
    meta = invoice.metadata.as_dict() if invoice.metadata else {}
    email = meta.get("userEmail") or ""
    is_record = invoice.reference_type in records.RECORD_TYPES
    return InvoiceRow(
        invoice_id=invoice.invoice_id,
        number=invoice.invoice_number,
        day=invoice.effective_day or "",
        customer=meta.get("userName") or "",
        email="" if email == "N/A" else email,
        reference=records.reference_label(invoice.reference_type, invoice.reference_number),
        reference_url=payments_url(invoice.reference_type, invoice.reference_number) if is_record else None,
        total=Decimal(meta["totalAmount"]) if meta.get("totalAmount") else None,
        method=method_label(meta.get("paymentMethod") or ""),
        status=invoice.status,
        has_pdf=bool(invoice.file_url),
    )


def live_state(invoice: Invoice | None, *, waiting: bool) -> dict[str, Any]:
    """The JSON the invoice live update (billing/invoice-live.js) polls: ``ready`` once the
    invoice and its PDF exist, ``generating`` while the worker is on it, ``none`` otherwise."""
    if invoice is None or not invoice.file_url:
        return {"state": "generating" if waiting or invoice is not None else "none"}
    row = invoice_row(invoice)
    return {
        "state": "ready",
        "invoiceId": row.invoice_id,
        "number": row.number,
        "status": row.status,
        "statusLabel": row.status_label,
        "statusClass": f"status-{row.status}",
        "detailUrl": detail_url(row.invoice_id),
        "pdfUrl": reverse("admin:billing-invoice-pdf", kwargs={"invoice_id": row.invoice_id}),
    }
