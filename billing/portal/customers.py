"""The customer record page: one customer's bookings, orders, payments, invoices, chat messages,
emails and inquiries, newest first in one list, with what staff do from there (open the chat, send
an email, book or order for them, each record's own page and money history), and the privacy
actions for an admin: export everything (JSON) and anonymise on request (billing.privacy).

It is billing's page because it combines every app and only billing may use them all
(devtools/imports.py); chat's customer page links here."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from autolab.permissions import Permission, StaffIdentity, staff_required
from billing import privacy, records
from billing.customers import CustomerRecord, customer_record
from billing.pdf import method_label
from billing.portal.common import detail_url, invoice_row, page, payments_url
from staffapp.actions import post_action
from staffapp.rendering import or_404, render_page
from staffapp.templatetags.staff_format import money

PREVIEW = 80  # characters of a message shown in the list
PRIVACY = (Permission.CUSTOMER_PRIVACY,)
CONFIRM_WORD = "ANONYMISE"


@dataclass(frozen=True)
class Row:
    """One line of the record: when, what kind, what (linked to its page), its status, and more links."""

    at: int  # epoch seconds
    kind: str
    text: str
    url: str
    status: str = ""
    links: tuple[tuple[str, str], ...] = ()


def _preview(text: str | None) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= PREVIEW else flat[: PREVIEW - 1] + "…"


def _record_rows(found: CustomerRecord) -> list[Row]:
    rows = []
    for appointment in found.appointments:
        car = " ".join(part for part in (appointment.car_year, appointment.car_make, appointment.car_model) if part)
        url = reverse("admin:bookings-appointment", kwargs={"appointment_id": appointment.appointment_id})
        rows.append(
            Row(
                appointment.created_at,
                "Booking",
                f"{records.reference_label('appointment', appointment.appointment_id)} · {car}",
                url,
                appointment.status,
                (("Money", payments_url("appointment", appointment.appointment_id)),),
            )
        )
    for order in found.orders:
        url = reverse("admin:shop-order-detail", kwargs={"order_id": order.order_id})
        items = sum(line.quantity for line in order.items)
        text = f"{records.reference_label('order', order.order_id)} · {items} item{'s' if items != 1 else ''}"
        rows.append(
            Row(
                order.created_at,
                "Order",
                f"{text} · {money(order.total_price)}",
                url,
                order.status,
                (("Money", payments_url("order", order.order_id)),),
            )
        )
    return rows


def _manual_payment_rows(found: CustomerRecord) -> list[Row]:
    """Cash and bank transfers: recorded on the record itself (only card payments have a Payment)."""
    carded = {payment.payment_intent_id for payment in found.payments}
    rows = []
    for record in found.records:
        at = record.paid_at or record.payment_confirmed_at
        if not at or (record.payment_intent_id and record.payment_intent_id in carded):
            continue
        kind, number = records.record_type_of(record), records.record_id_of(record)
        amount = money(record.payment_amount or records.record_amount(record))
        text = f"{amount} by {method_label(record.payment_method or '')} for {records.reference_label(kind, number)}"
        rows.append(Row(at, "Payment", text, payments_url(kind, number), record.payment_status))
    return rows


def _money_rows(found: CustomerRecord) -> list[Row]:
    rows = _manual_payment_rows(found)
    for payment in found.payments:
        reference = records.reference_label(payment.type, payment.reference_number)
        url = payments_url(payment.type, payment.reference_number)
        rows.append(
            Row(payment.created_at, "Payment", f"{money(payment.amount)} by card for {reference}", url, payment.status)
        )
    for invoice in found.invoices:
        row = invoice_row(invoice)
        text = f"Tax invoice {row.number or ''} · {money(row.total)}{f' · {row.method}' if row.method else ''}"
        pdf = reverse("admin:billing-invoice-pdf", kwargs={"invoice_id": invoice.invoice_id})
        links = (("PDF", pdf),) if row.has_pdf else ()
        rows.append(Row(invoice.created_at, "Invoice", text, detail_url(invoice.invoice_id), invoice.status, links))
    return rows


def _contact_rows(found: CustomerRecord) -> list[Row]:
    customer_id = found.customer.user_id
    chat = reverse("admin:chat-conversation", kwargs={"client_id": customer_id})
    rows = [
        Row(
            message.created_at,
            "Chat",
            f"{'Customer' if message.sender_id == customer_id else 'Staff'}: {_preview(message.message)}",
            chat,
        )
        for message in found.messages
    ]
    for email in found.emails:
        thread = reverse("admin:email-thread", kwargs={"thread_id": email.thread_id or email.message_id})
        direction = "Received" if email.status == "received" else "Sent"
        subject = email.subject or (email.email_type or "email").replace("_", " ")
        rows.append(
            Row(email.created_at // 1000, "Email", f"{direction}: {_preview(subject)}", thread, email.status or "")
        )
    for inquiry in found.inquiries:
        url = reverse("admin:chat-inquiry", kwargs={"inquiry_id": inquiry.inquiry_id})
        rows.append(Row(inquiry.created_at, "Inquiry", _preview(inquiry.message), url, inquiry.status))
    return rows


# Each kind is shown to the staff who may open its pages.
_SHOWN: dict[str, Permission] = {
    "Booking": Permission.APPOINTMENT_VIEW_ALL,
    "Order": Permission.ORDER_VIEW_ALL,
    "Payment": Permission.INVOICE_VIEW,
    "Invoice": Permission.INVOICE_VIEW,
    "Chat": Permission.CHAT_INBOX,
    "Email": Permission.EMAIL_VIEW,
    "Inquiry": Permission.INQUIRY_VIEW,
}
_SOURCES: tuple[Callable[[CustomerRecord], list[Row]], ...] = (_record_rows, _money_rows, _contact_rows)


def timeline(found: CustomerRecord, staff: StaffIdentity) -> list[Row]:
    """Every row ``staff`` may see, newest first across kinds."""
    rows = [row for source in _SOURCES for row in source(found) if staff.has(_SHOWN[row.kind])]
    return sorted(rows, key=lambda row: row.at, reverse=True)


def _record_or_404(user_id: str) -> CustomerRecord:
    return or_404(customer_record(user_id), "Customer not found")


@page("customers/<str:user_id>/record/", "billing-customer-record", "Customer record", (Permission.USERS_VIEW,))
@require_GET
def customer_record_page(request: HttpRequest, user_id: str) -> HttpResponse:
    found = _record_or_404(user_id)
    staff = staff_required(request)
    rows = timeline(found, staff)
    kinds = sorted({row.kind for row in rows})
    context = {
        "customer": found.customer,
        "rows": rows,
        "kinds": kinds,
        "email": found.customer.user_email or "",
        "can_chat": staff.has(Permission.CHAT_INBOX),
        "can_email": staff.has(Permission.EMAIL_SEND),
        "can_book": staff.has(Permission.APPOINTMENT_BOOK_FOR_CUSTOMER),
        "can_order": staff.has(Permission.ORDER_CREATE_FOR_CUSTOMER),
        "can_privacy": staff.has(Permission.CUSTOMER_PRIVACY),
    }
    title = found.customer.user_name or "Customer"
    return render_page(request, "billing/customer_record.html", context, title=title)


@page("customers/<str:user_id>/export/", "billing-customer-export", "Export customer data", PRIVACY)
@require_http_methods(["GET", "POST"])
def customer_export_page(request: HttpRequest, user_id: str) -> HttpResponse:
    """GET: what the export holds; POST: the JSON download (and its audit entry)."""
    found = _record_or_404(user_id)
    if request.method == "POST":
        data = privacy.customer_export(user_id=user_id, actor=staff_required(request))
        response = HttpResponse(json.dumps(data, indent=2, default=str), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="customer-{user_id}.json"'
        return response
    context = {"customer": found.customer, "kept": privacy.KEPT}
    return render_page(request, "billing/customer_export.html", context, title="Export customer data")


class AnonymiseForm(forms.Form):
    confirm = forms.CharField(
        label=f"Type {CONFIRM_WORD} to confirm",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_confirm(self) -> str:
        typed = self.cleaned_data["confirm"].strip()
        if typed.upper() != CONFIRM_WORD:
            raise forms.ValidationError(f"Type {CONFIRM_WORD} to confirm; nothing was changed.")
        return typed


def _anonymised_message(done: privacy.Anonymised) -> str:
    parts = [
        f"{done.appointments} bookings",
        f"{done.orders} orders",
        f"{done.chat_messages} chat messages",
        f"{done.emails} emails",
        f"{done.inquiries} inquiries",
    ]
    return f"Customer anonymised ({', '.join(parts)} changed in this run). Invoices were kept."


@page("customers/<str:user_id>/anonymise/", "billing-customer-anonymise", "Anonymise customer", PRIVACY)
@require_http_methods(["GET", "POST"])
def customer_anonymise_page(request: HttpRequest, user_id: str) -> HttpResponse:
    found = _record_or_404(user_id)
    form = AnonymiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = post_action(
            request,
            lambda: privacy.customer_anonymise(user_id=user_id, actor=staff_required(request)),
            success=_anonymised_message,
            redirect_to=reverse("admin:billing-customer-record", kwargs={"user_id": user_id}),
            form=form,
        )
        if done:
            return done
    context: dict[str, Any] = {
        "customer": found.customer,
        "form": form,
        "kept": privacy.KEPT,
        "counts": {
            "bookings": len(found.appointments),
            "orders": len(found.orders),
            "invoices": len(found.invoices),
            "inquiries": len(found.inquiries),
        },
    }
    return render_page(request, "billing/customer_anonymise.html", context, title="Anonymise customer")
