"""Replays what the existing customer website sends (original-frontends.md §2) and checks every
response field the website reads. Nothing the website relies on may change shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.management import call_command
from rest_framework.test import APIClient

from autolab import clock

APPOINTMENT_FIELDS = {
    "appointmentId",
    "serviceId",
    "planId",
    "status",
    "paymentStatus",
    "price",
    "carMake",
    "carModel",
    "carYear",
    "carLocation",
    "isBuyer",
    "buyerName",
    "buyerEmail",
    "buyerPhone",
    "selectedSlots",
    "notes",
    "postNotes",
    "reports",
    "createdAt",
    "createdDate",
    "updatedAt",
}


@pytest.fixture
def website(db) -> APIClient:
    call_command("seed", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return APIClient()


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert body["success"] is True, body
    return body


def _customer(website: APIClient) -> str:
    body = _ok(website.post("/api/users/register", {}, format="json"), 201)
    return body["userId"]


def _future_day(days: int = 3) -> str:
    return (clock.business_today() + dt.timedelta(days=days)).isoformat()


def _book(website: APIClient, user_id: str, **overrides: Any) -> str:
    day = _future_day()
    appointment = {
        "serviceId": 1,
        "planId": 2,
        "isBuyer": True,
        "buyerData": {"name": "Jane Buyer", "email": "jane@example.com", "phoneNumber": "+61 412 345 678"},
        "carData": {"make": "Toyota", "model": "Camry", "year": 2020, "location": "Perth"},
        "notes": "Check the gearbox",
        "selectedSlots": [
            {"date": day, "start": "09:00", "end": "12:00", "priority": 1},
            {"date": day, "start": "13:00", "end": "16:00", "priority": 2},
        ],
        **overrides,
    }
    body = _ok(
        website.post("/api/appointments", {"userId": user_id, "appointmentData": appointment}, format="json"), 200
    )
    assert body["message"] == "Appointment created successfully"
    return body["appointmentId"]


def test_users_check_answers_valid_or_404(website: APIClient) -> None:
    user_id = _customer(website)
    body = _ok(website.get("/api/users/check", {"userId": user_id}))
    assert body["valid"] is True
    assert body["userId"] == user_id
    unknown = website.get("/api/users/check", {"userId": "customer_1700000000000_abc"})
    assert unknown.status_code == 404
    assert unknown.json()["success"] is False


def test_booking_and_status_pages(website: APIClient) -> None:
    user_id = _customer(website)
    day = _future_day()

    slots = _ok(website.get("/api/unavailable-slots", {"date": day}))
    assert {"date", "unavailableSlots", "manuallyUnavailableSlots", "scheduledSlots"} <= set(slots)

    appointment_id = _book(website, user_id)

    listing = _ok(website.get("/api/appointments", {"userId": user_id}))
    assert [a["appointmentId"] for a in listing["appointments"]] == [appointment_id]
    card = listing["appointments"][0]
    assert set(card) >= APPOINTMENT_FIELDS, APPOINTMENT_FIELDS - set(card)
    assert (card["status"], card["paymentStatus"], card["price"]) == ("PENDING", "pending", 280)
    assert card["selectedSlots"][0] == {"date": day, "start": "09:00", "end": "12:00", "priority": 1}
    assert card["buyerPhone"] == "+61 412 345 678" or card["buyerPhone"].replace(" ", "") == "+61412345678"

    detail = _ok(website.get(f"/api/appointments/{appointment_id}", {"userId": user_id}))
    assert detail["appointment"]["appointmentId"] == appointment_id
    assert not detail.get("assignedMechanic")
    assert website.get(f"/api/appointments/{appointment_id}", {"userId": "guest"}).status_code == 404
    assert website.get(f"/api/appointments/{appointment_id}", {"userId": _customer(website)}).status_code == 404

    check = _ok(website.get("/api/unavailable-slots", {"date": day, "checkSlot": "09:01-11:59"}))
    assert {"appointmentsCount", "blocked"} <= set(check["availabilityCheck"])
    assert check["availabilityCheck"]["blocked"] is False


def test_the_detail_page_shows_the_confirmed_schedule_and_mechanic(website: APIClient, make_staff: Any) -> None:
    user_id = _customer(website)
    appointment_id = _book(website, user_id)
    mechanic = make_staff("MECHANIC", name="Max Mechanic")
    support = make_staff("CUSTOMER_SUPPORT")
    day = _future_day()
    patched = support.api().patch(
        f"/api/appointments/{appointment_id}",
        {"scheduledTimeSlot": {"date": day, "start": "09:00", "end": "12:00"}, "assignedMechanicId": mechanic.user_id},
        format="json",
    )
    assert _ok(patched)["message"] == "Appointment updated successfully"

    detail = _ok(website.get(f"/api/appointments/{appointment_id}", {"userId": user_id}))
    appointment = detail["appointment"]
    assert appointment["status"] == "SCHEDULED"
    assert appointment["scheduledDate"] == day
    assert {k: appointment["scheduledTimeSlot"][k] for k in ("date", "start", "end")} == {
        "date": day,
        "start": "09:00",
        "end": "12:00",
    }
    assert appointment["assignedMechanicId"] == mechanic.user_id
    assert {"userName", "userEmail", "contactNumber"} <= set(detail["assignedMechanic"])
    assert detail["assignedMechanic"]["userName"] == "Max Mechanic"


def test_booking_a_fourth_unpaid_appointment_today_is_429(website: APIClient) -> None:
    user_id = _customer(website)
    for _ in range(3):
        _book(website, user_id)
    response = website.post(
        "/api/appointments",
        {
            "userId": user_id,
            "appointmentData": {
                "serviceId": 1,
                "planId": 1,
                "isBuyer": True,
                "buyerData": {"name": "J", "email": "j@example.com", "phoneNumber": "0412345678"},
                "carData": {"make": "A", "model": "B", "year": 2020},
                "selectedSlots": [{"date": _future_day(), "start": "09:00", "end": "11:00", "priority": 1}],
            },
        },
        format="json",
    )
    assert response.status_code == 429
    assert response.json()["success"] is False


def test_paying_with_stripe(website: APIClient, fake_stripe: Any) -> None:
    user_id = _customer(website)
    appointment_id = _book(website, user_id)

    intent = _ok(
        website.post(
            "/api/payments/stripe/intent",
            {
                "userId": user_id,
                "referenceNumber": appointment_id,
                "type": "appointment",
                "amount": 28000,
                "currency": "aud",
                "metadata": {"userId": user_id, "referenceNumber": appointment_id, "type": "appointment"},
            },
            format="json",
        )
    )
    assert intent["clientSecret"]
    payment_intent_id = intent["paymentIntentId"]

    wrong = website.post(
        "/api/payments/stripe/intent",
        {"userId": user_id, "referenceNumber": appointment_id, "type": "appointment", "amount": 100, "currency": "aud"},
        format="json",
    )
    assert wrong.status_code == 400

    fake_stripe.succeed(payment_intent_id)
    confirmed = _ok(
        website.post(
            "/api/payments/stripe/confirm",
            {
                "paymentIntentId": payment_intent_id,
                "referenceNumber": appointment_id,
                "type": "appointment",
                "userId": user_id,
            },
            format="json",
        )
    )
    assert (confirmed["referenceNumber"], confirmed["paymentStatus"]) == (appointment_id, "paid")

    # /payment/success: Stripe's redirect flow confirms with only the intent id and routes on the reply.
    again = _ok(website.post("/api/payments/stripe/confirm", {"paymentIntentId": payment_intent_id}, format="json"))
    assert again["referenceNumber"] == appointment_id
    assert again["paymentStatus"] == "paid"

    detail = _ok(website.get(f"/api/appointments/{appointment_id}", {"userId": user_id}))["appointment"]
    assert detail["paymentStatus"] == "paid"
    assert detail["paymentIntentId"] == payment_intent_id
    assert {"paidAt", "paymentAmount", "paymentMethod"} <= set(detail)


def test_contact_form(website: APIClient) -> None:
    user_id = _customer(website)
    body = _ok(
        website.post(
            "/api/inquiries",
            {
                "userId": user_id,
                "inquiryData": {
                    "firstName": "Sam",
                    "lastName": "Lee",
                    "email": "sam@example.com",
                    "message": "Do you inspect motorbikes too?",
                },
            },
            format="json",
        ),
        200,
    )
    assert body["message"] == "Inquiry submitted successfully"
    assert body["inquiryId"]
    short = website.post(
        "/api/inquiries",
        {
            "userId": user_id,
            "inquiryData": {"firstName": "Sam", "lastName": "Lee", "email": "sam@example.com", "message": "short"},
        },
        format="json",
    )
    assert short.status_code == 400


def test_ordering_parts(website: APIClient) -> None:
    user_id = _customer(website)
    order = {
        "items": [{"categoryId": 1, "itemId": 1, "quantity": 2}, {"categoryId": 2, "itemId": 2, "quantity": 1}],
        "customerData": {"name": "Jane", "email": "jane@example.com", "phoneNumber": "0412345678"},
        "carData": {"make": "Honda", "model": "Civic", "year": 2019},
        "deliveryLocation": "1 Hay St, Perth",
        "notes": "Leave at the gate",
    }
    created = _ok(website.post("/api/orders", {"userId": user_id, "orderData": order}, format="json"), 200)
    assert created["message"] == "Order created successfully"
    order_id = created["orderId"]

    listing = _ok(website.get("/api/orders", {"userId": user_id}))
    assert [o["orderId"] for o in listing["orders"]] == [order_id]
    detail = _ok(website.get(f"/api/orders/{order_id}", {"userId": user_id}))["order"]
    assert (detail["status"], detail["paymentStatus"], detail["totalPrice"]) == ("PENDING", "pending", 400)
    assert [
        (i["categoryId"], i["itemId"], i["quantity"], i["unitPrice"], i["totalPrice"]) for i in detail["items"]
    ] == [
        (1, 1, 2, 150, 300),
        (2, 2, 1, 100, 100),
    ]
    assert website.get(f"/api/orders/{order_id}", {"userId": _customer(website)}).status_code == 404


def test_chat_over_rest(website: APIClient) -> None:
    user_id = _customer(website)
    sent = _ok(
        website.post(
            "/api/messages",
            {"clientId": user_id, "messageId": "msg_1700000000000_x1", "message": "Hello!"},
            format="json",
        ),
        200,
    )
    assert sent["messageId"] == "msg_1700000000000_x1"
    assert sent.get("timestamp") or sent.get("createdAt")

    history = _ok(website.get("/api/messages", {"clientId": user_id}))["messages"]
    assert len(history) == 1
    message = history[0]
    assert {"messageId", "senderId", "receiverId", "message", "received", "viewed"} <= set(message)
    assert message.get("timestamp") or message.get("createdAt")
    assert (message["senderId"], message["message"]) == (user_id, "Hello!")

    reused = website.post(
        "/api/messages", {"clientId": user_id, "messageId": "msg_1700000000000_x1", "message": "Again"}, format="json"
    )
    assert reused.status_code == 409


@pytest.mark.django_db(transaction=True)
async def test_chat_socket_init_issues_an_id_and_pushes_staff_replies(open_socket: Any, make_staff: Any) -> None:
    socket = await open_socket()
    await socket.send({"action": "init", "userId": None, "userName": "Visitor"})
    init = await socket.receive_until(lambda event: event.get("type") == "connection")
    assert (init["subtype"], init["success"]) == ("init", True)
    user_id = init["userId"]

    await socket.send({"action": "ping", "timestamp": 1})
    support = await sync_to_async(make_staff)("CUSTOMER_SUPPORT")
    response = await sync_to_async(support.api().post)(
        "/api/messages", {"clientId": user_id, "message": "Hi, how can we help?"}, format="json"
    )
    assert response.status_code == 200, response.content
    pushed = await socket.receive_until(lambda event: event.get("type") == "message")
    assert pushed["subtype"] == "new"
    assert pushed["message"] == "Hi, how can we help?"
    assert {"messageId", "senderId", "timestamp"} <= set(pushed)

    other = await open_socket()
    await other.send({"action": "init", "userId": "not-a-real-id"})
    refused = await other.receive_until(lambda event: event.get("type") == "connection")
    assert (refused["success"], refused["error"]) == (False, "INVALID_USER_ID")
