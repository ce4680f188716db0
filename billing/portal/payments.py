"""A record's payments page: the buyer's ABN for its invoice (asked for when the invoice will be
$1,000 or more, before payment), confirm cash, bank transfer or card with one choice, revert on its own
confirmation page, the record's invoice (status, PDF), updated live while it is generated, and its
money history with the refund action (billing.portal.refunds)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from autolab.money import from_cents
from autolab.permissions import Permission, staff_required
from autolab.workflow import PaymentStatus
from billing import forms, records, selectors
from billing.invoices.documents import invoice_document
from billing.models import Invoice, InvoiceStatus
from billing.pdf import abn_display, invoice_title, method_label
from billing.portal.common import VIEW, invoice_row, live_state, page, payments_url, record_or_404, require, staff_name
from billing.portal.refunds import money_history, refund_left_cents
from billing.serializers import manual_confirmed_message
from billing.services.buyer import buyer_abn_set, needs_buyer_identity
from billing.services.manual_payments import manual_payment_confirm, manual_payment_revert
from staffapp.actions import post_action
from staffapp.rendering import render_page


def _active_invoice(record: records.Record) -> Invoice | None:
    return Invoice.get_by_id(record.invoice_id) if record.invoice_id else None


def _live_url(record_type: str, record_id: str) -> str:
    return reverse("admin:billing-payments-invoice", kwargs={"record_type": record_type, "record_id": record_id})


@page(
    "billing/payments/<str:record_type>/<str:record_id>/",
    "billing-payments",
    "Payments",
    VIEW,
)
@require_http_methods(["GET", "POST"])
def payments_record(request: HttpRequest, record_type: str, record_id: str) -> HttpResponse:
    record = record_or_404(record_type, record_id)
    setting_abn = request.POST.get("action") == "buyer-abn"
    form = forms.ConfirmPaymentForm(None if setting_abn else request.POST or None)
    abn_form = forms.BuyerAbnForm(request.POST if setting_abn else None, initial={"buyer_abn": record.buyer_abn})
    if setting_abn:
        staff = require(request, Permission.PAYMENT_CONFIRM_MANUAL)
        if abn_form.is_valid():
            return post_action(
                request,
                lambda: buyer_abn_set(
                    actor=staff,
                    record_type=record_type,
                    reference_number=record_id,
                    abn=abn_form.cleaned_data["buyer_abn"],
                ),
                success=lambda abn: f"Buyer's ABN {abn_display(abn)} recorded." if abn else "Buyer's ABN removed.",
                redirect_to=payments_url(record_type, record_id),
            )
    elif request.method == "POST":
        staff = require(request, Permission.PAYMENT_CONFIRM_MANUAL)
        if form.is_valid():
            return post_action(
                request,
                lambda: manual_payment_confirm(
                    actor=staff,
                    record_type=record_type,
                    reference_number=record_id,
                    payment_method=form.cleaned_data["payment_method"],
                ),
                success=lambda outcome: (
                    f"{manual_confirmed_message(outcome.payment_method)}. The {invoice_title().lower()} is being generated."
                ),
                redirect_to=payments_url(record_type, record_id),
            )
    active = _active_invoice(record)
    paid = record.payment_status == PaymentStatus.PAID
    context = {
        "record": record,
        "record_type": record_type,
        "record_id": record_id,
        "short_id": record_id[:8].upper(),
        "form": form,
        "abn_form": abn_form,
        "needs_buyer_identity": needs_buyer_identity(records.record_amount(record)),
        "buyer_abn": abn_display(record.buyer_abn) if record.buyer_abn else "",
        "amount": records.record_amount(record),
        "contact": records.record_contact(record),
        "method": method_label(record.payment_method or ""),
        "confirmed_by": staff_name(record.payment_confirmed_by),
        "active": invoice_row(active) if active is not None else None,
        "active_doc": invoice_document(active) if active is not None else None,
        "generating": paid and (active is None or not active.file_url),
        "live_url": _live_url(record_type, record_id),
        "invoices": [invoice_row(i) for i in selectors.invoices_for_reference(record_id)],
        "payments": selectors.payments_for_reference(record_id),
        "can_confirm": staff_required(request).has(Permission.PAYMENT_CONFIRM_MANUAL),
        "history": money_history(record, record_id),
        "refund_left": from_cents(refund_left_cents(record, record_type, record_id)),
        "can_revert": paid,
        "can_take_payment": not paid and record.status != "CANCELLED",
    }
    title = f"Payment of {record_type} {record_id[:8].upper()}"
    return render_page(request, "billing/payments.html", context, title=title)


@page(
    "billing/payments/<str:record_type>/<str:record_id>/invoice.json",
    "billing-payments-invoice",
    "Invoice of a record (live)",
    VIEW,
)
@require_GET
def payments_invoice_state(request: HttpRequest, record_type: str, record_id: str) -> JsonResponse:
    """The record's invoice for the payments page's live update (billing/invoice-live.js)."""
    record = record_or_404(record_type, record_id)
    active = _active_invoice(record)
    return JsonResponse(live_state(active, waiting=record.payment_status == PaymentStatus.PAID))


def revert_recipient(record: records.Record) -> records.Contact | None:
    """Who the revert emails (payment_cancelled_notify's rule: a contact with an address)."""
    contact = records.record_contact(record)
    return contact if "@" in contact.email else None


@page(
    "billing/payments/<str:record_type>/<str:record_id>/revert/",
    "billing-payment-revert",
    "Revert payment",
    (Permission.PAYMENT_CONFIRM_MANUAL,),
)
@require_http_methods(["GET", "POST"])
def payment_revert(request: HttpRequest, record_type: str, record_id: str) -> HttpResponse:
    record = record_or_404(record_type, record_id)
    if request.method == "POST":
        return post_action(
            request,
            lambda: manual_payment_revert(
                actor=staff_required(request), record_type=record_type, reference_number=record_id
            ),
            success="Payment confirmation reverted; the invoice was cancelled.",
            redirect_to=payments_url(record_type, record_id),
        )
    active = _active_invoice(record)
    context: dict[str, Any] = {
        "record": record,
        "record_type": record_type,
        "record_id": record_id,
        "short_id": record_id[:8].upper(),
        "amount": records.record_amount(record),
        "method": method_label(record.payment_method or ""),
        "recipient": revert_recipient(record),
        "active": invoice_row(active) if active is not None and active.status == InvoiceStatus.GENERATED else None,
        "is_paid": record.payment_status == PaymentStatus.PAID,
    }
    return render_page(request, "billing/payment_revert.html", context, title="Revert payment")
