"""Creating orders: catalogue prices, and the daily limit of unpaid orders held atomically."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal

from pynamodb.transactions import TransactWrite

from autolab import audit, clock, limits, workflow
from autolab.dynamodb import transaction
from autolab.money import to_money
from autolab.permissions import Permission, StaffIdentity
from autolab.workflow import PaymentStatus
from chat.selectors import customer_get
from shop import searching
from shop.models import Order, OrderDailyCounter, OrderStatus
from shop.services.catalogue import PricedLine, price_lines
from shop.services.notifications import notify_created
from shop.types import OrderRequest
from staffapp.selectors import staff_get_by_user_id

logger = logging.getLogger(__name__)

ORDERS_DAILY_LIMIT = 5
DAILY_LIMIT = limits.DailyLimit(
    limit=ORDERS_DAILY_LIMIT,
    record=Order,
    counter=OrderDailyCounter,
    total="day_total",
    refused=f"Orders limit ({ORDERS_DAILY_LIMIT}) reached for today",
    busy="Too many orders at the same moment; please try again",
    # A day's counter is needed only that day; DynamoDB deletes it after three.
    also=lambda: [OrderDailyCounter.ttl.set(clock.now() + dt.timedelta(days=3))],
)


def _order_owner(actor: StaffIdentity | None, user_id: str | None) -> workflow.Owner:
    """Whose order it is; orders staff enter for a customer count on the customer's day (as the
    original counted them) but are never refused."""
    workflow.check_requester(
        actor, user_id, Permission.ORDER_CREATE_FOR_CUSTOMER, "Only customer support can create orders for customers"
    )
    return workflow.owner_of(
        actor,
        user_id,
        is_customer=lambda customer_id: customer_get(customer_id) is not None,
        is_staff=lambda staff_id: staff_get_by_user_id(staff_id) is not None,
        not_found="No user record found for this userId",
    )


def _new_order(data: OrderRequest, lines: list[PricedLine], owner: str) -> Order:
    now = clock.now()
    return Order(
        order_id=str(uuid.uuid4()),
        items=[line.as_order_line() for line in lines],
        customer_name=data.customer.name,
        customer_email=data.customer.email,
        customer_phone=data.customer.phone,
        car_make=data.car.make,
        car_model=data.car.model,
        car_year=data.car.year,
        notes=data.notes,
        delivery_location=data.delivery_location,
        created_user_id=owner,
        status=OrderStatus.PENDING,
        total_price=to_money(sum((line.total for line in lines), Decimal(0))),
        payment_status=PaymentStatus.PENDING,
        post_notes="",
        created_at=int(now.timestamp()),
        created_date=clock.business_date_str(now),
        updated_at=int(now.timestamp()),
    )


def _save_counted(order: Order, *, enforce_limit: bool) -> None:
    """Put the order with a bump of the customer's day counter, in one transaction (429 at the limit)."""
    limits.write_counted(
        DAILY_LIMIT,
        order.created_user_id,
        order.created_date,
        lambda writer: _add(writer, order),
        enforce=enforce_limit,
    )


def _add(writer: TransactWrite, order: Order) -> None:
    """The new order and its search entries, as items of ``writer``."""
    writer.save(order, condition=Order.order_id.does_not_exist())
    searching.order_add_to(writer, order)


def order_create(*, actor: StaffIdentity | None, user_id: str | None, order: OrderRequest) -> Order:
    """Create a PENDING, unpaid order priced from the catalogue; customers get 5 unpaid a day
    (``actor`` None: the customer ``user_id`` orders)."""
    owner = _order_owner(actor, user_id)
    lines = price_lines(order.lines)
    created = _new_order(order, lines, owner.user_id)
    if owner.counted:
        _save_counted(created, enforce_limit=owner.limited)
    else:
        with transaction() as writer:
            _add(writer, created)
    fields = audit.snapshot(created, only=("items", "totalPrice", "status", "createdUserId"))
    audit.record(actor, "order.create", "order", created.order_id, {}, fields)
    notify_created(created, {(line.item.category_id, line.item.item_id): line.item for line in lines})
    return created
