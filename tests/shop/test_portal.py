from __future__ import annotations

from decimal import Decimal

import pytest

from emails.suppression import suppression_add
from shop.models import ItemPrice, Order


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_index_shows_the_shop_section_by_role(catalogue, admin, clerk, mechanic) -> None:
    admin_index = admin.portal().get("/admin/").content.decode()
    assert "Parts orders" in admin_index
    assert "Parts catalogue" in admin_index
    clerk_index = clerk.portal().get("/admin/").content.decode()
    assert "Parts orders" in clerk_index
    assert "Parts catalogue" not in clerk_index
    assert "Parts orders" in mechanic.portal().get("/admin/").content.decode()


def test_order_list_filters_and_pages(new_order, support) -> None:
    orders = [new_order() for _ in range(3)]
    orders[0].update(actions=[Order.status.set("CANCELLED")])
    client = support.portal()

    page = client.get("/admin/shop/orders/").content.decode()
    assert all(order.order_id in page for order in orders)
    filtered = client.get("/admin/shop/orders/", {"status": "CANCELLED"}).content.decode()
    assert orders[0].order_id in filtered
    assert orders[1].order_id not in filtered
    bad = client.get("/admin/shop/orders/", {"status": "LOST"})
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()
    backwards = client.get("/admin/shop/orders/", {"dateFrom": "2030-01-05", "dateTo": "2030-01-01"}).content.decode()
    assert "must not be after" in backwards


def test_order_list_date_filter(new_order, support) -> None:
    from autolab import clock

    recent, old = new_order(), new_order()
    old.update(actions=[Order.created_at.set(clock.epoch_now() - 40 * 86400)])
    today = clock.business_today().isoformat()

    page = support.portal().get("/admin/shop/orders/", {"dateFrom": today}).content.decode()

    assert recent.order_id in page
    assert old.order_id not in page


def test_order_list_cursor_paging(new_order, support, monkeypatch) -> None:
    from shop import portal

    monkeypatch.setattr(portal, "PAGE_SIZE", 2)
    ids = {new_order().order_id for _ in range(3)}
    client = support.portal()

    first = client.get("/admin/shop/orders/")
    cursor = first.context["next_cursor"]
    second = client.get("/admin/shop/orders/", {"cursor": cursor})

    seen = {order.order_id for order in first.context["orders"]} | {
        order.order_id for order in second.context["orders"]
    }
    assert seen == ids
    assert second.context["next_cursor"] is None
    forged = client.get("/admin/shop/orders/", {"cursor": "forged"})
    assert forged.status_code == 200
    assert "Invalid cursor" in _messages(forged)


def test_mechanic_sees_only_assigned_orders_in_the_list(new_order, mechanic, support) -> None:
    mine, other = new_order(), new_order()
    support.api().patch(f"/api/orders/{mine.order_id}", {"assignedMechanicId": mechanic.user_id}, format="json")

    page = mechanic.portal().get("/admin/shop/orders/").content.decode()

    assert mine.order_id in page
    assert other.order_id not in page


def test_detail_shows_items_and_the_allowed_actions(new_order, support, clerk) -> None:
    order = new_order()

    page = support.portal().get(f"/admin/shop/orders/{order.order_id}/").content.decode()
    assert "V8 Engine" in page
    assert "$400.00" in page
    assert 'id="schedule-form"' in page
    assert 'id="items-form"' in page
    assert "Cancel order" in page
    clerk_page = clerk.portal().get(f"/admin/shop/orders/{order.order_id}/").content.decode()
    assert 'id="notes-form"' in clerk_page
    assert 'id="schedule-form"' not in clerk_page
    assert 'id="status-actions"' not in clerk_page


def test_unknown_order_page_is_404(catalogue, support) -> None:
    assert support.portal().get("/admin/shop/orders/nope/").status_code == 404


def test_suppressed_address_warning(new_order, support) -> None:
    order = new_order()
    client = support.portal()
    assert 'id="suppressed-warning"' not in client.get(f"/admin/shop/orders/{order.order_id}/").content.decode()
    suppression_add(email="Carla@Example.com", actor=support.identity)

    assert 'id="suppressed-warning"' in client.get(f"/admin/shop/orders/{order.order_id}/").content.decode()


