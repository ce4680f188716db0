"""#19.1: support orders parts for a caller in the portal, through the API's ``order_create``."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from emails.models import EmailMetadata
from shop.models import Order

pytestmark = pytest.mark.django_db(transaction=True)

ORDER = "/admin/shop/orders/new/"


def order_form(**overrides: str) -> dict[str, str]:
    data = {
        "qty_1_1": "2",
        "qty_2_2": "1",
        "name": "Carla Customer",
        "email": "carla@example.com",
        "phone": "0412 345 678",
        "car_make": "Toyota",
        "car_model": "Corolla",
        "car_year": "2018",
        "delivery_location": "12 Hay St, Perth WA 6000",
        "notes": "Leave at the front desk",
    }
    data.update(overrides)
    return data


def orders_of(user_id: str) -> list[Order]:
    return list(Order.created_user_index.query(user_id))


def test_support_orders_parts_for_a_caller_priced_from_the_catalogue(catalogue, customer, make_staff):
    staff = make_staff("CUSTOMER_SUPPORT", "ADMIN", name="Sam Both")
    client = staff.portal()
    found = client.get("/admin/bookings/caller/", {"q": "carla", "for": "order"}).content.decode()
    assert f'href="{ORDER}?customer={customer.user_id}"' in found
    page = client.get(ORDER, {"customer": customer.user_id})
    html = page.content.decode()
    assert page.status_code == 200
    assert "V8 Engine" in html
    assert "$150.00" in html
    assert 'value="carla@example.com"' in html

    response = client.post(f"{ORDER}?customer={customer.user_id}", order_form())
    assert response.status_code == 302
    (order,) = orders_of(customer.user_id)
    assert response["Location"] == f"{ORDER}{order.order_id}/"
    assert [(line.category_id, line.item_id, line.quantity, line.total_price) for line in order.items] == [
        (1, 1, 2, Decimal(300)),
        (2, 2, 1, Decimal(100)),
    ]
    assert (order.status, order.payment_status, order.total_price) == ("PENDING", "pending", Decimal(400))
    assert (order.delivery_location, order.car_year) == ("12 Hay St, Perth WA 6000", "2018")
    emails = [m for m in EmailMetadata.scan() if m.email_type == "order_created"]  # test inspection only
    assert [m.to_emails for m in emails] == [{"carla@example.com"}]

    done = client.get(response["Location"]).content.decode()
    assert "$400.00" in done
    take = re.search(r'id="take-payment" href="([^"]+)"', done)
    assert take is not None
    assert take.group(1) == f"/admin/billing/payments/order/{order.order_id}/"


def test_bad_order_input_keeps_what_was_typed_and_writes_nothing(catalogue, customer, support):
    client = support.portal()
    url = f"{ORDER}?customer={customer.user_id}"
    cases = [
        ({"qty_1_1": "", "qty_2_2": "0"}, None, "Choose at least one item: give it a quantity."),
        ({"qty_1_1": "31"}, "qty_1_1", "less than or equal to 30"),
        ({"email": "carla@"}, "email", "Must be a valid email address."),
        ({"car_year": "3000"}, "car_year", "Must be between 1900 and"),
        ({"car_model": ""}, "car_model", "This field is required."),
    ]
    for change, field, message in cases:
        response = client.post(url, order_form(**change))
        html = response.content.decode()
        assert response.status_code == 400, change
        assert message in html, change
        assert list(response.context["form"].errors) == [field or "__all__"], change
        assert "12 Hay St, Perth WA 6000" in html  # the input is kept
    assert orders_of(customer.user_id) == []
    assert [m for m in EmailMetadata.scan() if m.email_type == "order_created"] == []


def test_ordering_for_a_caller_needs_the_caller_and_customer_support(catalogue, customer, support, admin, clerk):
    chain = support.portal().get(ORDER, follow=True).redirect_chain
    assert chain == [("/admin/bookings/caller/?for=order", 302)]
    for persona in (admin, clerk):  # the API's rule: only customer support orders for customers
        assert persona.portal().post(f"{ORDER}?customer={customer.user_id}", order_form()).status_code == 403
    assert orders_of(customer.user_id) == []
    assert 'id="caller-order"' in support.portal().get("/admin/shop/orders/").content.decode()
    assert 'id="caller-order"' not in clerk.portal().get("/admin/shop/orders/").content.decode()


def test_a_double_tap_orders_once(catalogue, customer, support):
    client = support.portal()
    url = f"{ORDER}?customer={customer.user_id}"
    key = re.search(r'name="key" value="([0-9a-f]{32})"', client.get(url).content.decode())
    assert key is not None
    first = client.post(url, order_form(key=key.group(1)))
    second = client.post(url, order_form(key=key.group(1)))
    (order,) = orders_of(customer.user_id)
    assert first["Location"] == second["Location"] == f"{ORDER}{order.order_id}/"
