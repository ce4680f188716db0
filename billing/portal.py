"""Billing pages of the staff portal: payments of a record, invoices, manual invoice, analytics.

URL names other apps can link to: ``admin:billing-payments`` (record_type, record_id),
``admin:billing-invoice-detail`` (invoice_id), ``admin:billing-invoices``,
``admin:billing-invoice-new`` and ``admin:billing-analytics``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from autolab import clock
from autolab.csvexport import csv_response
from autolab.exceptions import ApplicationError
from autolab.money import money_display
from autolab.permissions import Permission, staff_required
from billing import charts, forms, records, selectors
from billing.analytics.reports import comprehensive, csv_rows, new_vs_returning
from billing.invoices.documents import invoice_pdf_link
from billing.invoices.lifecycle import invoice_cancel, invoice_reactivate
from billing.invoices.manual import ManualItem, invoice_create_manual
from billing.invoices.snapshot import Vehicle
from billing.serializers import invoice_out, manual_confirmed_message
from billing.services.manual_payments import manual_payment_confirm, manual_payment_revert
from bookings.selectors import service_price_list
from staffapp.actions import post_action
from staffapp.paging import cursor_page
from staffapp.rendering import or_404, render_page
from staffapp.sites import portal_site

if TYPE_CHECKING:
    from billing.models import Invoice

VIEW = (Permission.INVOICE_VIEW, Permission.PAYMENT_CONFIRM_MANUAL)
_WIZARD_KEY = "billing_manual_invoice"


def _require(request: HttpRequest, permission: Permission) -> Any:
    staff = staff_required(request)
    if staff is None or not staff.has(permission):
        raise PermissionDenied
    return staff


def _payments_url(record_type: str, record_id: str) -> str:
    return reverse("admin:billing-payments", kwargs={"record_type": record_type, "record_id": record_id})


def _record_or_404(record_type: str, record_id: str) -> records.Record:
    if record_type not in records.RECORD_TYPES:
        raise Http404("Unknown record type")
    record = records.record_get(record_type, record_id)
    if record is None:  # not or_404: mypy would widen the Appointment | Order union to DynamoModel
        raise Http404(f"{record_type.capitalize()} not found")
    return record


@portal_site.register_page(
    section="Billing",
    title="Payments",
    route="billing/payments/<str:record_type>/<str:record_id>/",
    name="billing-payments",
    permissions=VIEW,
    in_index=False,
)
@require_http_methods(["GET", "POST"])
def payments_record(request: HttpRequest, record_type: str, record_id: str) -> HttpResponse:
    record = _record_or_404(record_type, record_id)
    form = forms.ConfirmPaymentForm(request.POST or None)
    if request.method == "POST":
        staff = _require(request, Permission.PAYMENT_CONFIRM_MANUAL)
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
                    f"{manual_confirmed_message(outcome.payment_method)}. The tax invoice is being generated."
                ),
                redirect_to=_payments_url(record_type, record_id),
            )
    context = {
        "record": record,
        "record_type": record_type,
        "record_id": record_id,
        "form": form,
        "amount": records.record_amount(record),
        "contact": records.record_contact(record),
        "invoices": [invoice_out(i) for i in selectors.invoices_for_reference(record_id)],
        "payments": selectors.payments_for_reference(record_id),
        "can_confirm": staff_required(request).has(Permission.PAYMENT_CONFIRM_MANUAL),
    }
    return render_page(
        request, "billing/payments.html", context, title=f"Payments of {record_type} {record_id[:8].upper()}"
    )


@portal_site.register_page(
    section="Billing",
    title="Revert payment",
    route="billing/payments/<str:record_type>/<str:record_id>/revert/",
    name="billing-payment-revert",
    permissions=(Permission.PAYMENT_CONFIRM_MANUAL,),
    in_index=False,
)
@require_http_methods(["GET", "POST"])
def payment_revert(request: HttpRequest, record_type: str, record_id: str) -> HttpResponse:
    record = _record_or_404(record_type, record_id)
    if request.method == "POST":
        return post_action(
            request,
            lambda: manual_payment_revert(
                actor=staff_required(request), record_type=record_type, reference_number=record_id
            ),
            success="Payment confirmation reverted; the invoice was cancelled.",
            redirect_to=_payments_url(record_type, record_id),
        )
    context = {
        "record": record,
        "record_type": record_type,
        "record_id": record_id,
        "amount": records.record_amount(record),
    }
    return render_page(request, "billing/payment_revert.html", context, title="Revert payment")


@portal_site.register_page(
    section="Billing",
    title="Invoices",
    route="billing/invoices/",
    name="billing-invoices",
    permissions=(Permission.INVOICE_VIEW,),
    order=40,
)
def invoice_list(request: HttpRequest) -> HttpResponse:
    form = forms.InvoiceRangeForm.from_request(request.GET)
    staff = staff_required(request)
    context: dict[str, Any] = {
        "form": form,
        "invoices": [],
        "can_cancel": staff.has(Permission.INVOICE_CANCEL),
        "can_create": staff.has(Permission.INVOICE_CREATE_MANUAL),
    }
    if form.is_valid():
        start, end = form.cleaned_data["start_date"], form.cleaned_data["end_date"]
        page = cursor_page(
            request, lambda cursor: selectors.invoice_list(start=start, end=end, limit=25, cursor=cursor)
        )
        context.update(invoices=[invoice_out(i) for i in page.items], **page.pager)
    return render_page(request, "billing/invoice_list.html", context, title="Invoices")


@portal_site.register_page(
    section="Billing",
    title="Invoice PDF",
    route="billing/invoices/<str:invoice_id>/pdf/",
    name="billing-invoice-pdf",
    permissions=(Permission.INVOICE_VIEW,),
    in_index=False,
)
def invoice_pdf(request: HttpRequest, invoice_id: str) -> HttpResponse:
    try:
        return HttpResponseRedirect(invoice_pdf_link(invoice_id=invoice_id, staff=staff_required(request), user_id=""))
    except ApplicationError as error:
        raise Http404(error.message) from error


def _plan_choices() -> list[tuple[str, str]]:
    return [(f"{p.service_id}:{p.plan_id}", f"{p.plan_name} ({money_display(p.price)})") for p in service_price_list()]


@portal_site.register_page(
    section="Billing",
    title="New manual invoice",
    route="billing/invoices/new/",
    name="billing-invoice-new",
    permissions=(Permission.INVOICE_CREATE_MANUAL,),
    order=41,
)
@require_http_methods(["GET", "POST"])
def manual_invoice_customer(request: HttpRequest) -> HttpResponse:
    """Wizard step 1 of 3: customer, vehicle and payment."""
    form = forms.ManualCustomerForm(request.POST or None, initial=request.session.get(_WIZARD_KEY))
    if request.method == "POST" and form.is_valid():
        data = {
            **form.cleaned_data,
            "payment_date": (form.cleaned_data["payment_date"] or clock.business_today()).isoformat(),
        }
        request.session[_WIZARD_KEY] = data
        return redirect("admin:billing-invoice-new-items")
    return render_page(
        request, "billing/manual_customer.html", {"form": form, "step": 1}, title="New manual invoice: customer"
    )


@portal_site.register_page(
    section="Billing",
    title="New manual invoice: items",
    route="billing/invoices/new/items/",
    name="billing-invoice-new-items",
    permissions=(Permission.INVOICE_CREATE_MANUAL,),
    in_index=False,
)
@require_http_methods(["GET", "POST"])
def manual_invoice_items(request: HttpRequest) -> HttpResponse:
    """Wizard step 2 of 3: a service plan and/or items; step 3 is the created invoice's page."""
    customer = request.session.get(_WIZARD_KEY)
    if not customer:
        return redirect("admin:billing-invoice-new")
    plans = {f"{p.service_id}:{p.plan_id}": p for p in service_price_list()}
    form = forms.ManualItemsForm(request.POST or None, plans=_plan_choices())
    if request.method == "POST" and form.is_valid():
        items = _manual_items(form, plans)
        done = post_action(
            request,
            lambda: _create_manual(request, customer, items),
            success=lambda invoice: f"Tax invoice {invoice.invoice_number} created.",
            redirect_to=lambda invoice: reverse(
                "admin:billing-invoice-detail", kwargs={"invoice_id": invoice.invoice_id}
            ),
            stay_on_error=True,
        )
        if done:
            return done
    context = {"form": form, "customer": customer, "step": 2}
    return render_page(request, "billing/manual_items.html", context, title="New manual invoice: items")