def test_schedule_status_notes_and_items_actions(new_order, support, mechanic) -> None:
    order = new_order()
    client = support.portal()
    url = f"/admin/shop/orders/{order.order_id}/"

    response = client.post(
        url, {"action": "schedule", "version": 1, "scheduledDate": "2030-03-04", "assignedMechanicId": mechanic.user_id}
    )
    assert response.status_code == 302
    stored = Order.get(order.order_id)
    assert (stored.status, stored.scheduled_date, stored.assigned_mechanic_id) == (
        "SCHEDULED",
        "2030-03-04",
        mechanic.user_id,
    )

    client.post(url, {"action": "items", "version": 2, "qty_1_1": "0", "qty_1_2": "2", "qty_2_1": "0", "qty_2_2": "1"})
    assert Order.get(order.order_id).total_price == Decimal("340")

    client.post(url, {"action": "notes", "version": 3, "postNotes": "Call before delivery"})
    assert Order.get(order.order_id).post_notes == "Call before delivery"

    client.post(
        url,
        {
            "action": "details",
            "version": 4,
            "customerName": "Carla C",
            "customerEmail": "carla@example.com",
            "customerPhone": "0412345678",
            "carMake": "Toyota",
            "carModel": "Yaris",
            "carYear": "2019",
            "deliveryLocation": "Depot",
            "notes": "",
        },
    )
    stored = Order.get(order.order_id)
    assert (stored.customer_name, stored.car_model, stored.delivery_location, stored.version) == (
        "Carla C",
        "Yaris",
        "Depot",
        5,
    )


def test_stale_page_action_is_refused_with_a_message(new_order, support) -> None:
    order = new_order()
    client = support.portal()
    url = f"/admin/shop/orders/{order.order_id}/"
    client.post(url, {"action": "notes", "version": 1, "postNotes": "first"})

    response = client.post(url, {"action": "notes", "version": 1, "postNotes": "second"}, follow=True)

    assert any("changed by someone else" in message for message in _messages(response))
    assert Order.get(order.order_id).post_notes == "first"


