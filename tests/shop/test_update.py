from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from autolab.domain_events import RecordCancelled
from shop.models import Order
from tests.shop.conftest import outbox


def _patch(persona, order: Order, body: dict):
    return persona.api().patch(f"/api/orders/{order.order_id}", body, format="json")


def _set_status(order: Order, status: str, **extra) -> None:
    actions = [Order.status.set(status)] + [getattr(Order, name).set(value) for name, value in extra.items()]
    order.update(actions=actions)


# --- Role matrix: each field group is authorised on its own ----------------------------------

GROUP_BODIES = {
    "items": {"items": [{"categoryId": 2, "itemId": 1, "quantity": 1}]},
    "details": {"carData": {"make": "Mazda", "model": "3", "year": 2020}},
    "scheduling": {"scheduledDate": "2030-01-02"},
    "status": {"status": "CANCELLED"},
    "postNotes": {"postNotes": "Delivered to reception"},
}
# role -> groups it may change on a PENDING order that is not assigned to the caller
ALLOWED = {
    "ADMIN": set(),
    "CUSTOMER_SUPPORT": {"items", "details", "scheduling", "status", "postNotes"},
    "CLERK": {"postNotes"},
    "MECHANIC": set(),
}


@pytest.mark.parametrize("group", sorted(GROUP_BODIES))
@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_role_matrix_per_field_group(new_order, make_staff, role, group) -> None:
    order = new_order()

    response = _patch(make_staff(role), order, GROUP_BODIES[group])

    expected = 200 if group in ALLOWED[role] else 403
    assert response.status_code == expected, response.content
    if expected == 403:
        assert Order.get(order.order_id).version == order.version


def test_one_refused_group_refuses_the_whole_change(new_order, clerk) -> None:
    order = new_order()

    response = _patch(clerk, order, {"postNotes": "ok", "carData": {"make": "Kia"}})

    assert response.status_code == 403
    assert "customer, car and delivery details" in response.json()["message"]
    stored = Order.get(order.order_id)
    assert (stored.post_notes, stored.car_make, stored.version) == ("", "Toyota", 1)


def test_assigned_mechanic_may_deliver_and_write_notes(new_order, mechanic, support) -> None:
    order = new_order()
    _patch(support, order, {"assignedMechanicId": mechanic.user_id})

    assert _patch(mechanic, order, {"postNotes": "Fitted", "status": "DELIVERED"}).status_code == 200
    assert _patch(mechanic, order, {"status": "SCHEDULED"}).status_code == 200
    stored = Order.get(order.order_id)
    assert (stored.status, stored.post_notes) == ("SCHEDULED", "Fitted")


def test_assigned_mechanic_still_may_not_edit_details(new_order, mechanic, support) -> None:
    order = new_order()
    _patch(support, order, {"assignedMechanicId": mechanic.user_id})

    response = _patch(
        mechanic, order, {"status": "DELIVERED", "items": [{"categoryId": 2, "itemId": 1, "quantity": 9}]}
    )

    assert response.status_code == 403
    assert Order.get(order.order_id).status == "SCHEDULED"


def test_unassigned_mechanic_may_not_deliver(new_order, make_staff, support) -> None:
    assigned, other = make_staff("MECHANIC"), make_staff("MECHANIC")
    order = new_order()
    _patch(support, order, {"assignedMechanicId": assigned.user_id})

    assert _patch(other, order, {"status": "DELIVERED"}).status_code == 403
    assert _patch(other, order, {"postNotes": "x"}).status_code == 403


def test_customers_cannot_patch(new_order, anon, customer) -> None:
    order = new_order()

    response = anon.patch(
        f"/api/orders/{order.order_id}?userId={customer.user_id}", {"status": "CANCELLED"}, format="json"
    )

    assert response.status_code == 401
    assert Order.get(order.order_id).status == "PENDING"


# --- Status machine --------------------------------------------------------------------------

