"""A parts order for a caller on the phone (support): the caller comes from the bookings caller
page (``bookings-caller``), the order goes through the API's own ``order_create``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from autolab import once
from autolab.exceptions import ApplicationError
from autolab.permissions import Permission, staff_required
from chat.models import Customer
from chat.selectors import customer_get
from shop import caller_forms, selectors, services
from shop.models import Order
from staffapp.rendering import render_page
from staffapp.sites import portal_site

ORDER = (Permission.ORDER_CREATE_FOR_CUSTOMER,)
BUSY = "This order is being placed already; it is on the orders list in a moment."


def _find_url() -> str:
    return f"{reverse('admin:bookings-caller')}?for=order"


def _initial(customer: Customer) -> dict[str, Any]:
    return {
        "name": customer.user_name or "",
        "email": customer.user_email or "",
        "phone": customer.contact_number or "",
    }


@portal_site.register_page(
    section="Shop",
    title="Order for a caller",
    route="shop/orders/new/",
    name="shop-caller-order",
    permissions=ORDER,
    in_index=False,
)
@require_http_methods(["GET", "POST"])
def caller_order(request: HttpRequest) -> HttpResponse:
    customer = customer_get(request.GET.get("customer", ""))
    if customer is None:
        messages.error(request, "Choose the caller first.")
        return redirect(_find_url())
    items = selectors.catalogue_list(active_only=True)
    form = caller_forms.CallerOrderForm(
        request.POST or None, initial={"key": once.new_key(), **_initial(customer)}, items=items
    )
    status = 200
    if request.method == "POST":
        done = _order(request, customer, form)
        if isinstance(done, HttpResponse):
            return done
        status = done
    context = {"customer": customer, "form": form, "find_url": _find_url()}
    response = render_page(request, "shop/caller_order.html", context, title=f"Order for {customer.user_name}")
    response.status_code = status
    return response


def _order(request: HttpRequest, customer: Customer, form: caller_forms.CallerOrderForm) -> HttpResponse | int:
    """Place the valid form's order for ``customer``; else the status of the re-rendered form."""
    order = form.order_request() if form.is_valid() else None
    if order is None:
        return 400
    actor = staff_required(request)

    def place() -> str:
        return services.order_create(actor=actor, user_id=customer.user_id, order=order).order_id

    try:  # a double tap orders once and shows the same order
        order_id = once.submit_once("caller-order", form.cleaned_data["key"], place, busy=BUSY)
    except ApplicationError as error:
        form.add_error(None, error.message)
        return error.status_code
    return redirect("admin:shop-caller-ordered", order_id=order_id)


@portal_site.register_page(
    section="Shop",
    title="Ordered for a caller",
    route="shop/orders/new/<str:order_id>/",
    name="shop-caller-ordered",
    permissions=ORDER,
    in_index=False,
)
@require_GET
def caller_ordered(request: HttpRequest, order_id: str) -> HttpResponse:
    order: Order | None = selectors.order_get(order_id)
    if order is None:
        raise Http404("Order not found")
    staff = staff_required(request)
    catalogue = selectors.item_prices_get_many((line.category_id, line.item_id) for line in order.items)
    customer = customer_get(order.created_user_id or "")
    context = {
        "order": order,
        "lines": [{"line": line, "item": catalogue.get((line.category_id, line.item_id))} for line in order.items],
        "can_confirm_payment": staff.has(Permission.PAYMENT_CONFIRM_MANUAL),
        "can_view_payments": staff.has(Permission.INVOICE_VIEW),
        "order_again": f"{reverse('admin:shop-caller-order')}?customer={customer.user_id}" if customer else None,
        "book_url": f"{reverse('admin:bookings-caller-book')}?customer={customer.user_id}" if customer else None,
        "can_book": staff.has(Permission.APPOINTMENT_BOOK_FOR_CUSTOMER),
    }
    return render_page(request, "shop/caller_ordered.html", context, title=f"Ordered: order {order_id[:8].upper()}")