def _manual_items(form: forms.ManualItemsForm, plans: dict[str, Any]) -> list[ManualItem]:
    items = []
    plan = plans.get(form.cleaned_data.get("plan") or "")
    if plan is not None:
        price = Decimal(plan.price)
        items.append(ManualItem(plan.plan_name, "", True, price, 1, price))
    for name, price, qty in form.extra_lines():
        items.append(ManualItem(name, "", False, price, qty, price * qty))
    return items


def _create_manual(request: HttpRequest, customer: dict[str, Any], items: list[ManualItem]) -> Invoice:
    """The manual invoice from step 1's answers (kept in the session as JSON, the date as ISO text).

    The wizard's session data goes only once the invoice exists: a refusal keeps step 1's answers.
    """
    invoice = invoice_create_manual(
        actor=staff_required(request),
        payment_method=customer["payment_method"],
        reference_number=customer.get("reference_number") or "",
        contact=records.Contact(customer["name"], customer.get("email") or "", customer.get("phone") or ""),
        vehicle=Vehicle(customer["make"], customer["model"], customer.get("year") or ""),
        items=items,
        payment_day=dt.date.fromisoformat(customer["payment_date"]),
    )
    del request.session[_WIZARD_KEY]
    return invoice


def _dashboard_data(start: Any, end: Any) -> dict[str, Any]:
    txns, in_period = selectors.analytics_transactions(start, end)
    data = comprehensive(txns, start=start, end=end, in_period=in_period, today=clock.business_today())
    data["customers_by_month"] = new_vs_returning(txns)
    data["appointments_by_status"] = selectors.appointment_status_counts(start, end)
    return data