SUPPORT_TABLE = {
    "PENDING": {"CANCELLED"},
    "SCHEDULED": {"PENDING", "CANCELLED"},
    "DELIVERED": {"SCHEDULED"},
    "CANCELLED": {"PENDING"},
}


@pytest.mark.parametrize("target", ["PENDING", "SCHEDULED", "DELIVERED", "CANCELLED"])
@pytest.mark.parametrize("start", ["PENDING", "SCHEDULED", "DELIVERED", "CANCELLED"])
def test_support_transition_table(new_order, support, start, target) -> None:
    order = new_order()
    _set_status(order, start)

    response = _patch(support, order, {"status": target})

    if target in SUPPORT_TABLE[start]:
        assert response.status_code == 200
        assert response.json()["order"]["status"] == target
    else:
        assert response.status_code == 400
        assert "Invalid status transition" in response.json()["message"]
        assert Order.get(order.order_id).status == start


@pytest.mark.parametrize(
    ("start", "target"), [("PENDING", "DELIVERED"), ("SCHEDULED", "CANCELLED"), ("DELIVERED", "PENDING")]
)
def test_assigned_mechanic_outside_their_table_is_400(new_order, mechanic, start, target) -> None:
    order = new_order()
    _set_status(order, start, assigned_mechanic_id=mechanic.user_id)

    assert _patch(mechanic, order, {"status": target}).status_code == 400


def test_unknown_status_is_400(new_order, support) -> None:
    order = new_order()

    assert _patch(support, order, {"status": "LOST"}).status_code == 400
    assert _patch(support, order, {"status": 3}).status_code == 400


# --- Scheduling ------------------------------------------------------------------------------


def test_scheduling_forces_scheduled(new_order, support, mechanic) -> None:
    order = new_order()

    response = _patch(support, order, {"scheduledDate": "2030-01-02", "assignedMechanicId": mechanic.user_id})

    assert response.status_code == 200
    stored = Order.get(order.order_id)
    assert (stored.status, stored.scheduled_date, stored.assigned_mechanic_id) == (
        "SCHEDULED",
        "2030-01-02",
        mechanic.user_id,
    )


def test_clearing_the_mechanic_removes_the_attribute(new_order, support, mechanic) -> None:
    order = new_order()
    _patch(support, order, {"assignedMechanicId": mechanic.user_id})

    _patch(support, order, {"assignedMechanicId": "", "scheduledDate": None})

    stored = Order.get(order.order_id)
    assert stored.assigned_mechanic_id is None
    assert stored.scheduled_date is None
    assert not list(Order.assigned_mechanic_index.query(mechanic.user_id))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"scheduledDate": "02/01/2030"}, "scheduledDate must be a date"),
        ({"scheduledDate": 20300102}, "scheduledDate must be a date"),
        ({"assignedMechanicId": "not-a-mechanic"}, "Invalid mechanic ID"),
    ],
)
def test_bad_scheduling_is_400(new_order, support, body, message) -> None:
    order = new_order()

    response = _patch(support, order, body)

    assert response.status_code == 400
    assert message in response.json()["message"]


def test_only_a_mechanic_can_be_assigned(new_order, support, clerk) -> None:
    order = new_order()

    assert _patch(support, order, {"assignedMechanicId": clerk.user_id}).status_code == 400


@pytest.mark.parametrize("status", ["DELIVERED", "CANCELLED"])
def test_details_are_frozen_after_delivery_or_cancellation(new_order, support, status) -> None:
    order = new_order()
    _set_status(order, status)

    for body in ({"scheduledDate": "2030-01-02"}, {"notes": "x"}, GROUP_BODIES["items"]):
        assert _patch(support, order, body).status_code == 400
    assert Order.get(order.order_id).status == status


def test_explicit_status_wins_over_scheduling(new_order, support) -> None:
    order = new_order()

    _patch(support, order, {"scheduledDate": "2030-01-02", "status": "CANCELLED"})

    assert Order.get(order.order_id).status == "CANCELLED"


