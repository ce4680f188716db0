"""The manual (walk-in) invoice wizard: customer, vehicle and payment; then the items; then the
created invoice's page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from autolab import clock
from autolab.money import money_display
from autolab.permissions import Permission, staff_required
from billing import forms, records
from billing.invoices.manual import ManualItem, invoice_create_manual
from billing.invoices.snapshot import Vehicle
from billing.models import Invoice
from billing.pdf import invoice_title
from billing.portal.common import detail_url, page
from bookings.selectors import service_price_list
from staffapp.actions import post_action
from staffapp.rendering import render_page

CREATE = (Permission.INVOICE_CREATE_MANUAL,)
_WIZARD_KEY = "billing_manual_invoice"


def _plan_choices() -> list[tuple[str, str]]:
    return [(f"{p.service_id}:{p.plan_id}", f"{p.plan_name} ({money_display(p.price)})") for p in service_price_list()]


@page("billing/invoices/new/", "billing-invoice-new", "New manual invoice", CREATE, order=41, in_index=True)
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


@page("billing/invoices/new/items/", "billing-invoice-new-items", "New manual invoice: items", CREATE)
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
            success=lambda invoice: f"{invoice_title()} {invoice.invoice_number} created.",
            redirect_to=lambda invoice: detail_url(invoice.invoice_id),
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
