"""Orders and the parts catalogue as the original website reads them (camelCase, numbers for money)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from autolab import links
from autolab.api import SuccessMessageOut, SuccessOut
from autolab.money import json_number
from shop import selectors
from shop.models import ItemPrice, Order, OrderLine

OPTIONAL_FIELDS = {
    "notes": "notes",
    "scheduledDate": "scheduled_date",
    "assignedMechanicId": "assigned_mechanic_id",
    "paymentMethod": "payment_method",
    "paymentIntentId": "payment_intent_id",
    "paidAt": "paid_at",
    "paymentConfirmedBy": "payment_confirmed_by",
    "paymentConfirmedAt": "payment_confirmed_at",
    "postNotes": "post_notes",
    "invoiceId": "invoice_id",
    "paymentRevertedBy": "payment_reverted_by",
    "paymentRevertedAt": "payment_reverted_at",
}


Catalogue = dict[tuple[int, int], ItemPrice]


def _line_json(line: OrderLine, catalogue: Catalogue) -> dict[str, Any]:
    body: dict[str, Any] = {
        "categoryId": line.category_id,
        "itemId": line.item_id,
        "quantity": line.quantity,
        "unitPrice": json_number(line.unit_price),
        "totalPrice": json_number(line.total_price),
    }
    row = catalogue.get((line.category_id, line.item_id))
    if row is not None:  # names are extra: the stored line keeps only ids and prices
        body.update({"categoryName": row.category_name, "itemName": row.item_name})
    return body


def order_catalogue(orders: list[Order]) -> Catalogue:
    """Names for the lines of ``orders``: one BatchGet for one order, the catalogue Query for a list."""
    if len(orders) == 1:
        return selectors.item_prices_get_many((line.category_id, line.item_id) for line in orders[0].items)
    if not orders:
        return {}
    return {(row.category_id, row.item_id): row for row in selectors.item_price_list()}


def order_json(order: Order, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """The stored order as the website reads it (absent optional attributes stay absent)."""
    catalogue = order_catalogue([order]) if catalogue is None else catalogue
    body: dict[str, Any] = {
        "orderId": order.order_id,
        "items": [_line_json(line, catalogue) for line in order.items],
        "customerName": order.customer_name,
        "customerEmail": order.customer_email,
        "customerPhone": order.customer_phone,
        "carMake": order.car_make,
        "carModel": order.car_model,
        "carYear": order.car_year,
        "deliveryLocation": order.delivery_location,
        "createdUserId": order.created_user_id,
        "status": order.status,
        "totalPrice": json_number(order.total_price),
        "paymentStatus": order.payment_status,
        "createdAt": order.created_at,
        "createdDate": order.created_date,
        "updatedAt": order.updated_at,
        "version": order.version,
    }
    body.update(
        {name: getattr(order, attr) for name, attr in OPTIONAL_FIELDS.items() if getattr(order, attr) is not None}
    )
    if order.payment_amount is not None:
        body["paymentAmount"] = json_number(order.payment_amount)
    if order.invoice_id:
        body["invoiceUrl"] = links.invoice_pdf(order.invoice_id)
    return body


def catalogue_json(rows: list[ItemPrice]) -> dict[str, Any]:
    categories: dict[int, dict[str, Any]] = {}
    flat = []
    for row in rows:
        item = {"itemId": row.item_id, "itemName": row.item_name, "price": json_number(row.price), "active": row.active}
        flat.append({"categoryId": row.category_id, "categoryName": row.category_name, **item})
        category = categories.setdefault(
            row.category_id, {"categoryId": row.category_id, "categoryName": row.category_name, "items": []}
        )
        category["items"].append(item)
    return {"categories": list(categories.values()), "items": flat}


def item_price_rows() -> list[dict[str, Any]]:
    """``itemPrices`` of the staff price list: every catalogue row, active or not (``autolab.price_lists``)."""
    return [
        {
            "categoryId": row.category_id,
            "itemId": row.item_id,
            "categoryName": row.category_name,
            "itemName": row.item_name,
            "price": json_number(row.price),
            "active": bool(row.active),
        }
        for row in selectors.item_price_list()
    ]


# --- Response bodies: the OpenAPI shapes of what the views answer through ``ok`` ------------------
# Documentation only; tests/shop/test_api_schema.py holds them to the real bodies.

_STR, _INT, _NUM, _BOOL = (
    serializers.CharField,
    serializers.IntegerField,
    serializers.FloatField,
    serializers.BooleanField,
)


class CatalogueItemOut(serializers.Serializer):
    itemId = _INT()
    itemName = _STR()
    price = _NUM()
    active = _BOOL()


class CatalogueCategoryOut(serializers.Serializer):
    categoryId = _INT()
    categoryName = _STR()
    items = CatalogueItemOut(many=True)


class CatalogueRowOut(CatalogueItemOut):
    categoryId = _INT()
    categoryName = _STR()


class CatalogueOut(SuccessOut):
    categories = CatalogueCategoryOut(many=True)
    items = CatalogueRowOut(many=True)


class OrderLineOut(serializers.Serializer):
    categoryId = _INT()
    itemId = _INT()
    quantity = _INT()
    unitPrice = _NUM()
    totalPrice = _NUM()
    categoryName = _STR(required=False, help_text="While the item is in the catalogue")
    itemName = _STR(required=False)


class OrderOut(serializers.Serializer):
    """The stored order; optional attributes are left out while unset."""

    orderId = _STR()
    items = OrderLineOut(many=True)
    customerName = _STR()
    customerEmail = _STR()
    customerPhone = _STR()
    carMake = _STR()
    carModel = _STR()
    carYear = _STR()
    deliveryLocation = _STR(allow_null=True)
    createdUserId = _STR()
    status = _STR()
    totalPrice = _NUM()
    paymentStatus = _STR()
    createdAt = _INT()
    createdDate = _STR()
    updatedAt = _INT()
    version = _INT()
    notes = _STR(required=False)
    scheduledDate = _STR(required=False)
    assignedMechanicId = _STR(required=False)
    paymentMethod = _STR(required=False)
    paymentIntentId = _STR(required=False)
    paidAt = _INT(required=False)
    paymentConfirmedBy = _STR(required=False)
    paymentConfirmedAt = _INT(required=False)
    postNotes = _STR(required=False)
    invoiceId = _STR(required=False)
    paymentRevertedBy = _STR(required=False)
    paymentRevertedAt = _INT(required=False)
    paymentAmount = _NUM(required=False)
    invoiceUrl = _STR(required=False)


class OrderListOut(SuccessOut):
    orders = OrderOut(many=True)
    count = _INT()
    nextCursor = _STR(allow_null=True)


class OrderCreatedOut(SuccessMessageOut):
    orderId = _STR()


class AssignedMechanicOut(serializers.Serializer):
    userName = _STR()
    userEmail = _STR(allow_null=True)
    contactNumber = _STR(allow_null=True)


class OrderDetailOut(SuccessOut):
    order = OrderOut()
    assignedMechanic = AssignedMechanicOut(required=False, help_text="Staff only, once a mechanic is assigned")


class OrderUpdatedOut(SuccessMessageOut):
    order = OrderOut()
