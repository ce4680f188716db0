from __future__ import annotations

from decimal import Decimal

import pytest

from shop.models import ItemPrice, Order
from tests.shop.conftest import order_data, outbox


def test_prices_come_from_the_catalogue(place_order, customer) -> None:
    response = place_order(customer.user_id)

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "Order created successfully"
    order = Order.get(body["orderId"])
    assert order.total_price == Decimal("400")
    assert [
        (line.category_id, line.item_id, line.quantity, line.unit_price, line.total_price) for line in order.items
    ] == [
        (1, 1, 2, Decimal("150"), Decimal("300")),
        (2, 2, 1, Decimal("100"), Decimal("100")),
    ]
    assert (order.status, order.payment_status, order.created_user_id) == ("PENDING", "pending", customer.user_id)
    assert (order.customer_phone, order.car_year, order.delivery_location) == (
        "0412 345 678",
        "2018",
        "12 Hay St, Perth WA 6000",
    )
    assert order.version == 1


def test_client_prices_are_ignored(place_order, customer) -> None:
    items = [{"categoryId": 2, "itemId": 1, "quantity": 3, "unitPrice": 1, "totalPrice": 3}]
    response = place_order(customer.user_id, items=items, totalPrice=1)

    assert Order.get(response.json()["orderId"]).total_price == Decimal("600")


def test_contact_number_is_kept_as_the_phone(place_order, customer) -> None:
    response = place_order(
        customer.user_id, customerData={"name": "Carla", "email": "c@example.com", "contactNumber": "+61412345678"}
    )

    assert Order.get(response.json()["orderId"]).customer_phone == "+61412345678"


def _line(category: int = 1, item: int = 1, quantity: int = 1) -> dict:
    return {"categoryId": category, "itemId": item, "quantity": quantity}


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "items must contain at least one item"),
        ([_line(1, 1), _line(1, 2), _line(2, 1), _line(2, 2)] + [_line(9, n) for n in range(1, 8)], "at most 10 items"),
        ([_line(quantity=31)], "items[0].quantity must be between 1 and 30"),
        ([_line(quantity=0)], "items[0].quantity must be between 1 and 30"),
        ([_line(quantity="2")], "items[0].quantity must be an integer"),
        ([_line(quantity=True)], "items[0].quantity must be an integer"),
        ([_line(quantity=1.5)], "items[0].quantity must be an integer"),
        ([{"categoryId": 1, "quantity": 1}], "items[0].itemId must be an integer"),
        ([_line(), _line()], "only once"),
        (["V8"], "items[0] must be an object"),
        ("V8", "items must contain at least one item"),
    ],
)
def test_item_limits(place_order, customer, items, message) -> None:
    response = place_order(customer.user_id, items=items)

    assert response.status_code == 400
    assert message in response.json()["message"]
    assert response.json()["success"] is False


def test_exactly_ten_items_and_thirty_each_are_accepted(place_order, customer) -> None:
    for item_id in range(3, 9):
        ItemPrice(
            category_id=3,
            item_id=item_id,
            category_name="Filters",
            item_name=f"Filter {item_id}",
            price=Decimal("9.95"),
        ).save()
    items = [_line(1, 1, 30), _line(1, 2), _line(2, 1), _line(2, 2)] + [_line(3, n) for n in range(3, 9)]

    response = place_order(customer.user_id, items=items)

    assert response.status_code == 200
    order = Order.get(response.json()["orderId"])
    assert (
        order.total_price
        == Decimal("150") * 30 + Decimal("120") + Decimal("200") + Decimal("100") + Decimal("9.95") * 6
    )


def test_unknown_items_are_refused_by_name(place_order, customer) -> None:
    response = place_order(customer.user_id, items=[_line(1, 1), _line(7, 3), _line(1, 9)])

    assert response.status_code == 400
    message = response.json()["message"]
    assert "categoryId 7 and itemId 3" in message
    assert "categoryId 1 and itemId 9" in message
    assert not list(Order.created_user_index.query(customer.user_id))


