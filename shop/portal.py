"""Shop pages of the staff portal: orders list and detail with their actions, and the parts catalogue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from autolab import workflow
from autolab.exceptions import ValidationError
from autolab.permissions import Permission, Role, StaffIdentity, staff_of, staff_required
from emails.selectors import email_is_suppressed
from shop import (
    caller_portal,  # noqa: F401  (registers shop/orders/new/ before shop/orders/<id>/)
    dashboard_portal,  # noqa: F401  (registers the shop's dashboard panel)
    forms,
    selectors,
    services,
)
from shop.models import ItemPrice, Order, OrderStatus
from shop.types import CarChanges, CustomerChanges, LineRequest, OrderChanges
from shop.validation import MAX_LINES, MAX_QUANTITY
from staffapp.actions import post_action, refused
from staffapp.paging import cursor_page
from staffapp.rendering import render_page
from staffapp.selectors import staff_get_by_user_id, staff_list_active_with_role
from staffapp.sites import portal_site

ORDER_VIEW = (Permission.ORDER_VIEW_ALL, Permission.ORDER_VIEW_ASSIGNED)
CATALOGUE = (Permission.CATALOGUE_MANAGE,)
PAGE_SIZE = 25


@portal_site.register_page(
    section="Shop", title="Parts orders", route="shop/orders/", name="shop-order-list", permissions=ORDER_VIEW, order=40
)
def order_list(request: HttpRequest) -> HttpResponse:
    form = forms.OrderFilterForm(request.GET or None)
    filters = selectors.OrderFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.OrderFilters(
            status=data["status"] or None,
            payment_status=data["paymentStatus"] or None,
            date_from=data["dateFrom"],
            date_to=data["dateTo"],
            oldest_first=data.get("sort") == "oldest",
        )
    staff = _staff(request)
    page = cursor_page(
        request, lambda cursor: selectors.order_list_for_staff(staff, filters, limit=PAGE_SIZE, cursor=cursor)
    )
    names = dict(_mechanic_choices())
    rows = [{"order": order, "mechanic": _staff_name(order.assigned_mechanic_id, names)} for order in page.items]
    context = {"form": form, "orders": page.items, "rows": rows, **page.pager}
    return render_page(request, "shop/order_list.html", context, title="Parts orders")


def _staff(request: HttpRequest) -> StaffIdentity:
    staff = staff_of(request)
    if staff is None:  # the site only routes signed-in staff here
        raise Http404
    return staff


def _order_or_404(order_id: str) -> Order:
    order = selectors.order_get(order_id)
    if order is None:
        raise Http404("Order not found")
    return order


def _staff_name(user_id: str | None, names: dict[str, str]) -> str:
    """A staff member's name by userId (active mechanics from ``names``, others read once)."""
    if not user_id:
        return ""
    if user_id not in names:
        staff = staff_get_by_user_id(user_id)
        names[user_id] = staff.user_name if staff else "Former staff member"
    return names[user_id]


def _mechanic_choices() -> list[tuple[str, str]]:
    return [(staff.user_id, staff.user_name) for staff in staff_list_active_with_role(Role.MECHANIC)]


def _item_rows(order: Order) -> list[dict[str, Any]]:
    """Every active catalogue item, plus any inactive one the order holds, with its quantity."""
    quantities = {(line.category_id, line.item_id): line.quantity for line in order.items}
    rows = [
        row
        for row in selectors.catalogue_list(active_only=False)
        if row.active or (row.category_id, row.item_id) in quantities
    ]
    return [
        {
            "item": row,
            "field": f"qty_{row.category_id}_{row.item_id}",
            "quantity": quantities.get((row.category_id, row.item_id), 0),
        }
        for row in rows
    ]


def _detail_context(request: HttpRequest, order: Order) -> dict[str, Any]:
    staff = _staff(request)
    catalogue = selectors.item_prices_get_many((line.category_id, line.item_id) for line in order.items)
    initial = {"version": order.version}
    mechanic = staff_get_by_user_id(order.assigned_mechanic_id) if order.assigned_mechanic_id else None
    editable = order.status in services.EDITABLE_STATUSES
    return {
        "order": order,
        "lines": [{"line": line, "item": catalogue.get((line.category_id, line.item_id))} for line in order.items],
        "mechanic": mechanic,
        "suppressed": email_is_suppressed(order.customer_email),
        "can_edit": staff.has(Permission.ORDER_EDIT) and editable,
        "can_edit_items": staff.has(Permission.ORDER_EDIT) and editable and order.payment_status != "paid",
        "can_write_notes": services.may_write_post_notes(staff, order),
        # The same permissions as billing's payments page (confirm or revert a payment, invoices).
        "can_view_payments": staff.has(Permission.INVOICE_VIEW) or staff.has(Permission.PAYMENT_CONFIRM_MANUAL),
        "can_confirm_payment": staff.has(Permission.PAYMENT_CONFIRM_MANUAL),
        "transitions": workflow.in_workflow_order(OrderStatus, services.allowed_transitions(staff, order)),
        "schedule_form": forms.ScheduleForm(
            initial={
                **initial,
                "scheduledDate": order.scheduled_date,
                "assignedMechanicId": order.assigned_mechanic_id,
            },
            mechanics=_mechanic_choices(),
        ),
        "notes_form": forms.PostNotesForm(initial={**initial, "postNotes": order.post_notes}),
        "details_form": forms.DetailsForm(initial={**initial, **_details_initial(order)}),
        "item_rows": _item_rows(order),
    }


