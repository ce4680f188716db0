from __future__ import annotations

import datetime as dt

import pytest

from autolab import clock
from shop.models import Order


def _ids(response) -> set[str]:
    return {order["orderId"] for order in response.json()["orders"]}


def test_customer_lists_only_their_own_orders(new_order, place_order, anon, customer, other_customer) -> None:
    mine = new_order()
    place_order(other_customer.user_id)

    response = anon.get("/api/orders", {"userId": customer.user_id})

    assert response.status_code == 200
    assert _ids(response) == {mine.order_id}
    assert response.json()["count"] == 1
    order = response.json()["orders"][0]
    assert order["totalPrice"] == 400
    assert order["items"][0] == {
        "categoryId": 1,
        "itemId": 1,
        "quantity": 2,
        "unitPrice": 150,
        "totalPrice": 300,
        "categoryName": "Engines & Parts",
        "itemName": "V8 Engine",
    }
    assert order["status"] == "PENDING"
    assert order["paymentStatus"] == "pending"


def test_customer_reads_their_order(new_order, anon, customer) -> None:
    order = new_order()

    response = anon.get(f"/api/orders/{order.order_id}", {"userId": customer.user_id})

    assert response.status_code == 200
    assert response.json()["order"]["orderId"] == order.order_id
    assert response.json()["order"]["customerEmail"] == "carla@example.com"
    assert [item["itemName"] for item in response.json()["order"]["items"]] == ["V8 Engine", "Winter Tyres"]


def test_another_customers_order_is_404(new_order, anon, other_customer) -> None:
    order = new_order()

    response = anon.get(f"/api/orders/{order.order_id}", {"userId": other_customer.user_id})

    assert response.status_code == 404
    assert response.json() == {"success": False, "message": "Order not found"}


@pytest.mark.parametrize(("query", "status"), [({}, 400), ({"userId": "nobody"}, 404)])
def test_customer_reads_need_a_known_user_id(new_order, anon, query, status) -> None:
    order = new_order()

    assert anon.get("/api/orders", query).status_code == status
    assert anon.get(f"/api/orders/{order.order_id}", query).status_code == status


def test_unknown_order_is_404_for_staff(catalogue, clerk) -> None:
    assert clerk.api().get("/api/orders/does-not-exist").status_code == 404
    assert clerk.api().get("/api/orders/" + "x" * 300).status_code == 404


@pytest.mark.parametrize("role", ["ADMIN", "CUSTOMER_SUPPORT", "CLERK"])
def test_office_staff_list_every_order(new_order, place_order, other_customer, make_staff, role) -> None:
    first = new_order()
    second_id = place_order(other_customer.user_id).json()["orderId"]

    response = make_staff(role).api().get("/api/orders")

    assert response.status_code == 200
    assert _ids(response) == {first.order_id, second_id}


def test_mechanic_lists_only_orders_assigned_to_them(new_order, make_staff, support) -> None:
    mechanic, colleague = make_staff("MECHANIC"), make_staff("MECHANIC")
    mine, theirs, _unassigned = new_order(), new_order(), new_order()
    support.api().patch(f"/api/orders/{mine.order_id}", {"assignedMechanicId": mechanic.user_id}, format="json")
    support.api().patch(f"/api/orders/{theirs.order_id}", {"assignedMechanicId": colleague.user_id}, format="json")

    response = mechanic.api().get("/api/orders")

    assert response.status_code == 200
    assert _ids(response) == {mine.order_id}


def test_staff_detail_names_the_assigned_mechanic(new_order, make_staff, support, clerk) -> None:
    mechanic = make_staff("MECHANIC", name="Mia Mechanic")
    order = new_order()
    support.api().patch(f"/api/orders/{order.order_id}", {"assignedMechanicId": mechanic.user_id}, format="json")

    body = clerk.api().get(f"/api/orders/{order.order_id}").json()

    assert body["assignedMechanic"] == {
        "userName": "Mia Mechanic",
        "userEmail": mechanic.email,
        "contactNumber": "0451237048",
    }
    assert body["order"]["assignedMechanicId"] == mechanic.user_id
    assert body["order"]["status"] == "SCHEDULED"