@portal_site.register_page(
    section="Billing",
    title="Analytics",
    route="billing/analytics/",
    name="billing-analytics",
    permissions=(Permission.ANALYTICS_VIEW,),
    order=42,
)
def analytics_dashboard(request: HttpRequest) -> HttpResponse:
    form = forms.DateRangeForm.from_request(request.GET)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        data = _dashboard_data(form.cleaned_data["start_date"], form.cleaned_data["end_date"])
        context.update(
            data=data, charts=_charts(data), query=urlencode({k: v.isoformat() for k, v in form.cleaned_data.items()})
        )
    return render_page(request, "billing/analytics.html", context, title="Analytics")


def _charts(data: dict[str, Any]) -> list[Any]:
    revenue = data["revenue_analytics"]
    daily = list(revenue["daily_breakdown"].items())
    over_time = daily if len(daily) <= 62 else list(revenue["monthly_breakdown"].items())
    services_rev = [
        (row["service"], row["preBookedRevenue"] + row["walkInRevenue"])
        for row in data["service_analytics"]["service_table"]
    ]
    customers = data["customers_by_month"]
    return [
        charts.column_chart(over_time, title="Revenue over time", money=True),
        charts.hbar_chart(services_rev, title="Revenue by service", money=True),
        charts.hbar_chart(
            list(revenue["payment_method_breakdown"].items()), title="Revenue by payment method", money=True
        ),
        charts.hbar_chart(
            list(data["appointments_by_status"].items()), title="Appointments by status (created in period)"
        ),
        charts.hbar_chart(list(data["vehicle_analytics"]["popular_makes"].items()), title="Top vehicle makes"),
        charts.hbar_chart(
            [(f"{m} new", v["new"]) for m, v in customers.items()]
            + [(f"{m} returning", v["returning"]) for m, v in customers.items()],
            title="New vs returning customers",
        ),
    ]


@portal_site.register_page(
    section="Billing",
    title="Analytics CSV",
    route="billing/analytics/export.csv",
    name="billing-analytics-csv",
    permissions=(Permission.ANALYTICS_VIEW,),
    in_index=False,
)
def analytics_csv(request: HttpRequest) -> HttpResponse:
    form = forms.DateRangeForm.from_request(request.GET)
    if not form.is_valid():
        return HttpResponse(
            "; ".join(str(e) for errors in form.errors.values() for e in errors), status=400, content_type="text/plain"
        )
    start, end = form.cleaned_data["start_date"], form.cleaned_data["end_date"]
    data = _dashboard_data(start, end)
    return csv_response(csv_rows(data), filename=f"analytics-{start}-{end}.csv")


# Registered last: URLs resolve in registration order, and these general routes would otherwise
# take "new", "new/items" and "<id>/pdf" for invoice ids and actions.
@portal_site.register_page(
    section="Billing",
    title="Cancel or reactivate invoice",
    route="billing/invoices/<str:invoice_id>/<str:action>/",
    name="billing-invoice-action",
    permissions=(Permission.INVOICE_CANCEL,),
    in_index=False,
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
            redirect_to=reverse("admin:billing-invoice-detail", kwargs={"invoice_id": invoice_id}),
        )
    context = {"invoice": invoice_out(invoice), "action": action}
    return render_page(
        request, "billing/invoice_action.html", context, title=f"{action.capitalize()} invoice {invoice.invoice_number}"
    )


def _invoice_change(request: HttpRequest, invoice_id: str, action: str) -> Invoice:
    if action == "cancel":
        return invoice_cancel(
            invoice_id=invoice_id, actor=staff_required(request), reason="Invoice was cancelled by staff"
        )
    return invoice_reactivate(invoice_id=invoice_id, actor=staff_required(request))


@portal_site.register_page(
    section="Billing",
    title="Invoice",
    route="billing/invoices/<str:invoice_id>/",
    name="billing-invoice-detail",
    permissions=(Permission.INVOICE_VIEW,),
    in_index=False,
)
def invoice_detail(request: HttpRequest, invoice_id: str) -> HttpResponse:
    invoice = or_404(selectors.invoice_find(invoice_id), "Invoice not found")
    context = {
        "invoice": invoice_out(invoice),
        "can_cancel": staff_required(request).has(Permission.INVOICE_CANCEL),
        "is_record": invoice.reference_type in records.RECORD_TYPES,
    }
    return render_page(request, "billing/invoice_detail.html", context, title=f"Tax invoice {invoice.invoice_number}")
