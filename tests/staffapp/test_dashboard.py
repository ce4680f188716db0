"""The portal index is the dashboard: each role sees the panels its permissions allow, filled from
the data by key or index; each panel's body is served alone (for the live refresh) to the same staff only."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from autolab import clock
from bench.harness import count_dynamodb_calls
from billing.services.manual_payments import manual_payment_confirm
from bookings import seeds as booking_seeds
from bookings import selectors
from bookings.services import report_attach
from chat import inquiries, messaging
from chat import services as chat_services
from shop import seeds as shop_seeds
from staffapp.templatetags.staff_format import money

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ALL_PANELS = {"jobs", "to-schedule", "reports", "chats", "inquiries", "unpaid-orders", "takings"}


def panels(html: str) -> set[str]:
    return set(re.findall(r'<section class="dash-panel dash-[\w-]+" id="panel-([\w-]+)"', html))


def panel(html: str, name: str) -> str:
    start = html.index(f'id="panel-{name}"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def customer_id() -> str:
    list(booking_seeds.seed())
    return chat_services.customer_register(user_email="cara@example.com", user_name="Cara Buyer").user_id


def book(customer_id: str, *, days: int = 3, name: str = "Cara Buyer") -> str:
    day = (clock.business_today() + dt.timedelta(days=days)).isoformat()
    data = {
        "serviceId": 1,
        "planId": 2,
        "isBuyer": True,
        "buyerData": {"name": name, "email": "cara@example.com", "phoneNumber": "+61 412 345 678"},
        "carData": {"make": "Toyota", "model": "Corolla", "year": 2015, "location": "12 Hay St, Perth WA 6000"},
        "selectedSlots": [{"date": day, "start": "09:00", "end": "12:00", "priority": 1}],
    }
    response = APIClient().post("/api/appointments", {"userId": customer_id, "appointmentData": data}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["appointmentId"]


def schedule_today(persona: Any, appointment_id: str, mechanic_id: str) -> None:
    today = clock.business_today().isoformat()
    response = persona.api().patch(
        f"/api/appointments/{appointment_id}",
        {"scheduledTimeSlot": {"date": today, "start": "09:00", "end": "12:00"}, "assignedMechanicId": mechanic_id},
        format="json",
    )
    assert response.status_code == 200, response.content


def test_each_role_sees_the_panels_its_permissions_allow(make_staff):
    admin = make_staff("ADMIN", "CUSTOMER_SUPPORT")
    expected = [
        (admin, ALL_PANELS),
        (make_staff("ADMIN"), ALL_PANELS),
        (make_staff("CUSTOMER_SUPPORT"), ALL_PANELS - {"reports"}),
        (make_staff("CLERK"), {"jobs", "to-schedule", "chats", "inquiries", "unpaid-orders"}),
        (make_staff("MECHANIC"), {"jobs", "inquiries"}),
    ]
    for persona, names in expected:
        response = persona.portal().get("/admin/")
        assert response.status_code == 200
        html = response.content.decode()
        assert panels(html) == names, persona.identity.roles
        assert "Recent actions" in html  # the sections and the audit box stay below the panels
    assert "Staff members" in admin.portal().get("/admin/").content.decode()


def test_a_booking_waits_to_be_scheduled_unpaid_then_paid(customer_id, support, admin):
    client = support.portal()
    assert "No bookings waiting to be scheduled." in panel(client.get("/admin/").content.decode(), "to-schedule")

    appointment_id = book(customer_id)
    body = client.get("/admin/dashboard/to-schedule/").content.decode()
    assert 'id="to-schedule-unpaid"' in body
    assert 'id="to-schedule-paid"' not in body
    assert f'data-appointment-id="{appointment_id}"' in body
    assert "Cara Buyer · Toyota Corolla" in body

    manual_payment_confirm(
        actor=admin.identity, record_type="appointment", reference_number=appointment_id, payment_method="cash"
    )
    body = client.get("/admin/dashboard/to-schedule/").content.decode()
    assert 'id="to-schedule-paid-count">1<' in body
    assert 'id="to-schedule-unpaid"' not in body

    schedule_today(support, appointment_id, "")
    assert f'data-appointment-id="{appointment_id}"' not in client.get("/admin/dashboard/to-schedule/").content.decode()


def test_the_jobs_timeline_shows_each_mechanics_day_and_a_mechanic_only_their_own(customer_id, make_staff, support):
    max_ = make_staff("MECHANIC", name="Max Mechanic")
    mia = make_staff("MECHANIC", name="Mia Mechanic")
    first, second = book(customer_id), book(customer_id, name="Sam Seller")
    schedule_today(support, first, max_.user_id)
    schedule_today(support, second, mia.user_id)

    everyone = panel(support.portal().get("/admin/").content.decode(), "jobs")
    assert "Max Mechanic" in everyone
    assert "Mia Mechanic" in everyone
    assert "Not assigned" not in everyone
    assert "09:00\u201312:00 Cara Buyer · Toyota Corolla (Scheduled)" in everyone
    assert "--from: 3; --to: 9" in everyone  # 09:00-12:00 spans half hours 3..8 of the 08:00-20:00 grid
    assert everyone.count("No jobs") == 2  # both mechanics are free tomorrow

    own = max_.portal().get("/admin/dashboard/jobs/").content.decode()
    assert f'data-appointment-id="{first}"' in own
    assert f'data-appointment-id="{second}"' not in own
    assert "Mia Mechanic" not in own


def test_an_uploaded_report_waits_for_review_until_an_admin_reviews_it(customer_id, admin, support, mechanic):
    appointment_id = book(customer_id)
    schedule_today(support, appointment_id, mechanic.user_id)
    client = admin.portal()
    assert 'id="reports-count">0<' in client.get("/admin/dashboard/reports/").content.decode()

    upload = report_attach(actor=mechanic.identity, appointment_id=appointment_id, file_name="ppi.pdf", data=PDF)
    done = mechanic.api().patch(f"/api/appointments/{appointment_id}", {"status": "COMPLETED"}, format="json")
    assert done.status_code == 200, done.content
    body = client.get("/admin/dashboard/reports/").content.decode()
    assert 'id="reports-count">1<' in body
    assert ">ppi.pdf</a>" in body

    review = {"reportApproval": {"reportS3Key": upload.key, "action": "approve"}}
    reviewed = admin.api().patch(f"/api/appointments/{appointment_id}", review, format="json")
    assert reviewed.status_code == 200, reviewed.content
    assert 'id="reports-count">0<' in client.get("/admin/dashboard/reports/").content.decode()


def test_chats_inquiries_orders_and_takings(customer_id, admin, support):
    list(shop_seeds.seed())
    messaging.message_send(client_id=customer_id, text="Can you do Saturday instead?", staff=None)
    inquiries.inquiry_create(
        user_id=customer_id,
        inquiry=inquiries.InquiryRequest(first_name="Cara", last_name="Buyer", email="c@example.com", message="Utes?"),
    )
    order = {
        "items": [{"categoryId": 1, "itemId": 1, "quantity": 2}],
        "customerData": {"name": "Cara Buyer", "email": "cara@example.com", "phoneNumber": "0412 345 678"},
        "carData": {"make": "Toyota", "model": "Corolla", "year": 2015},
        "deliveryLocation": "12 Hay St, Perth WA 6000",
    }
    placed = APIClient().post("/api/orders", {"userId": customer_id, "orderData": order}, format="json")
    assert placed.status_code == 200, placed.content
    client = admin.portal()
    html = client.get("/admin/").content.decode()
    assert 'id="chats-count">1<' in panel(html, "chats")
    assert "1 unassigned" in panel(html, "chats")
    assert 'id="inquiries-count">1<' in panel(html, "inquiries")
    assert 'id="unpaid-orders-count">1<' in panel(html, "unpaid-orders")
    assert 'id="takings-total">$0.00<' in panel(html, "takings")

    paid = book(customer_id)
    manual_payment_confirm(
        actor=admin.identity, record_type="appointment", reference_number=paid, payment_method="cash"
    )
    manual_payment_confirm(
        actor=admin.identity,
        record_type="order",
        reference_number=placed.json()["orderId"],
        payment_method="bank_transfer",
    )
    takings = client.get("/admin/dashboard/takings/").content.decode()
    price = selectors.service_price_get(1, 2).price  # type: ignore[union-attr]
    assert "2 invoices today" in takings
    assert f"Cash: {money(price)}" in takings
    assert 'id="unpaid-orders-count">0<' in client.get("/admin/dashboard/unpaid-orders/").content.decode()


def test_a_panel_alone_is_only_for_staff_its_permissions_allow(mechanic, support):
    anonymous = Client().get("/admin/dashboard/to-schedule/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/admin/login/")
    assert mechanic.portal().get("/admin/dashboard/to-schedule/").status_code == 403
    assert mechanic.portal().get("/admin/dashboard/takings/").status_code == 403
    assert support.portal().get("/admin/dashboard/no-such-panel/").status_code == 404
    answer = support.portal().get("/admin/dashboard/inquiries/")
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    assert "<html" not in answer.content.decode()  # the body alone, swapped into the open page


def test_the_dashboard_reads_by_key_or_index_in_a_few_calls(customer_id, admin, make_staff, support):
    mechanic = make_staff("MECHANIC", name="Max Mechanic")
    schedule_today(support, book(customer_id), mechanic.user_id)
    client = admin.portal()
    client.get("/admin/")  # warm the caches a page load fills (active mechanics, the plan)
    with count_dynamodb_calls() as calls:
        assert client.get("/admin/").status_code == 200
    # The member (GetItem); jobs: the two days, their appointments (BatchGetItems); to schedule 1,
    # reports 1 (the review queue's sparse index), chats 1, inquiries 1, unpaid orders 2 (pending, scheduled),
    # takings 1, the header's two badges and the recent actions box 3 (Queries). No Scan.
    assert calls == Counter({"GetItem": 1, "BatchGetItem": 2, "Query": 10})