def test_bad_action_input_shows_a_message_and_changes_nothing(new_order, support) -> None:
    order = new_order()
    client = support.portal()
    url = f"/admin/shop/orders/{order.order_id}/"

    for data in (
        {"action": "schedule", "version": 1, "scheduledDate": "soon"},
        {"action": "items", "version": 1, "qty_1_1": "31"},
        {"action": "items", "version": 1, "qty_1_1": "abc"},
        {"action": "status", "version": 1, "status": "DELIVERED"},
        {"action": "explode", "version": 1},
        {"action": "notes"},
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert _messages(response), data
    assert Order.get(order.order_id).version == 1


def test_cancel_asks_for_confirmation(new_order, support) -> None:
    order = new_order()
    client = support.portal()

    confirm = client.get(f"/admin/shop/orders/{order.order_id}/cancel/")
    assert confirm.status_code == 200
    assert "Yes, cancel the order" in confirm.content.decode()
    assert Order.get(order.order_id).status == "PENDING"

    client.post(f"/admin/shop/orders/{order.order_id}/", {"action": "status", "status": "CANCELLED", "version": 1})
    assert Order.get(order.order_id).status == "CANCELLED"


def test_clerk_cannot_use_support_actions(new_order, clerk) -> None:
    order = new_order()
    client = clerk.portal()

    response = client.post(
        f"/admin/shop/orders/{order.order_id}/", {"action": "status", "status": "CANCELLED", "version": 1}, follow=True
    )

    assert any("not allowed" in message for message in _messages(response))
    assert client.get(f"/admin/shop/orders/{order.order_id}/cancel/").status_code == 403
    assert Order.get(order.order_id).status == "PENDING"


# --- Catalogue management --------------------------------------------------------------------


def test_catalogue_is_admin_only(catalogue, support, admin) -> None:
    assert support.portal().get("/admin/shop/catalogue/").status_code == 403
    page = admin.portal().get("/admin/shop/catalogue/").content.decode()
    assert "Winter Tyres" in page
    assert "Engines &amp; Parts" in page


def test_admin_adds_edits_and_renames(catalogue, admin) -> None:
    client = admin.portal()

    client.post(
        "/admin/shop/catalogue/",
        {
            "action": "add",
            "categoryId": 3,
            "categoryName": "Filters",
            "itemId": 1,
            "itemName": "Oil filter",
            "price": "19.95",
            "active": "on",
        },
    )
    added = ItemPrice.get(3, 1)
    assert (added.category_name, added.item_name, added.price, added.active) == (
        "Filters",
        "Oil filter",
        Decimal("19.95"),
        True,
    )

    client.post(
        "/admin/shop/catalogue/",
        {
            "action": "add",
            "categoryId": 1,
            "categoryName": "Ignored",
            "itemId": 3,
            "itemName": "V12 Engine",
            "price": "999",
            "active": "on",
        },
    )
    assert ItemPrice.get(1, 3).category_name == "Engines & Parts"

    client.post(
        "/admin/shop/catalogue/",
        {"action": "edit", "categoryId": 1, "itemId": 1, "itemName": "V8 Engine (rebuilt)", "price": "175.50"},
    )
    edited = ItemPrice.get(1, 1)
    assert (edited.item_name, edited.price, edited.active) == ("V8 Engine (rebuilt)", Decimal("175.50"), False)

    client.post("/admin/shop/catalogue/", {"action": "rename", "categoryId": 2, "categoryName": "Wheels"})
    assert {row.category_name for row in ItemPrice.query(2)} == {"Wheels"}


def test_duplicate_or_bad_catalogue_input_is_refused(catalogue, admin) -> None:
    client = admin.portal()

    duplicate = client.post(
        "/admin/shop/catalogue/", {"action": "add", "categoryId": 1, "itemId": 1, "itemName": "Copy", "price": "1"}
    )
    assert "already exists" in duplicate.content.decode()
    assert ItemPrice.get(1, 1).item_name == "V8 Engine"
    new_category = client.post(
        "/admin/shop/catalogue/", {"action": "add", "categoryId": 5, "itemId": 1, "itemName": "Thing", "price": "1"}
    )
    assert "categoryName is required" in _messages(new_category)
    negative = client.post(
        "/admin/shop/catalogue/",
        {"action": "edit", "categoryId": 1, "itemId": 1, "itemName": "V8", "price": "-5"},
        follow=True,
    )
    assert _messages(negative)
    assert ItemPrice.get(1, 1).price == Decimal("150")
    missing = client.post(
        "/admin/shop/catalogue/",
        {"action": "edit", "categoryId": 9, "itemId": 9, "itemName": "X", "price": "5"},
        follow=True,
    )
    assert "Catalogue item not found" in _messages(missing)


@pytest.mark.parametrize("role", ["CUSTOMER_SUPPORT", "CLERK", "MECHANIC"])
def test_catalogue_actions_need_admin(catalogue, make_staff, role) -> None:
    response = (
        make_staff(role)
        .portal()
        .post(
            "/admin/shop/catalogue/",
            {"action": "edit", "categoryId": 1, "itemId": 1, "itemName": "Hacked", "price": "1"},
        )
    )

    assert response.status_code == 403
    assert ItemPrice.get(1, 1).item_name == "V8 Engine"


def test_details_with_a_bad_email_phone_or_year_are_refused(new_order, support) -> None:
    order = new_order()
    client = support.portal()
    details = {
        "action": "details",
        "version": 1,
        "customerName": "Carla",
        "customerEmail": "not-an-email",
        "customerPhone": "12",
        "carMake": "Toyota",
        "carModel": "Yaris",
        "carYear": "1800",
    }

    response = client.post(f"/admin/shop/orders/{order.order_id}/", details, follow=True)

    [message] = _messages(response)
    assert "customerEmail: must be a valid email address" in message
    assert "customerPhone: must be a valid phone number" in message
    assert "carYear: must be between 1900" in message
    assert Order.get(order.order_id).version == 1
