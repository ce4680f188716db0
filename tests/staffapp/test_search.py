"""The staff search (#18.4): the portal page and GET /api/search over every kind of record, each
staff member seeing the kinds their roles open; a browser finds a customer by phone and a car by
partial rego on desktop and phone viewports."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from autolab import clock
from bench.harness import count_dynamodb_calls
from billing.services.manual_payments import manual_payment_confirm
from bookings import seeds as booking_seeds
from chat import services as chat_services
from chat.validation import Profile
from shop import seeds as shop_seeds
from shop.models import Order


def _day() -> str:
    return (clock.business_today() + dt.timedelta(days=3)).isoformat()


def _records(admin: Any) -> dict[str, str]:
    """A customer, her appointment (with a rego), a paid order and its invoice, through the APIs."""
    list(booking_seeds.seed())
    list(shop_seeds.seed())
    customer = chat_services.customer_register(
        user_name="Priya Raman", user_email="priya@example.com", contact_number="0412 345 678"
    )
    anon = APIClient()
    booking = {
        "serviceId": 1,
        "planId": 2,
        "isBuyer": True,
        "buyerData": {"name": "Priya Raman", "email": "priya@example.com", "phoneNumber": "+61 412 345 678"},
        "carData": {"make": "Mazda", "model": "CX-5", "year": 2019, "registration": "1HXT 482"},
        "notes": "",
        "selectedSlots": [{"date": _day(), "start": "09:00", "end": "12:00", "priority": 1}],
    }
    booked = anon.post("/api/appointments", {"userId": customer.user_id, "appointmentData": booking}, format="json")
    assert booked.status_code == 200, booked.content
    order = {
        "items": [{"categoryId": 1, "itemId": 1, "quantity": 1}],
        "customerData": {"name": "Priya Raman", "email": "priya@example.com", "phoneNumber": "0412345678"},
        "carData": {"make": "Mazda", "model": "CX-5", "year": 2019},
        "deliveryLocation": "12 Hay St, Perth WA 6000",
    }
    placed = anon.post("/api/orders", {"userId": customer.user_id, "orderData": order}, format="json")
    assert placed.status_code == 200, placed.content
    order_id = placed.json()["orderId"]
    manual_payment_confirm(actor=admin.identity, record_type="order", reference_number=order_id, payment_method="cash")
    return {
        "customer": customer.user_id,
        "appointment": booked.json()["appointmentId"],
        "order": order_id,
        "invoice": Order.get(order_id).invoice_id,
        "vehicle": "1HXT482",
    }


@pytest.fixture
def records(admin: Any) -> dict[str, str]:
    return _records(admin)


def _kinds(results: list[dict[str, Any]]) -> Counter:
    return Counter(row["kind"] for row in results)


def test_the_api_finds_every_kind_by_phone_and_each_by_its_own_reference(records, make_staff):
    staff = make_staff("ADMIN", "CUSTOMER_SUPPORT").api()
    by_phone = staff.get("/api/search", {"q": "+61 412 345 678"})
    assert by_phone.status_code == 200
    assert _kinds(by_phone.json()["results"]) == Counter({"customer": 1, "appointment": 1, "order": 1, "invoice": 1})
    customer = next(row for row in by_phone.json()["results"] if row["kind"] == "customer")
    assert customer["id"] == records["customer"]
    assert customer["label"] == "Priya Raman"
    assert customer["url"].endswith(f"/admin/customers/{records['customer']}/record/")
    for text, kind in (
        (records["appointment"][:8], "appointment"),
        (records["order"][:6], "order"),
        (records["invoice"], "invoice"),
        ("1HX", "vehicle"),
        ("1hxt 482", "vehicle"),
    ):
        found = {(row["kind"], row["id"]) for row in staff.get("/api/search", {"q": text}).json()["results"]}
        assert (kind, records[kind]) in found, (text, found)


def test_the_api_is_for_staff_only(records):
    response = APIClient().get("/api/search", {"q": "priya"})
    assert response.status_code == 401
    assert response.json()["success"] is False


def test_each_staff_member_finds_only_the_kinds_their_roles_open(records, make_staff):
    mechanic = make_staff("MECHANIC").api().get("/api/search", {"q": "priya"}).json()["results"]
    assert _kinds(mechanic) == Counter({"customer": 1})  # no appointment, order or invoice lists
    clerk = make_staff("CLERK").api().get("/api/search", {"q": "priya"}).json()["results"]
    assert _kinds(clerk) == Counter({"customer": 1, "appointment": 1, "order": 1})  # invoices: admin, support
    assert {
        row["kind"] for row in make_staff("MECHANIC").api().get("/api/search", {"q": "1hxt"}).json()["results"]
    } == {"vehicle"}


@pytest.mark.parametrize(
    ("query", "status"),
    [({}, 400), ({"q": "x"}, 400), ({"q": "x" * 201}, 400), ({"q": "priya", "limit": "0"}, 400), ({"q": "@@"}, 200)],
)
def test_bad_searches_are_a_clear_400(records, admin, query, status):
    response = admin.api().get("/api/search", query)
    assert response.status_code == status
    assert response.json()["success"] is (status == 200)


def test_a_search_is_one_query_of_the_index(records, admin):
    client = admin.api()
    client.get("/api/search", {"q": "priya"})  # the staff member's identity cached as it would be
    with count_dynamodb_calls() as calls:
        response = client.get("/api/search", {"q": "0412 345 678"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 4
    # The staff member's roles (read per request, GetItem) and the index (one Query).
    assert calls == Counter({"GetItem": 1, "Query": 1})


def test_the_portal_page_groups_results_and_links_each_record(records, admin):
    client = admin.portal()
    html = client.get("/admin/search/", {"q": "0412345678"}).content.decode()
    for heading in ("Customers", "Appointments", "Parts orders", "Invoices"):
        assert f"<h2>{heading}</h2>" in html
    assert f'href="/admin/customers/{records["customer"]}/record/"' in html
    assert f'href="/admin/bookings/appointments/{records["appointment"]}/"' in html
    assert f'href="/admin/shop/orders/{records["order"]}/"' in html
    assert f'href="/admin/billing/invoices/{records["invoice"]}/"' in html
    assert "Type at least 2 letters or digits." in client.get("/admin/search/", {"q": "x"}).content.decode()
    assert "Nothing found for" in client.get("/admin/search/", {"q": "zzzz"}).content.decode()
    assert Client().get("/admin/search/").status_code == 302


def test_a_new_record_is_found_at_once_and_a_changed_phone_no_longer_matches(records, admin):
    client = admin.api()
    chat_services.customer_update_profile(user_id=records["customer"], profile=Profile(contact_number="0499 000 111"))
    kinds = _kinds(client.get("/api/search", {"q": "0412345678"}).json()["results"])
    assert kinds["customer"] == 0  # the customer's old phone stays on her appointment and order
    assert _kinds(client.get("/api/search", {"q": "0499000111"}).json()["results"]) == Counter({"customer": 1})


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_search_finds_a_customer_by_phone_and_a_car_by_partial_rego(
    viewport, live_server, portal_login, page, make_staff
):
    admin = make_staff("ADMIN", "CUSTOMER_SUPPORT", name="Alex Admin")
    records = _records(admin)
    page.set_viewport_size(viewport)
    portal_login(admin)
    page.goto(f"{live_server.url}/admin/search/")
    page.fill("#search-q", "0412 345 678")
    page.click("form[role=search] input[type=submit]")
    page.wait_for_load_state()
    page.click(f"a[href='/admin/customers/{records['customer']}/record/']")
    page.wait_for_load_state()
    assert page.url.endswith(f"/admin/customers/{records['customer']}/record/")
    assert "Priya Raman" in page.inner_text("#content")

    page.goto(f"{live_server.url}/admin/search/")
    page.fill("#search-q", "1hxt")
    page.click("form[role=search] input[type=submit]")
    page.wait_for_load_state()
    link = page.locator("a[href='/admin/bookings/vehicles/1HXT482/']")
    box = link.bounding_box()
    assert box is not None
    assert box["height"] >= 44
    link.click()
    page.wait_for_load_state()
    assert page.inner_text("#vehicle-rego") == "1HXT482"
    assert records["appointment"][:8].upper() in page.inner_text("#vehicle-history")


def test_an_anonymised_customer_is_no_longer_found_by_name_email_or_phone(records, admin):
    from billing.privacy import customer_anonymise

    customer_anonymise(user_id=records["customer"], actor=admin.identity)
    client = admin.api()
    for text in ("0412345678", "priya", "priya@example.com"):
        kinds = _kinds(client.get("/api/search", {"q": text}).json()["results"])
        # The tax invoice is kept with its buyer's details (billing.privacy), so it still matches.
        assert kinds == Counter({"invoice": 1}), (text, kinds)
    assert _kinds(client.get("/api/search", {"q": "1hxt"}).json()["results"]) == Counter(
        {"vehicle": 1, "appointment": 1}
    )  # the car is no personal data: its history stays findable


def test_every_portal_page_has_the_search_box_in_its_header(records, admin):
    html = admin.portal().get("/admin/bookings/appointments/").content.decode()
    assert '<form id="header-search"' in html
    assert 'action="/admin/search/"' in html


def test_a_cancelled_invoice_is_found_as_cancelled_and_reactivated_as_active(records, admin):
    from billing.invoices.lifecycle import invoice_cancel, invoice_reactivate

    def subtitle() -> str:
        results = admin.api().get("/api/search", {"q": records["invoice"]}).json()["results"]
        return next(row["subtitle"] for row in results if row["kind"] == "invoice")

    assert not subtitle().endswith("cancelled")
    invoice_cancel(invoice_id=records["invoice"], actor=admin.identity, reason="Entered twice", notify=False)
    assert subtitle().endswith(" · cancelled")
    invoice_reactivate(invoice_id=records["invoice"], actor=admin.identity)
    assert not subtitle().endswith("cancelled")
