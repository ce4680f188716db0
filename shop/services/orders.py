"""Creating orders: catalogue prices, and the daily limit of unpaid orders held atomically."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal

from pynamodb.exceptions import TransactWriteError

from autolab import clock, dynamodb, workflow
from autolab.exceptions import Conflict, LimitReached
from autolab.money import to_money
from autolab.permissions import Permission, StaffIdentity
from autolab.workflow import PaymentStatus
from chat.selectors import customer_get
from shop import selectors
from shop.models import Order, OrderDailyCounter, OrderStatus
from shop.services.catalogue import PricedLine, price_lines
from shop.services.notifications import notify_created
from shop.types import OrderRequest
from staffapp.selectors import staff_get_by_user_id

logger = logging.getLogger(__name__)

ORDERS_DAILY_LIMIT = 5
_SAVE_ATTEMPTS = 6  # the order and its counter bump, re-tried while other orders of the day race it


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


def _daily_allowance(counter_id: str, user_id: str, day: str, *, count_paid: bool = False) -> int:
    """How high the day's counter may be before this order: 5 plus the day's paid orders.

    The counter counts every order created that day; paid ones do not count against the limit, so
    they raise the ceiling. They are looked up only once the counter has reached the plain limit.
    """
    if not count_paid:
        try:
            current = OrderDailyCounter.get(counter_id, consistent_read=True).count
        except OrderDailyCounter.DoesNotExist:
            current = 0
        count_paid = current >= ORDERS_DAILY_LIMIT
    if not count_paid:
        return ORDERS_DAILY_LIMIT
    return ORDERS_DAILY_LIMIT + selectors.orders_paid_today_count(user_id, day)


def _save_counted(order: Order, *, enforce_limit: bool) -> None:
    """Put the order and bump the customer's day counter in one transaction (429 at the limit)."""
    counter_id = f"{order.created_user_id}#{order.created_date}"
    expires = clock.now() + dt.timedelta(days=3)
    count_paid, tries = False, 0

    def attempt() -> None:
        nonlocal count_paid, tries
        tries += 1
        condition = None
        if enforce_limit:
            ceiling = _daily_allowance(counter_id, order.created_user_id, order.created_date, count_paid=count_paid)
            condition = OrderDailyCounter.count.does_not_exist() | (OrderDailyCounter.count < ceiling)
        try:
            with dynamodb.transaction() as transaction:
                transaction.update(
                    OrderDailyCounter(counter_id=counter_id),
                    actions=[OrderDailyCounter.count.add(1), OrderDailyCounter.ttl.set(expires)],
                    condition=condition,
                )
                transaction.save(order, condition=Order.order_id.does_not_exist())
        except TransactWriteError as error:
            if dynamodb.condition_failed(error) and (count_paid or tries == _SAVE_ATTEMPTS):
                raise LimitReached(f"Orders limit ({ORDERS_DAILY_LIMIT}) reached for today") from error
            # The counter moved since it was read: check again, this time counting paid orders too.
            count_paid = count_paid or dynamodb.condition_failed(error)
            raise

    crowded = Conflict("Too many orders at the same moment; please try again")
    dynamodb.retry_on_conflict(attempt, attempts=_SAVE_ATTEMPTS, or_raise=crowded)


def order_create(*, actor: StaffIdentity | None, user_id: str | None, order: OrderRequest) -> Order:
    """Create a PENDING, unpaid order priced from the catalogue; customers get 5 unpaid a day
    (``actor`` None: the customer ``user_id`` orders)."""
    owner = _order_owner(actor, user_id)
    lines = price_lines(order.lines)
    created = _new_order(order, lines, owner.user_id)
    if owner.counted:
        _save_counted(created, enforce_limit=owner.limited)
    else:
        created.save(condition=Order.order_id.does_not_exist())
    notify_created(created, {(line.item.category_id, line.item.item_id): line.item for line in lines})
    return created