def test_filters_by_status_and_payment_status(new_order, support) -> None:
    pending, scheduled, paid = new_order(), new_order(), new_order()
    support.api().patch(f"/api/orders/{scheduled.order_id}", {"scheduledDate": "2030-01-02"}, format="json")
    paid.update(actions=[Order.payment_status.set("paid")])
    client = support.api()

    assert _ids(client.get("/api/orders", {"status": "SCHEDULED"})) == {scheduled.order_id}
    assert _ids(client.get("/api/orders", {"status": "PENDING"})) == {pending.order_id, paid.order_id}
    assert _ids(client.get("/api/orders", {"paymentStatus": "paid"})) == {paid.order_id}
    assert _ids(client.get("/api/orders", {"status": "PENDING", "paymentStatus": "pending"})) == {pending.order_id}


def test_filters_by_creation_date(new_order, support, customer, anon) -> None:
    today_order, old_order = new_order(), new_order()
    last_week = clock.epoch_now() - 7 * 86400
    old_order.update(actions=[Order.created_at.set(last_week)])
    today = clock.business_today()
    client = support.api()

    assert _ids(client.get("/api/orders", {"dateFrom": today.isoformat()})) == {today_order.order_id}
    week_ago = (today - dt.timedelta(days=7)).isoformat()
    assert _ids(client.get("/api/orders", {"dateFrom": week_ago, "dateTo": week_ago})) == {old_order.order_id}
    customer_view = anon.get("/api/orders", {"userId": customer.user_id, "dateTo": week_ago})
    assert _ids(customer_view) == {old_order.order_id}


@pytest.mark.parametrize(
    "query",
    [
        {"status": "LOST"},
        {"paymentStatus": "maybe"},
        {"dateFrom": "02/01/2030"},
        {"dateFrom": "2030-01-05", "dateTo": "2030-01-01"},
        {"limit": "0"},
        {"limit": "many"},
        {"cursor": "forged"},
    ],
)
def test_bad_list_queries_are_400(catalogue, support, query) -> None:
    response = support.api().get("/api/orders", query)

    assert response.status_code == 400
    assert response.json()["success"] is False


def test_newest_first_with_cursor_paging(new_order, support) -> None:
    created = []
    for offset in range(5):
        order = new_order()
        order.update(actions=[Order.created_at.set(clock.epoch_now() - 1000 + offset)])
        created.append(order.order_id)
    client = support.api()

    seen = []
    cursor = ""
    for _ in range(3):
        body = client.get("/api/orders", {"limit": 2, "cursor": cursor}).json()
        seen += [order["orderId"] for order in body["orders"]]
        cursor = body["nextCursor"]
        if not cursor:
            break

    assert seen == list(reversed(created))


def test_cursor_of_another_list_is_refused(new_order, support) -> None:
    new_order(), new_order()
    client = support.api()
    cursor = client.get("/api/orders", {"limit": 1}).json()["nextCursor"]

    response = client.get("/api/orders", {"limit": 1, "status": "PENDING", "cursor": cursor})

    assert response.status_code == 400
    assert response.json()["message"] == "Invalid cursor"


def test_filtered_pages_are_filled(new_order, support) -> None:
    orders = [new_order() for _ in range(5)]
    for order in orders[:3]:
        order.update(actions=[Order.payment_status.set("paid")])

    body = support.api().get("/api/orders", {"paymentStatus": "paid", "limit": 3}).json()

    assert _ids_from(body) == {order.order_id for order in orders[:3]}


def _ids_from(body: dict) -> set[str]:
    return {order["orderId"] for order in body["orders"]}


def test_cursor_outside_a_new_date_range_is_refused(new_order, support) -> None:
    old, _newer = new_order(), new_order()
    old.update(actions=[Order.created_at.set(clock.epoch_now() - 10 * 86400)])
    client = support.api()
    cursor = client.get("/api/orders", {"limit": 1}).json()["nextCursor"]
    long_ago = (clock.business_today() - dt.timedelta(days=10)).isoformat()

    response = client.get("/api/orders", {"limit": 1, "dateTo": long_ago, "cursor": cursor})

    assert response.status_code == 400
    assert response.json()["message"] == "Invalid cursor"
    assert _ids(client.get("/api/orders", {"limit": 1, "dateTo": long_ago})) == {old.order_id}
