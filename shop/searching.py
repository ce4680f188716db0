"""How the staff search finds parts orders (autolab.search): by reference (the first 8 characters
of the order id), the customer's name, email and phone, the car's make and model, and its
registration and VIN when staff recorded them."""

from __future__ import annotations

from collections.abc import Iterator

from pynamodb.transactions import TransactWrite

from autolab import search
from autolab.permissions import Permission
from shop.models import Order

KIND = "order"


def order_document(order: Order) -> search.Document:
    reference = order.order_id[:8]
    car = " ".join(part for part in (order.car_year, order.car_make, order.car_model) if part)
    return search.Document(
        kind=KIND,
        record_id=order.order_id,
        label=f"Order {reference}" + (f" · {order.customer_name}" if order.customer_name else ""),
        subtitle=" · ".join(part for part in (car, order.created_date) if part),
        texts=(order.customer_name, order.customer_email),
        phones=(order.customer_phone,),
        codes=(reference, order.registration, order.vin),
    )


def order_add_to(writer: TransactWrite, order: Order) -> None:
    """A new order's index entries, in the transaction that creates it."""
    search.add_to(writer, order_document(order))


def order_indexed(order: Order) -> None:
    search.index(order_document(order))


def _load(order_id: str) -> search.Document | None:
    order = Order.get_by_id(order_id)
    return order_document(order) if order is not None else None


def _everything() -> Iterator[search.Document]:
    for order in Order.scan():  # search_reindex only, offline
        yield order_document(order)


def register() -> None:
    search.register(
        search.Kind(
            name=KIND,
            title="Parts order",
            permissions=(Permission.ORDER_VIEW_ALL,),
            url_name="admin:shop-order-detail",
            url_kwarg="order_id",
            load=_load,
            everything=_everything,
        )
    )