# --- Items, details, notes -------------------------------------------------------------------


def test_items_are_repriced_before_payment(new_order, support) -> None:
    order = new_order()

    response = _patch(support, order, {"items": [{"categoryId": 1, "itemId": 2, "quantity": 3}]})

    assert response.status_code == 200
    assert response.json()["order"]["totalPrice"] == 360
    stored = Order.get(order.order_id)
    assert stored.total_price == Decimal("360")
    assert [(line.item_id, line.unit_price) for line in stored.items] == [(2, Decimal("120"))]


def test_items_cannot_change_after_payment(new_order, support) -> None:
    order = new_order()
    order.update(actions=[Order.payment_status.set("paid")])

    response = _patch(support, order, {"items": [{"categoryId": 1, "itemId": 2, "quantity": 3}]})

    assert response.status_code == 400
    assert response.json()["message"] == "Cannot update items after payment is completed"
    assert Order.get(order.order_id).total_price == Decimal("400")


def test_partial_customer_and_car_changes_keep_other_fields(new_order, support) -> None:
    order = new_order()

    _patch(
        support,
        order,
        {"customerData": {"phoneNumber": "0899998888"}, "carData": {"year": "2020"}, "deliveryLocation": "Depot"},
    )

    stored = Order.get(order.order_id)
    assert (stored.customer_name, stored.customer_email, stored.customer_phone) == (
        "Carla Customer",
        "carla@example.com",
        "0899998888",
    )
    assert (stored.car_make, stored.car_model, stored.car_year, stored.delivery_location) == (
        "Toyota",
        "Corolla",
        "2020",
        "Depot",
    )


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"unknown": 1},
        {"customerData": {"email": "broken"}},
        {"carData": "Mazda"},
        {"items": []},
        {"items": [{"categoryId": 1, "itemId": 1, "quantity": 31}]},
        {"items": [{"categoryId": 8, "itemId": 8, "quantity": 1}]},
        {"postNotes": ["x"]},
        {"postNotes": "x", "version": "one"},
        {"postNotes": "x", "version": True},
        {"postNotes": "n" * 1001},
        {"assignedMechanicId": 5},
        {"assignedMechanicId": "m" * 500},
        {"scheduledDate": {"date": "2030-01-02"}},
        {"items": "V8"},
        {"items": [{"categoryId": "1", "itemId": 1, "quantity": 1}]},
        {"customerData": {"name": 5}},
        {"customerData": []},
        {"carData": {"year": 3000}},
        {"deliveryLocation": 5},
        {"notes": {"text": "x"}},
        {"status": None},
    ],
)
def test_bad_patches_are_400_and_change_nothing(new_order, support, body) -> None:
    order = new_order()

    response = _patch(support, order, body)

    assert response.status_code == 400
    assert Order.get(order.order_id).version == 1


def test_non_object_body_is_400(new_order, support) -> None:
    order = new_order()

    response = support.api().patch(f"/api/orders/{order.order_id}", ["status"], format="json")

    assert response.status_code == 400


def test_unknown_order_patch_is_404(catalogue, support) -> None:
    assert support.api().patch("/api/orders/nope", {"status": "CANCELLED"}, format="json").status_code == 404


# --- Optimistic locking ----------------------------------------------------------------------


def test_stale_version_is_409(new_order, support) -> None:
    order = new_order()
    _patch(support, order, {"postNotes": "first"})

    response = _patch(support, order, {"postNotes": "second", "version": 1})

    assert response.status_code == 409
    assert Order.get(order.order_id).post_notes == "first"


