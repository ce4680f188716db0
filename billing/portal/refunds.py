"""A record's money history (payments, invoices, refunds, adjustment notes, newest first) and the
ADMIN refund action: a form, then a confirmation naming amount, method and recipient, then the
refund service the API calls. The form's idempotency key is made when the form is first shown and
carried through the confirmation, so a double submit or a browser retry gives one refund."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from autolab import storage
from autolab.exceptions import ApplicationError, ValidationError
from autolab.money import from_cents, money_display, to_cents
from autolab.permissions import Permission, staff_required
from autolab.workflow import PaymentStatus
from billing import forms, records, selectors
from billing.adjustments.delivery import note_pdf_ensure
from billing.adjustments.pdf import note_title
from billing.adjustments.refunds import RefundRequest, paid_cents, refund_create, refunded_cents
from billing.models import Refund, RefundMethod, RefundStatus
from billing.pdf import invoice_title, method_label
from billing.portal.common import VIEW, detail_url, invoice_row, page, payments_url, record_or_404, staff_name
from staffapp.actions import post_action
from staffapp.rendering import render_page
from staffapp.templatetags.staff_format import label

_METHOD_NAMES: dict[str, str] = {
    RefundMethod.CARD: "Card (Stripe)",
    RefundMethod.CASH: "Cash",
    RefundMethod.BANK_TRANSFER: "Bank transfer",
}


@dataclass(frozen=True)
class HistoryRow:
    """One money event of a record as the history table shows it."""

    at: int  # epoch seconds
    kind: str
    text: str
    amount: Decimal | None
    status: str
    link: str | None = None
    link_text: str = ""

    @property
    def status_label(self) -> str:
        return label(self.status)


def _payment_rows(record: records.Record, record_id: str) -> list[HistoryRow]:
    rows = [
        HistoryRow(p.created_at, "Payment", f"Card payment (Stripe) {p.payment_intent_id}", p.amount, p.status)
        for p in selectors.payments_for_reference(record_id)
    ]
    if record.payment_confirmed_at and record.payment_method != "stripe":  # cash or bank: no Payment item
        amount = record.payment_amount if record.payment_amount is not None else records.record_amount(record)
        by = staff_name(record.payment_confirmed_by)
        text = f"Payment confirmed: {method_label(record.payment_method or '')}" + (f" by {by}" if by else "")
        rows.append(HistoryRow(record.payment_confirmed_at, "Payment", text, amount, PaymentStatus.PAID))
    return rows


def money_history(record: records.Record, record_id: str) -> list[HistoryRow]:
    """Everything money did on the record, newest first: one Query per index, never a Scan."""
    rows = _payment_rows(record, record_id)
    for invoice in selectors.invoices_for_reference(record_id):
        row = invoice_row(invoice)
        text = f"{invoice_title()} {row.number}"
        rows.append(
            HistoryRow(invoice.created_at, "Invoice", text, row.total, row.status, detail_url(row.invoice_id), text)
        )
    for refund in selectors.refunds_for_reference(record_id):
        by = "Stripe's dashboard" if refund.refunded_by == "stripe-dashboard" else staff_name(refund.refunded_by)
        text = f"Refund by {_METHOD_NAMES.get(refund.method, refund.method)}" + (f" by {by}" if by else "")
        text += f": {refund.reason}" if refund.reason else ""
        rows.append(HistoryRow(refund.created_at, "Refund", text, from_cents(refund.amount_cents), refund.status))
    for note in selectors.notes_for_reference(record_id):
        text = f"{note_title()} {note.note_number}"  # the PDF's own name
        url = reverse("admin:billing-note-pdf", kwargs={"note_id": note.note_id})
        rows.append(
            HistoryRow(note.created_at, "Adjustment note", text, from_cents(note.amount_cents), "issued", url, text)
        )
    return sorted(rows, key=lambda r: r.at, reverse=True)


def refund_left_cents(record: records.Record, record_type: str, record_id: str) -> int:
    """What may still be refunded (0 for a record not paid)."""
    if record.payment_status not in (PaymentStatus.PAID, PaymentStatus.REFUNDED):
        return 0
    return max(paid_cents(record) - refunded_cents(record_type, record_id), 0)


def _stripe_paid(record: records.Record) -> bool:
    return record.payment_method == "stripe" and bool(record.payment_intent_id)


def _recipient(record: records.Record, method: str) -> str:
    contact = records.record_contact(record)
    who = contact.name or "the customer"
    reach = contact.email or contact.phone
    person = f"{who} ({reach})" if reach else who
    if method == RefundMethod.CARD:
        return f"the card that paid (Stripe payment {record.payment_intent_id}), belonging to {person}"
    return person


def _new_form(record: records.Record, left: int, data: Any = None) -> forms.RefundForm:
    initial = {"amount": from_cents(left), "idempotency_key": uuid.uuid4().hex}
    return forms.RefundForm(data, initial=initial, stripe_paid=_stripe_paid(record))


def _refund(request: HttpRequest, record_type: str, record_id: str, data: dict[str, Any]) -> Refund:
    refund = refund_create(
        RefundRequest(
            record_type=record_type,
            reference_number=record_id,
            amount_cents=to_cents(data["amount"]),
            method=data["method"],
            idempotency_key=data["idempotency_key"],
            refunded_by=staff_required(request).user_id,
            notes=data["notes"],
            reason=data["reason"],
        )
    )
    if refund.status == RefundStatus.FAILED:  # Stripe refused it: say so, not "recorded"
        raise ValidationError("Stripe refused the refund; no money was returned")
    return refund


def _refunded_message(refund: Refund) -> str:
    amount = money_display(from_cents(refund.amount_cents))
    if refund.status == RefundStatus.PENDING:
        return f"Refund of {amount} asked of Stripe; it is settled when Stripe confirms it."
    return f"Refund of {amount} recorded. An adjustment note is issued and emailed to the customer."


@page(
    "billing/payments/<str:record_type>/<str:record_id>/refund/",
    "billing-payment-refund",
    "Refund payment",
    (Permission.PAYMENT_CONFIRM_MANUAL,),
)
@require_http_methods(["GET", "POST"])
def payment_refund(request: HttpRequest, record_type: str, record_id: str) -> HttpResponse:
    record = record_or_404(record_type, record_id)
    left = refund_left_cents(record, record_type, record_id)
    form = _new_form(record, left, request.POST or None)
    confirm = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "confirm" in request.POST:
            done = post_action(
                request,
                lambda: _refund(request, record_type, record_id, data),
                success=_refunded_message,
                redirect_to=payments_url(record_type, record_id),
                stay_on_error=True,
            )
            if done is not None:
                return done
            form = _form_after_error(record, left, form)
        elif to_cents(data["amount"]) > left:
            form.add_error("amount", f"That is more than is left to refund ({money_display(from_cents(left))}).")
        else:
            confirm = True
    context = _refund_context(record, record_type, record_id, left, form, confirm)
    return render_page(request, "billing/payment_refund.html", context, title="Refund payment")


def _form_after_error(record: records.Record, left: int, failed: forms.RefundForm) -> forms.RefundForm:
    """The form again (the service's message is shown above it) with a fresh key: the refused
    attempt may be recorded as failed under the old one, and a second try must be a new refund."""
    data = dict(failed.data.items())
    data["idempotency_key"] = uuid.uuid4().hex
    data.pop("confirm", None)
    return _new_form(record, left, data)


def _refund_context(
    record: records.Record, record_type: str, record_id: str, left: int, form: forms.RefundForm, confirm: bool
) -> dict[str, Any]:
    data = form.cleaned_data if confirm else {}
    return {
        "record": record,
        "record_type": record_type,
        "record_id": record_id,
        "short_id": record_id[:8].upper(),
        "form": form,
        "confirm": confirm,
        "left": from_cents(left),
        "paid": from_cents(paid_cents(record)) if left else None,
        "amount": data.get("amount"),
        "method_name": _METHOD_NAMES.get(data.get("method", ""), ""),
        "recipient": _recipient(record, data["method"]) if confirm else "",
    }


@page("billing/notes/<str:note_id>/pdf/", "billing-note-pdf", "Adjustment note PDF", VIEW)
@require_GET
def note_pdf(request: HttpRequest, note_id: str) -> HttpResponse:
    """A fresh expiring link to the note's PDF (rendered now if the worker has not yet)."""
    note = selectors.note_find(note_id)
    if note is None:
        raise Http404("Adjustment note not found")
    try:
        key = note_pdf_ensure(note)
    except ApplicationError as error:
        raise Http404(error.message) from error
    return HttpResponseRedirect(storage.download_url(key, filename=f"adjustment-note-{note.note_number}.pdf"))