def test_inactive_items_are_refused_by_name(place_order, customer) -> None:
    ItemPrice.get(2, 1).update(actions=[ItemPrice.active.set(False)])

    response = place_order(customer.user_id, items=[_line(2, 1)])

    assert response.status_code == 400
    assert "Alloy Wheels" in response.json()["message"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"customerData": {"name": "", "email": "c@example.com", "phoneNumber": "0412345678"}},
            "customerData.name is required",
        ),
        (
            {"customerData": {"name": "C", "email": "not-an-email", "phoneNumber": "0412345678"}},
            "customerData.email must be a valid email",
        ),
        (
            {"customerData": {"name": "C", "email": "c@example.com", "phoneNumber": "12"}},
            "customerData.phoneNumber must be a valid phone",
        ),
        ({"customerData": {"name": "C", "email": "c@example.com"}}, "customerData.phoneNumber is required"),
        ({"customerData": {"name": "x" * 101, "email": "c@example.com", "phoneNumber": "0412345678"}}, "at most 100"),
        ({"customerData": "Carla"}, "customerData must be an object"),
        ({"carData": {"make": "Toyota", "model": "Corolla", "year": 1899}}, "carData.year must be between 1900"),
        ({"carData": {"make": "Toyota", "model": "Corolla", "year": "twenty"}}, "carData.year must be an integer"),
        ({"carData": {"make": "", "model": "Corolla", "year": 2018}}, "carData.make is required"),
        ({"carData": None}, "carData must be an object"),
        ({"notes": "n" * 1001}, "notes must be at most 1000"),
        ({"notes": 42}, "notes must be a string"),
        ({"deliveryLocation": ["Perth"]}, "deliveryLocation must be a string"),
    ],
)
def test_customer_and_car_data_are_validated(place_order, customer, overrides, message) -> None:
    response = place_order(customer.user_id, **overrides)

    assert response.status_code == 400
    assert message in response.json()["message"]


def test_year_as_string_is_accepted(place_order, customer) -> None:
    response = place_order(customer.user_id, carData={"make": "Ford", "model": "Ranger", "year": "2021"})

    assert Order.get(response.json()["orderId"]).car_year == "2021"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"orderData": None},
        {"orderData": "everything"},
        {"orderData": []},
        {"userId": 5, "orderData": order_data()},
        {"userId": ["x"], "orderData": order_data()},
    ],
)
def test_malformed_bodies_are_400(catalogue, anon, customer, body) -> None:
    body = {"userId": customer.user_id, **body} if "userId" not in body else body

    response = anon.post("/api/orders", body, format="json")

    assert response.status_code == 400
    assert response.json()["success"] is False


def test_non_json_body_is_a_client_error(catalogue, anon) -> None:
    response = anon.post("/api/orders", "not json", content_type="application/json")

    assert response.status_code == 400


def test_customer_needs_a_known_user_id(place_order) -> None:
    assert place_order(None).status_code == 400
    assert place_order(None).json()["message"] == "userId is required for non-staff users"
    assert place_order("00000000-0000-4000-8000-000000000000").status_code == 404


def test_support_orders_for_a_customer_without_limit(place_order, support, customer) -> None:
    for _ in range(6):
        response = place_order(customer.user_id, client=support.api())
        assert response.status_code == 200
    assert len(list(Order.created_user_index.query(customer.user_id))) == 6


def test_support_without_customer_records_the_order_against_themselves(place_order, support) -> None:
    response = place_order(None, client=support.api())

    assert Order.get(response.json()["orderId"]).created_user_id == support.user_id


@pytest.mark.parametrize("role", ["ADMIN", "CLERK", "MECHANIC"])
def test_other_staff_may_not_create_orders(place_order, make_staff, customer, role) -> None:
    response = place_order(customer.user_id, client=make_staff(role).api())

    assert response.status_code == 403
    assert not list(Order.created_user_index.query(customer.user_id))


def test_creation_queues_the_customer_email_and_a_staff_event(place_order, customer, staff_events) -> None:
    order_id = place_order(customer.user_id).json()["orderId"]

    [email] = outbox("order_created")
    assert email["to"] == {"carla@example.com"}
    assert email["orderId"] == order_id
    assert email["totalPrice"] == "400.00"
    assert email["items"][0] == {
        "categoryName": "Engines & Parts",
        "itemName": "V8 Engine",
        "quantity": 2,
        "unitPrice": "150.00",
        "totalPrice": "300.00",
    }
    assert email["vehicle"] == "Toyota Corolla (2018)"
    assert email["deliveryLocation"] == "12 Hay St, Perth WA 6000"
    assert email["orderUrl"].endswith(f"/order/{order_id}")
    events = [event for event in staff_events() if event["type"] == "order.created"]
    assert [(event["orderId"], event["totalPrice"], event["status"]) for event in events] == [
        (order_id, "400.00", "PENDING")
    ]
