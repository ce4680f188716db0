"""Customer record (#18.2) and privacy export (#18.6): the DynamoDB calls of one customer's page.

Data set: 300 other customers with a chat message each, and the measured customer with 6 bookings
and 5 parts orders (3 bookings paid in cash, 3 orders by bank transfer, each with its tax invoice), 60 chat
messages, 3 inquiries and the confirmation emails those produced, all made through the website's
API and staff services. The page reads the customer (GetItem), appointments and orders
(``createdUserId-index``), card payments (``userId-index``), the records' invoices (one
BatchGetItem), the newest 50 chat messages (``clientId-sentAtMs-index``), inquiries
(``userId-createdAt-index``) and emails (``contactEmail-createdAt-index``, one Query per address):
one call per kind, however many other customers there are; the other three are what every portal
page reads (the staff member, and the header's unread-chat and open-inquiry badges). The export reads everything, with one Query per record for its invoices, payments,
refunds, adjustment notes and audit trail, so it grows with the records (it is rare).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework.test import APIClient

from bench.harness import Measurement, answered, measure, staff_client

OTHER_CUSTOMERS = 300


def _booking(day: str, start: str) -> dict[str, Any]:
    return {
        "serviceId": 1,
        "planId": 2,
        "isBuyer": True,
        "buyerData": {"name": "Cara Buyer", "email": "cara@bench.test", "phoneNumber": "+61 412 345 678"},
        "carData": {"make": "Toyota", "model": "Corolla", "year": 2015, "location": "12 Hay St, Perth WA 6000"},
        "selectedSlots": [{"date": day, "start": start, "end": "12:00", "priority": 1}],
    }


def _order() -> dict[str, Any]:
    return {
        "items": [{"categoryId": 1, "itemId": 1, "quantity": 1}],
        "customerData": {"name": "Cara Buyer", "email": "cara@bench.test", "phoneNumber": "0412 345 678"},
        "carData": {"make": "Toyota", "model": "Corolla", "year": 2015},
        "deliveryLocation": "12 Hay St, Perth WA 6000",
    }


def _seed(admin: Any) -> str:
    from autolab import clock
    from billing.services.manual_payments import manual_payment_confirm
    from bookings import seeds as booking_seeds
    from chat import inquiries, messaging, services
    from shop import seeds as shop_seeds

    list(booking_seeds.seed())
    list(shop_seeds.seed())
    for number in range(OTHER_CUSTOMERS):
        other = services.customer_register(user_name=f"Other {number}", user_email=f"o{number}@bench.test")
        messaging.message_send(client_id=other.user_id, text="Hello", staff=None)
    customer = services.customer_register(user_email="cara@bench.test", user_name="Cara Buyer").user_id
    anon = APIClient()
    day = (clock.business_today() + dt.timedelta(days=3)).isoformat()
    for batch in range(2):  # three unpaid a day at most: pay each batch before the next
        for start in ("08:00", "09:00", "10:00"):
            body = {"userId": customer, "appointmentData": _booking(day, start)}
            appointment_id = answered(anon.post("/api/appointments", body, format="json")).json()["appointmentId"]
            if batch == 0:
                manual_payment_confirm(
                    actor=admin, record_type="appointment", reference_number=appointment_id, payment_method="cash"
                )
        day = (clock.business_today() + dt.timedelta(days=4)).isoformat()
    for number in range(5):
        body = {"userId": customer, "orderData": _order()}
        order_id = answered(anon.post("/api/orders", body, format="json")).json()["orderId"]
        if number < 3:
            manual_payment_confirm(
                actor=admin, record_type="order", reference_number=order_id, payment_method="bank_transfer"
            )
    for number in range(60):
        messaging.message_send(client_id=customer, text=f"Message {number}", staff=None)
    ask = inquiries.InquiryRequest(first_name="Cara", last_name="Buyer", email="cara@bench.test", message="Utes?")
    for _ in range(3):
        inquiries.inquiry_create(user_id=customer, inquiry=ask)
    return customer


def run() -> list[Measurement]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from billing.customers import customer_record
    from staffapp.selectors import staff_identity_for_user

    admin = staff_client("bench-privacy@example.com", ["ADMIN", "CUSTOMER_SUPPORT"])
    user = get_user_model().objects.get(username="bench-privacy@example.com")
    identity = staff_identity_for_user(user)
    assert identity is not None
    customer = _seed(identity)
    found = customer_record(customer)
    assert found is not None
    shown = f"{len(found.appointments)} bookings, {len(found.orders)} orders, {len(found.invoices)} invoices, "
    shown += f"{len(found.messages)} chat messages, {len(found.emails)} emails, {len(found.inquiries)} inquiries"
    portal = Client()
    portal.force_login(user)
    page = measure(
        "GET /admin/customers/{id}/record/ (portal page)",
        lambda i: answered(portal.get(f"/admin/customers/{customer}/record/")),
        notes=shown,
    )
    export = measure(
        "GET /api/customers/{id}/export (ADMIN)",
        lambda i: answered(admin.client.get(f"/api/customers/{customer}/export")),
        repeat=5,
        also_concurrent=False,
        notes="one Query per record for invoices, payments, refunds, notes and audit entries",
    )
    return [page, export]
