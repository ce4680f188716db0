"""#18.3: staff record a parts order's car (registration, VIN) on the order page; the car's vehicle
page then lists the order beside its appointments, and the search finds both by the rego."""

from __future__ import annotations

from typing import Any

from autolab import audit
from bookings.models import Vehicle
from shop import services
from shop.models import Order
from shop.types import OrderChanges
from tests.shop.test_portal import _messages

VIN = "JTDBR32E720123456"


def details(order: Order, **overrides: Any) -> dict[str, Any]:
    return {
        "action": "details",
        "version": order.version,
        "customerName": order.customer_name,
        "customerEmail": order.customer_email,
        "customerPhone": order.customer_phone,
        "carMake": order.car_make,
        "carModel": order.car_model,
        "carYear": order.car_year,
        "deliveryLocation": order.delivery_location,
        "notes": order.notes or "",
        **overrides,
    }


def vehicle_orders(client, vehicle_key: str) -> str:
    page = client.get(f"/admin/bookings/vehicles/{vehicle_key}/")
    assert page.status_code == 200
    html = page.content.decode()
    return html[html.index('id="vehicle-orders"') :]


def test_the_rego_recorded_on_an_order_makes_the_car_a_vehicle_that_lists_the_order(new_order, support, admin):
    order = new_order()
    client = support.portal()
    saved = client.post(
        f"/admin/shop/orders/{order.order_id}/", details(order, registration="1abc 234", vin=VIN.lower()), follow=True
    )
    assert _messages(saved) == ["Order saved; status PENDING."]

    stored = Order.get(order.order_id)
    assert (stored.registration, stored.vin, stored.vehicle_key) == ("1ABC234", VIN, "1ABC234")
    vehicle = Vehicle.get("1ABC234")
    assert (vehicle.vin, vehicle.make, vehicle.model, vehicle.year) == (VIN, "Toyota", "Corolla", "2018")
    assert 'id="order-vehicle-link" href="/admin/bookings/vehicles/1ABC234/"' in saved.content.decode()
    panel = vehicle_orders(client, "1ABC234")
    assert f'<tr data-order-id="{order.order_id}">' in panel
    assert order.order_id[:8].upper() in panel

    entry = audit.history("order", order.order_id).entries[0]
    assert (entry.actor_id, entry.changed["registration"], entry.changed["vin"]) == (
        support.user_id,
        [None, "1ABC234"],
        [None, VIN],
    )
    found = admin.api().get("/api/search", {"q": "1abc2"}).json()["results"]
    assert {("vehicle", "1ABC234"), ("order", order.order_id)} <= {(row["kind"], row["id"]) for row in found}


def test_a_bad_registration_or_vin_is_refused_and_nothing_is_written(new_order, support):
    order = new_order()
    client = support.portal()
    bad_rego = client.post(
        f"/admin/shop/orders/{order.order_id}/", details(order, registration="1ABC-2345"), follow=True
    )
    assert _messages(bad_rego) == ["Registration must be 1 to 7 letters and digits"]
    bad_vin = client.post(f"/admin/shop/orders/{order.order_id}/", details(order, vin="JTDBR32E72012345O"), follow=True)
    assert _messages(bad_vin) == ["VIN must be 17 letters and digits, without I, O or Q"]
    stored = Order.get(order.order_id)
    assert (stored.version, stored.registration, stored.vin, stored.vehicle_key) == (1, None, None, None)
    assert Vehicle.get_by_id("1ABC2345") is None


def test_clearing_the_rego_takes_the_order_off_the_cars_page(new_order, support):
    order = new_order()
    client = support.portal()
    client.post(f"/admin/shop/orders/{order.order_id}/", details(order, registration="1ABC234"))
    order = Order.get(order.order_id)
    client.post(f"/admin/shop/orders/{order.order_id}/", details(order, registration=""))

    stored = Order.get(order.order_id)
    assert (stored.registration, stored.vehicle_key) == (None, None)
    assert Vehicle.get("1ABC234").registration == "1ABC234"  # the car stays a record of its own
    panel = vehicle_orders(client, "1ABC234")
    assert "<tr data-order-id=" not in panel
    assert "No parts orders for this car." in panel


def test_a_mechanic_sees_the_cars_orders_delivered_by_them_only(new_order, support, mechanic, make_staff):
    order = new_order()
    services.order_update(
        actor=support.identity,
        order_id=order.order_id,
        changes=OrderChanges(given=frozenset({"mechanic_id"}), mechanic_id=mechanic.user_id),
    )
    order = Order.get(order.order_id)
    support.portal().post(f"/admin/shop/orders/{order.order_id}/", details(order, registration="1ABC234"))

    assert f'data-order-id="{order.order_id}"' in vehicle_orders(mechanic.portal(), "1ABC234")
    other = make_staff("MECHANIC", name="Olly Other").portal()
    assert "<tr data-order-id=" not in vehicle_orders(other, "1ABC234")
