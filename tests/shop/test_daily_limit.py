from __future__ import annotations

import threading

from rest_framework.test import APIClient

from shop.models import Order, OrderDailyCounter


def _orders_of(user_id: str) -> list[Order]:
    return list(Order.created_user_index.query(user_id))


def test_sixth_unpaid_order_of_the_day_is_429(place_order, customer) -> None:
    for _ in range(5):
        assert place_order(customer.user_id).status_code == 200

    response = place_order(customer.user_id)

    assert response.status_code == 429
    assert response.json() == {"success": False, "message": "Orders limit (5) reached for today"}
    assert len(_orders_of(customer.user_id)) == 5


def test_limit_is_per_customer(place_order, customer, other_customer) -> None:
    for _ in range(5):
        place_order(customer.user_id)

    assert place_order(other_customer.user_id).status_code == 200


def test_paid_orders_do_not_count(place_order, customer) -> None:
    for _ in range(5):
        place_order(customer.user_id)
    paid = _orders_of(customer.user_id)[0]
    paid.update(actions=[Order.payment_status.set("paid")])

    assert place_order(customer.user_id).status_code == 200
    assert place_order(customer.user_id).status_code == 429


def test_cancelled_unpaid_orders_still_count(place_order, customer, support) -> None:
    for _ in range(5):
        place_order(customer.user_id)
    cancelled = _orders_of(customer.user_id)[0]
    support.api().patch(f"/api/orders/{cancelled.order_id}", {"status": "CANCELLED"}, format="json")

    assert place_order(customer.user_id).status_code == 429


def test_limit_holds_under_concurrent_requests(place_order, customer) -> None:
    barrier = threading.Barrier(10)
    statuses: list[int] = []
    lock = threading.Lock()

    def create() -> None:
        client = APIClient()
        barrier.wait()
        response = place_order(customer.user_id, client=client)
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=create) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] * 5 + [429] * 5
    assert len(_orders_of(customer.user_id)) == 5
    [counter] = list(OrderDailyCounter.scan())
    assert counter.day_total == 5


def test_refused_orders_leave_nothing_behind(place_order, customer) -> None:
    place_order(customer.user_id, items=[{"categoryId": 9, "itemId": 9, "quantity": 1}])

    assert not list(OrderDailyCounter.scan())
    assert not _orders_of(customer.user_id)


def test_orders_support_enters_for_a_customer_count_on_their_day(place_order, customer, support) -> None:
    for _ in range(5):
        assert place_order(customer.user_id, client=support.api()).status_code == 200

    assert place_order(customer.user_id).status_code == 429
    assert place_order(customer.user_id, client=support.api()).status_code == 200