def _details_initial(order: Order) -> dict[str, Any]:
    return {
        "customerName": order.customer_name,
        "customerEmail": order.customer_email,
        "customerPhone": order.customer_phone,
        "carMake": order.car_make,
        "carModel": order.car_model,
        "carYear": order.car_year,
        "registration": order.registration or "",
        "vin": order.vin or "",
        "deliveryLocation": order.delivery_location,
        "notes": order.notes,
    }


@portal_site.register_page(
    section="Shop",
    title="Order",
    route="shop/orders/<str:order_id>/",
    name="shop-order-detail",
    permissions=ORDER_VIEW,
    in_index=False,
)
@require_http_methods(["GET", "POST"])
def order_detail(request: HttpRequest, order_id: str) -> HttpResponse:
    order = _order_or_404(order_id)
    if request.method == "POST":
        return _apply_action(request, order)
    return render_page(
        request, "shop/order_detail.html", _detail_context(request, order), title=f"Order {order.order_id[:8].upper()}"
    )


def _schedule_changes(data: dict[str, Any], request: HttpRequest, order: Order) -> OrderChanges:
    day = data["scheduledDate"]
    return OrderChanges(
        given=frozenset({"scheduled_date", "mechanic_id"}),
        scheduled_date=day.isoformat() if day else None,
        mechanic_id=data["assignedMechanicId"] or None,
    )


def _status_changes(data: dict[str, Any], request: HttpRequest, order: Order) -> OrderChanges:
    return OrderChanges(given=frozenset({"status"}), status=data["status"])


def _notes_changes(data: dict[str, Any], request: HttpRequest, order: Order) -> OrderChanges:
    return OrderChanges(given=frozenset({"post_notes"}), post_notes=data["postNotes"])


def _details_changes(data: dict[str, Any], request: HttpRequest, order: Order) -> OrderChanges:
    return OrderChanges(
        given=frozenset({"customer", "car", "delivery_location", "notes"}),
        customer=CustomerChanges(data["customerName"], data["customerEmail"], data["customerPhone"]),
        car=CarChanges(
            data["carMake"], data["carModel"], str(data["carYear"]), registration=data["registration"], vin=data["vin"]
        ),
        delivery_location=data["deliveryLocation"],
        notes=data["notes"],
    )


def _items_changes(data: dict[str, Any], request: HttpRequest, order: Order) -> OrderChanges:
    return OrderChanges(given=frozenset({"lines"}), lines=_posted_lines(request, order))


# action -> (its form, the change it asks for)
ACTIONS: dict[str, tuple[Any, Any]] = {
    "schedule": (forms.ScheduleForm, _schedule_changes),
    "status": (forms.StatusForm, _status_changes),
    "notes": (forms.PostNotesForm, _notes_changes),
    "details": (forms.DetailsForm, _details_changes),
    "items": (forms.VersionedForm, _items_changes),
}


def _action_changes(request: HttpRequest, order: Order) -> Callable[[], OrderChanges] | None:
    """The change a posted action asks for (made when it is applied), on the version the page showed."""
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "Unknown action.")
        return None
    form_class, to_changes = action
    extra = {"mechanics": _mechanic_choices()} if form_class is forms.ScheduleForm else {}
    form = form_class(request.POST, **extra)
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        messages.error(request, f"Please correct the form: {problems}")
        return None
    data = form.cleaned_data
    return lambda: replace(to_changes(data, request, order), version=data["version"])


def _posted_lines(request: HttpRequest, order: Order) -> tuple[LineRequest, ...]:
    """The quantities posted for the catalogue rows (0 leaves an item out)."""
    lines = []
    for row in _item_rows(order):
        raw = request.POST.get(row["field"], "0").strip() or "0"
        quantity = int(raw) if raw.isdigit() else -1
        if not 0 <= quantity <= MAX_QUANTITY:
            raise ValidationError(f"Quantities are whole numbers from 0 to {MAX_QUANTITY}")
        if quantity:
            lines.append(LineRequest(row["item"].category_id, row["item"].item_id, quantity))
    if not lines:
        raise ValidationError("Choose at least one item")
    if len(lines) > MAX_LINES:
        raise ValidationError(f"An order can contain at most {MAX_LINES} items")
    return tuple(lines)


