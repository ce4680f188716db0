"""Invoice pages: the list (search, periods, sort), the PDF, the detail page with its lines and GST
(updated live while the PDF is generated), and cancel/reactivate on a confirmation page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from autolab.exceptions import ApplicationError
from autolab.permissions import Permission, staff_required
from billing import forms, records, selectors
from billing.invoices.dates import parse_any_date
from billing.invoices.documents import invoice_document, invoice_pdf_link
from billing.invoices.lifecycle import invoice_cancel, invoice_reactivate, invoice_recipient
from billing.models import Invoice, InvoiceStatus
from billing.pdf import invoice_title
from billing.periods import PRESETS
from billing.portal.common import detail_url, form_errors, invoice_row, live_state, page, staff_name
from staffapp.actions import post_action
from staffapp.paging import cursor_page
from staffapp.rendering import or_404, render_page

PAGE_SIZE = 25
VIEW = (Permission.INVOICE_VIEW,)


def _preset_links(form: forms.InvoiceFilterForm) -> list[dict[str, Any]]:
    """One link per period, keeping the search and the order (one click, no date typing)."""
    keep = {k: form.data.get(k) for k in ("q", "sort") if form.data.get(k)}
    current = form.data.get("preset", "")
    links = [
        {
            "label": "Any date",
            "url": "?" + urlencode(keep),
            "current": not any(form.data.get(k) for k in ("preset", "start_date", "end_date")),
        }
    ]
    for value, text in PRESETS:
        links.append({"label": text, "url": "?" + urlencode({**keep, "preset": value}), "current": current == value})
    return links


@page("billing/invoices/", "billing-invoices", "Invoices", VIEW, order=40, in_index=True)
@require_GET
def invoice_list(request: HttpRequest) -> HttpResponse:
    form = forms.InvoiceFilterForm(forms.with_preset_dates(request.GET, forms.InvoiceFilterForm.NAMES))
    staff = staff_required(request)
    context: dict[str, Any] = {
        "form": form,
        "errors": form_errors(form),
        "invoices": [],
        "is_first": True,  # the pager shows only for a listing page that has another
        "presets": _preset_links(form),
        "can_cancel": staff.has(Permission.INVOICE_CANCEL),
        "can_create": staff.has(Permission.INVOICE_CREATE_MANUAL),
    }
    if form.is_valid():
        data = form.cleaned_data
        period = {"start": data.get("start_date"), "end": data.get("end_date"), "newest_first": data["newest_first"]}
        if data["q"]:
            found = selectors.invoice_search(data["q"], **period)
            context.update(invoices=[invoice_row(i) for i in found], searched=data["q"])
        else:
            result = cursor_page(
                request, lambda cursor: selectors.invoice_page(**period, limit=PAGE_SIZE, cursor=cursor)
            )
            context.update(invoices=[invoice_row(i) for i in result.items], **result.pager)
    return render_page(request, "billing/invoice_list.html", context, title="Invoices")


@page("billing/invoices/<str:invoice_id>/pdf/", "billing-invoice-pdf", "Invoice PDF", VIEW)
def invoice_pdf(request: HttpRequest, invoice_id: str) -> HttpResponse:
    try:
        return HttpResponseRedirect(invoice_pdf_link(invoice_id=invoice_id, staff=staff_required(request), user_id=""))
    except ApplicationError as error:
        raise Http404(error.message) from error


@page("billing/invoices/<str:invoice_id>/state.json", "billing-invoice-state", "Invoice state (live)", VIEW)
@require_GET
def invoice_state(request: HttpRequest, invoice_id: str) -> JsonResponse:
    """The invoice for the detail page's live update (billing/invoice-live.js); 404 when unknown."""
    invoice = or_404(selectors.invoice_find(invoice_id), "Invoice not found")
    return JsonResponse(live_state(invoice, waiting=True))


@page(
    "billing/invoices/<str:invoice_id>/<str:action>/",
    "billing-invoice-action",
    "Cancel or reactivate invoice",
    (Permission.INVOICE_CANCEL,),
)
@require_http_methods(["GET", "POST"])
def invoice_action(request: HttpRequest, invoice_id: str, action: str) -> HttpResponse:
    if action not in ("cancel", "reactivate"):
        raise Http404("Invoice not found")
    invoice = or_404(selectors.invoice_find(invoice_id), "Invoice not found")
    if request.method == "POST":
        return post_action(
            request,
            lambda: _invoice_change(request, invoice_id, action),
            success=f"Invoice {invoice.invoice_number} {'cancelled' if action == 'cancel' else 'reactivated'}.",
            redirect_to=detail_url(invoice_id),
        )
    context = {
        "invoice": invoice_row(invoice),
        "action": action,
        "recipient": invoice_recipient(invoice),
        "is_record": invoice.reference_type in records.RECORD_TYPES,
        "reference_type": invoice.reference_type,
    }
    title = f"{action.capitalize()} invoice {invoice.invoice_number}"
    return render_page(request, "billing/invoice_action.html", context, title=title)


def _invoice_change(request: HttpRequest, invoice_id: str, action: str) -> Invoice:
    if action == "cancel":
        return invoice_cancel(
            invoice_id=invoice_id, actor=staff_required(request), reason="Invoice was cancelled by staff"
        )
    return invoice_reactivate(invoice_id=invoice_id, actor=staff_required(request))


def _issued_by(invoice: Invoice) -> str:
    """Who took the payment: the staff member who confirmed the record's payment, or created the
    manual invoice; "" for a card payment the customer made."""
    meta = invoice.metadata.as_dict() if invoice.metadata else {}
    if meta.get("createdBy"):
        return staff_name(meta["createdBy"])
    if invoice.reference_type in records.RECORD_TYPES:
        record = records.record_get(invoice.reference_type, invoice.reference_number)
        if record is not None and record.invoice_id == invoice.invoice_id:
            return staff_name(record.payment_confirmed_by)
    return ""


@page("billing/invoices/<str:invoice_id>/", "billing-invoice-detail", "Invoice", VIEW)
@require_GET
def invoice_detail(request: HttpRequest, invoice_id: str) -> HttpResponse:
    invoice = or_404(selectors.invoice_find(invoice_id), "Invoice not found")
    doc = invoice_document(invoice)
    context = {
        "invoice": invoice_row(invoice),
        "doc": doc,
        "paid_day": parse_any_date(doc.payment_date),
        "issued_by": _issued_by(invoice),
        "payment_reference": invoice.payment_intent_id,
        "cancelled": invoice.status == InvoiceStatus.CANCELLED,
        "created_at": invoice.created_at,
        "cancelled_at": invoice.cancelled_at,
        "live_url": reverse("admin:billing-invoice-state", kwargs={"invoice_id": invoice_id}),
        "can_cancel": staff_required(request).has(Permission.INVOICE_CANCEL),
    }
    return render_page(
        request, "billing/invoice_detail.html", context, title=f"{invoice_title()} {invoice.invoice_number}"
    )
