"""What customers and staff hear about orders: the emails of the original and live staff events."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from autolab.events import publish_to_staff
from autolab.money import to_money
from emails.services import email_customer
from shop import selectors
from shop.models import ItemPrice, Order
from staffapp.selectors import staff_get_by_user_id

logger = logging.getLogger(__name__)


def _item_names(order: Order, known: dict[tuple[int, int], ItemPrice]) -> dict[tuple[int, int], ItemPrice]:
    missing = [
        (line.category_id, line.item_id) for line in order.items if (line.category_id, line.item_id) not in known
    ]
    return {**known, **selectors.item_prices_get_many(missing)}


def _mechanic_name(mechanic_id: str | None) -> str:
    mechanic = staff_get_by_user_id(mechanic_id) if mechanic_id else None
    return mechanic.user_name if mechanic else ""


def email_context(order: Order, catalogue: dict[tuple[int, int], ItemPrice]) -> dict[str, Any]:
    """What the order emails show: everything as strings, so it is JSON-serialisable."""
    items = []
    for line in order.items:
        row = catalogue.get((line.category_id, line.item_id))
        items.append(
            {
                "categoryName": row.category_name if row else f"Category {line.category_id}",
                "itemName": row.item_name if row else f"Item {line.item_id}",
                "quantity": line.quantity,
                "unitPrice": f"{to_money(line.unit_price):.2f}",
                "totalPrice": f"{to_money(line.total_price):.2f}",
            }
        )
    return {
        "orderId": order.order_id,
        "customerName": order.customer_name,
        "items": items,
        "totalPrice": f"{to_money(order.total_price):.2f}",
        "vehicle": f"{order.car_make} {order.car_model} ({order.car_year})",
        "deliveryLocation": order.delivery_location or "",
        "status": order.status,
        "paymentStatus": order.payment_status,
        "scheduledDate": order.scheduled_date or "",
        "assignedMechanicName": _mechanic_name(order.assigned_mechanic_id),
        "contactNumber": order.customer_phone,
        "orderUrl": f"{settings.FRONTEND_ROOT_URL.rstrip('/')}/order/{order.order_id}",
    }


def _email(email_type: str, order: Order, context: dict[str, Any], dedupe_key: str) -> None:
    # The order is stored whatever happens to its email; an outbox failure is logged, not raised.
    try:
        email_customer(
            email_type=email_type,
            to_email=order.customer_email,
            to_name=order.customer_name,
            context=context,
            dedupe_key=dedupe_key,
        )
    except Exception:
        logger.exception("Could not queue %s email for order %s", email_type, order.order_id)


def _event_payload(order: Order) -> dict[str, Any]:
    return {
        "orderId": order.order_id,
        "status": order.status,
        "paymentStatus": order.payment_status,
        "customerName": order.customer_name,
        "totalPrice": f"{to_money(order.total_price):.2f}",
        "version": order.version,
    }


def notify_created(order: Order, catalogue: dict[tuple[int, int], ItemPrice]) -> None:
    """Queue the ``order_created`` email and tell the staff."""
    _email("order_created", order, email_context(order, catalogue), f"order_created:{order.order_id}")
    publish_to_staff("order.created", _event_payload(order))


def notify_updated(
    order: Order, update_type: str, changes: dict[str, str], catalogue: dict[tuple[int, int], ItemPrice]
) -> None:
    """Queue the ``order_updated`` email of this version and tell the staff."""
    context = {
        **email_context(order, _item_names(order, catalogue)),
        "update_type": update_type,
        "changes": {label: {"new": value} for label, value in changes.items()},
    }
    _email("order_updated", order, context, f"order_updated:{order.order_id}:{order.version}")
    publish_to_staff("order.updated", {**_event_payload(order), "updateType": update_type})