def _apply_action(request: HttpRequest, order: Order) -> HttpResponse:
    detail = reverse("admin:shop-order-detail", kwargs={"order_id": order.order_id})
    changes = _action_changes(request, order)
    if changes is None:
        return redirect(detail)
    return post_action(
        request,
        lambda: services.order_update(actor=_staff(request), order_id=order.order_id, changes=changes()),
        success=lambda updated: f"Order saved; status {updated.status}.",
        redirect_to=detail,
    )


@portal_site.register_page(
    section="Shop",
    title="Cancel order",
    route="shop/orders/<str:order_id>/cancel/",
    name="shop-order-cancel",
    permissions=(Permission.ORDER_STATUS_SUPPORT,),
    in_index=False,
)
@require_http_methods(["GET"])
def order_cancel_confirm(request: HttpRequest, order_id: str) -> HttpResponse:
    """Cancelling is destructive (it cancels the invoice too): confirm first, then POST to the detail page."""
    order = _order_or_404(order_id)
    return render_page(
        request, "shop/order_cancel.html", {"order": order}, title=f"Cancel order {order.order_id[:8].upper()}"
    )


# --- Catalogue -------------------------------------------------------------------------------


def _categories(rows: list[ItemPrice]) -> list[dict[str, Any]]:
    categories: dict[int, dict[str, Any]] = {}
    for row in rows:
        category = categories.setdefault(
            row.category_id, {"id": row.category_id, "name": row.category_name, "items": []}
        )
        category["items"].append(row)
    return list(categories.values())


@portal_site.register_page(
    section="Shop",
    title="Parts catalogue",
    route="shop/catalogue/",
    name="shop-catalogue",
    permissions=CATALOGUE,
    order=41,
)
@require_http_methods(["GET", "POST"])
def catalogue(request: HttpRequest) -> HttpResponse:
    add_form = forms.CatalogueAddForm(
        request.POST if request.POST.get("action") == "add" else None, initial={"active": True}
    )
    if request.method == "POST":
        done = _catalogue_action(request, add_form)
        if done:
            return done
    rows = selectors.catalogue_list(active_only=False)
    context = {"categories": _categories(rows), "add_form": add_form}
    return render_page(request, "shop/catalogue.html", context, title="Parts catalogue")


def _catalogue_action(request: HttpRequest, add_form: forms.CatalogueAddForm) -> HttpResponse | None:
    """Run the posted catalogue action; None keeps the add form on screen with its input."""
    action = request.POST.get("action")
    if action == "add":
        if not add_form.is_valid():
            return None
        return post_action(
            request,
            lambda: services.item_price_add(**_service_kwargs(add_form.cleaned_data), actor=staff_required(request)),
            success=lambda row: f"Added {row.item_name} to {row.category_name}.",
            redirect_to="admin:shop-catalogue",
            stay_on_error=True,
        )
    if action == "edit":
        return _catalogue_edit(request)
    if action == "rename":
        return _catalogue_rename(request)
    return refused(request, "Unknown action.", "admin:shop-catalogue")


def _service_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "category_id": data["categoryId"],
        "item_id": data["itemId"],
        "category_name": data.get("categoryName") or "",
        "item_name": data["itemName"],
        "price": data["price"],
        "active": data["active"],
    }


def _catalogue_edit(request: HttpRequest) -> HttpResponse:
    form = forms.CatalogueItemForm(request.POST)
    category_id, item_id = request.POST.get("categoryId", ""), request.POST.get("itemId", "")
    if not (form.is_valid() and category_id.isdigit() and item_id.isdigit()):
        return refused(request, "Please give an item name and a price above 0.", "admin:shop-catalogue")
    data = form.cleaned_data
    return post_action(
        request,
        lambda: services.item_price_change(
            category_id=int(category_id),
            item_id=int(item_id),
            item_name=data["itemName"],
            price=data["price"],
            active=data["active"],
            actor=staff_required(request),
        ),
        success=lambda row: f"Saved {row.item_name}.",
        redirect_to="admin:shop-catalogue",
    )


def _catalogue_rename(request: HttpRequest) -> HttpResponse:
    form = forms.CategoryRenameForm(request.POST)
    if not form.is_valid():
        return refused(request, "Please give the category a name.", "admin:shop-catalogue")
    return post_action(
        request,
        lambda: services.category_rename(
            category_id=form.cleaned_data["categoryId"],
            category_name=form.cleaned_data["categoryName"],
            actor=staff_required(request),
        ),
        success=lambda count: f"Renamed the category ({count} items).",
        redirect_to="admin:shop-catalogue",
    )


@portal_site.register_record_panel(record_type="vehicle", name="orders", template="shop/_vehicle_panel.html", order=20)
def vehicle_orders(request: HttpRequest, vehicle: Any) -> dict[str, Any] | None:
    """The parts ordered for a car (bookings' Vehicle: only its key is read); none for staff who see
    no orders."""
    found = selectors.orders_of_vehicle_visible(staff_required(request), vehicle.vehicle_key)
    return None if found is None else {"orders": found}
