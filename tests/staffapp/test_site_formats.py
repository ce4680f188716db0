"""Site-wide parts of the portal: "View site" opens the website, the login page has its h1 and the
shared stylesheet, roles are shown in words with what each may do, and a hidden control says why."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client
from rest_framework.test import APIClient

from autolab import clock
from autolab.permissions import PERMISSIONS, Permission, Role
from bookings import seeds as booking_seeds
from chat.services import customer_register
from staffapp import roles


def test_view_site_opens_the_customer_website(admin, settings) -> None:
    settings.FRONTEND_ROOT_URL = "https://www.autolab.example"
    page = admin.portal().get("/admin/").content.decode()
    assert '<a href="https://www.autolab.example">View site</a>' in page


def test_the_login_page_has_one_h1_and_the_portal_stylesheet(db) -> None:
    page = Client().get("/admin/login/").content.decode()
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", page) == ["Staff sign-in"]
    assert "/static/staffapp/portal.css" in page
    assert page.count("staffapp/portal.css") == 1


def test_portal_pages_load_the_stylesheet_once(admin) -> None:
    page = admin.portal().get("/admin/staff/").content.decode()
    assert page.count("staffapp/portal.css") == 1


def test_every_permission_is_said_in_words() -> None:
    assert set(roles.PHRASES) == set(Permission)
    assert set(roles.ROLE_LABELS) == set(Role)


def test_a_role_description_is_what_the_permission_table_gives_it() -> None:
    support = roles.role_description(Role.CUSTOMER_SUPPORT)
    assert "book appointments for a caller" in support
    assert "approve inspection reports" not in support
    admin = roles.role_description(Role.ADMIN)
    assert "approve inspection reports" in admin
    assert "add staff and change their roles and access" in admin
    assert "read inquiries" not in admin  # every role may: said once, under the list
    assert "read inquiries" in roles.everyone_can()
    for role in Role:
        expected = [p for p, holders in PERMISSIONS.items() if role in holders and len(holders) < len(Role)]
        assert roles.role_can(role) == [roles.PHRASES[p] for p in expected]


def test_the_staff_form_shows_each_role_with_what_it_can_do(admin) -> None:
    page = admin.portal().get("/admin/staff/add/").content.decode()
    assert '<label for="id_roles_2">Customer support</label>' in page
    assert roles.role_description(Role.MECHANIC) in page
    assert "Every role can" in page
    assert "CUSTOMER_SUPPORT</label>" not in page


def test_the_staff_list_and_page_name_roles_in_words(admin, make_staff) -> None:
    peer = make_staff("CUSTOMER_SUPPORT", "CLERK", name="Pat Peer")
    client = admin.portal()
    listing = client.get("/admin/staff/").content.decode()
    assert '<span class="badge">Customer support</span>' in listing
    assert ">CUSTOMER_SUPPORT<" not in listing
    detail = client.get(f"/admin/staff/{peer.email}/").content.decode()
    assert "<strong>Roles:</strong> Customer support, Clerk<br>" in detail
    assert peer.user_id not in detail  # a name, never an id


def test_a_hidden_control_says_which_role_has_it(support, admin) -> None:
    assert roles.role_note(support.identity, Permission.PAYMENT_CONFIRM_MANUAL) == (
        "Only Admin can confirm and revert cash, bank transfer and card payments; your roles: Customer support."
    )
    assert roles.role_note(admin.identity, Permission.PAYMENT_CONFIRM_MANUAL) == ""
    assert roles.holders(Permission.CUSTOMER_EDIT) == "Admin or Customer support"
    assert roles.holders(Permission.APPOINTMENT_REPORT_WRITE) == "Mechanic, Customer support or Clerk"


def test_pages_that_hide_a_control_say_which_role_has_it(admin, support) -> None:
    """An admin sees no status buttons on an appointment and support no payment confirmation:
    each page says who can, instead of leaving the control out silently."""
    list(booking_seeds.seed())
    customer = customer_register(user_email="cara@example.com", user_name="Cara Buyer")
    day = (clock.business_today() + dt.timedelta(days=3)).isoformat()
    booking = {
        "serviceId": 1,
        "planId": 1,
        "isBuyer": True,
        "buyerData": {"name": "Cara Buyer", "email": "cara@example.com", "phoneNumber": "0412 345 678"},
        "carData": {"make": "Toyota", "model": "Corolla", "year": 2015, "location": "Perth"},
        "selectedSlots": [{"date": day, "start": "09:00", "end": "11:00", "priority": 1}],
    }
    created = APIClient().post(
        "/api/appointments", {"userId": customer.user_id, "appointmentData": booking}, format="json"
    )
    appointment_id = created.json()["appointmentId"]

    job = admin.portal().get(f"/admin/bookings/appointments/{appointment_id}/").content.decode()
    assert "Only Customer support can confirm and cancel appointments; your roles: Admin." in job
    assert (
        "Only Customer support can"
        not in support.portal().get(f"/admin/bookings/appointments/{appointment_id}/").content.decode()
    )
    payments = support.portal().get(f"/admin/billing/payments/appointment/{appointment_id}/").content.decode()
    assert "Only Admin can confirm and revert cash, bank transfer and card payments" in payments
    assert (
        "Only Admin can"
        not in admin.portal().get(f"/admin/billing/payments/appointment/{appointment_id}/").content.decode()
    )
