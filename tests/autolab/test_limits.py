"""The daily-limit helper (autolab.limits) against DynamoDB Local, on the shop's tables."""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from pynamodb.transactions import TransactWrite

from autolab import limits
from autolab.exceptions import LimitReached
from bench.harness import count_dynamodb_calls
from shop.models import Order, OrderDailyCounter

DAY = "2030-01-02"
RULE = limits.DailyLimit(
    limit=2,
    record=Order,
    counter=OrderDailyCounter,
    total="day_total",
    refused="Two a day",
    busy="Busy",
)


def _order(user_id: str, *, paid: bool = False) -> Order:
    return Order(
        order_id=str(uuid.uuid4()),
        customer_name="Carla",
        customer_email="carla@example.com",
        customer_phone="0412345678",
        car_make="Toyota",
        car_model="Corolla",
        car_year="2018",
        delivery_location="Perth",
        created_user_id=user_id,
        total_price=Decimal("10.00"),
        payment_status="paid" if paid else "pending",
        created_at=1,
        created_date=DAY,
        updated_at=1,
    )


def _place(user_id: str = "customer-1", *, enforce: bool = True, paid: bool = False) -> Order:
    order = _order(user_id, paid=paid)

    def write(writer: TransactWrite) -> Order:
        writer.save(order)
        return order

    return limits.write_counted(RULE, user_id, DAY, write, enforce=enforce)


def _total(user_id: str = "customer-1") -> int:
    return OrderDailyCounter.get(limits.counter_key(user_id, DAY)).day_total


def test_the_limit_refuses_the_next_record_and_writes_nothing() -> None:
    _place(), _place()

    with pytest.raises(LimitReached, match="Two a day"):
        _place()
    assert _total() == 2
    assert len(list(Order.created_user_index.query("customer-1"))) == 2


def test_paid_records_of_the_day_do_not_count() -> None:
    _place(paid=True), _place()

    _place()
    with pytest.raises(LimitReached):
        _place()
    assert _total() == 3


def test_records_not_enforced_count_but_are_never_refused() -> None:
    for _ in range(3):
        _place(enforce=False)

    assert _total() == 3
    with pytest.raises(LimitReached):
        _place()


def test_the_limit_is_per_customer() -> None:
    _place(), _place()

    _place("customer-2")
    assert _total("customer-2") == 1


def test_a_total_the_caller_read_is_not_read_again() -> None:
    with count_dynamodb_calls() as calls:
        limits.write_counted(RULE, "customer-1", DAY, lambda writer: None, enforce=True, total=0)

    assert calls == Counter({"TransactWriteItems": 1})
    assert _total() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_get_exactly_the_limit() -> None:
    def attempt(_: int) -> str:
        try:
            _place()
        except LimitReached:
            return "refused"
        return "placed"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = Counter(pool.map(attempt, range(8)))

    assert outcomes == Counter({"placed": 2, "refused": 6})
    assert _total() == 2
    assert len(list(Order.created_user_index.query("customer-1"))) == 2