def _race(personas_and_bodies: list[tuple]) -> list:
    barrier = threading.Barrier(len(personas_and_bodies))
    responses: list = [None] * len(personas_and_bodies)

    def run(index: int, persona, order_id: str, body: dict) -> None:
        client = persona.api()
        barrier.wait()
        responses[index] = client.patch(f"/api/orders/{order_id}", body, format="json")

    threads = [threading.Thread(target=run, args=(i, *args)) for i, args in enumerate(personas_and_bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


# Committed (transactional) auth data: the racing threads read tokens on their own DB connections.
@pytest.mark.django_db(transaction=True)
def test_concurrent_patches_on_the_same_version_one_wins(new_order, support, make_staff) -> None:
    order = new_order()
    other_support = make_staff("CUSTOMER_SUPPORT")

    responses = _race(
        [
            (support, order.order_id, {"status": "CANCELLED", "version": 1}),
            (other_support, order.order_id, {"scheduledDate": "2030-01-02", "version": 1}),
        ]
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    winner = next(r for r in responses if r.status_code == 200).json()["order"]
    stored = Order.get(order.order_id)
    assert (stored.status, stored.version) == (winner["status"], 2)


@pytest.mark.django_db(transaction=True)
def test_concurrent_patches_never_lose_an_update(new_order, support, make_staff) -> None:
    order = new_order()
    clients = [support] + [make_staff("CUSTOMER_SUPPORT") for _ in range(5)]

    responses = _race([(persona, order.order_id, {"postNotes": f"note {i}"}) for i, persona in enumerate(clients)])

    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 409}
    winners = [r.json()["order"] for r in responses if r.status_code == 200]
    assert winners
    stored = Order.get(order.order_id)
    # Every accepted change bumped the version exactly once: none was silently overwritten.
    assert stored.version == 1 + len(winners)
    assert stored.post_notes == max(winners, key=lambda body: body["version"])["postNotes"]


# --- Effects: the cancellation event, emails, live events ------------------------------------


def test_cancelling_publishes_the_event_once(new_order, support, subscribe_in_test) -> None:
    order = new_order()
    received: list[str] = []

    def listen(event: RecordCancelled) -> None:
        received.append(event.record_id)

    subscribe_in_test(RecordCancelled, listen)
    _patch(support, order, {"status": "CANCELLED"})
    _patch(support, order, {"postNotes": "after"})

    assert received == [order.order_id]


def test_a_failing_cancellation_subscriber_does_not_undo_the_cancel(new_order, support, subscribe_in_test) -> None:
    order = new_order()

    def broken(event: RecordCancelled) -> None:
        raise RuntimeError("billing down")

    subscribe_in_test(RecordCancelled, broken)
    response = _patch(support, order, {"status": "CANCELLED"})

    assert response.status_code == 200
    assert Order.get(order.order_id).status == "CANCELLED"


def test_update_emails_say_what_kind_of_change(new_order, support, mechanic, staff_events) -> None:
    order = new_order()
    staff_events()

    _patch(support, order, {"scheduledDate": "2030-01-02", "assignedMechanicId": mechanic.user_id})
    _patch(support, order, {"status": "CANCELLED"})
    _patch(support, order, {"postNotes": "Refund by phone"})

    emails = sorted(outbox("order_updated"), key=lambda email: email["status"] + email["update_type"])
    kinds = [(email["update_type"], email["status"]) for email in emails]
    assert sorted(kinds) == [("general", "CANCELLED"), ("scheduling", "SCHEDULED"), ("status", "CANCELLED")]
    scheduling = next(email for email in emails if email["update_type"] == "scheduling")
    assert scheduling["scheduledDate"] == "2030-01-02"
    assert scheduling["changes"]["Assigned Mechanic"] == {"new": "Max Mechanic"}
    assert scheduling["items"][1]["itemName"] == "Winter Tyres"
    events = [event for event in staff_events() if event["type"] == "order.updated"]
    assert [event["updateType"] for event in events] == ["scheduling", "status", "general"]
    assert [event["version"] for event in events] == [2, 3, 4]


def test_refused_changes_send_nothing(new_order, clerk, staff_events) -> None:
    order = new_order()
    staff_events()

    _patch(clerk, order, {"status": "CANCELLED"})

    assert outbox("order_updated") == []
    assert [event for event in staff_events() if event["type"] == "order.updated"] == []
