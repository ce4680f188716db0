"""The staff portal shell: sign-in, the index by role, and staff management pages (ADMIN)."""

from __future__ import annotations

import pytest
from django.test import Client

from staffapp.models import Staff


def test_anonymous_visitors_are_sent_to_login(db) -> None:
    response = Client().get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_index_lists_only_what_the_roles_allow(admin, clerk) -> None:
    assert "Staff members" in admin.portal().get("/admin/").content.decode()
    assert "Staff members" not in clerk.portal().get("/admin/").content.decode()


def test_staff_pages_are_admin_only(admin, clerk) -> None:
    assert clerk.portal().get("/admin/staff/").status_code == 403
    page = admin.portal().get("/admin/staff/")
    assert page.status_code == 200
    assert admin.email in page.content.decode()


def test_admin_adds_a_staff_member_who_can_then_sign_in(admin) -> None:
    client = admin.portal()
    response = client.post(
        "/admin/staff/add/",
        {
            "email": "New.Mech@autolab.test",
            "name": "Nia",
            "phone": "0400 000 000",
            "roles": ["MECHANIC"],
            "password": "nia-pass-2030",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/staff/new.mech@autolab.test/"
    assert Staff.get("new.mech@autolab.test").roles == ["MECHANIC"]
    assert Client().login(username="new.mech@autolab.test", password="nia-pass-2030")


def test_adding_with_bad_input_shows_errors_and_writes_nothing(admin) -> None:
    response = admin.portal().post(
        "/admin/staff/add/", {"email": "bad", "name": "", "roles": ["BOSS"], "password": "x"}
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert Staff.count("bad") == 0


def test_adding_an_existing_email_is_refused_and_changes_nothing(admin, make_staff) -> None:
    peer = make_staff("ADMIN", name="Pat Peer")
    response = admin.portal().post(
        "/admin/staff/add/",
        {
            "email": peer.email.upper(),
            "name": "Taken Over",
            "phone": "0499 999 999",
            "roles": ["CLERK"],
            "password": "attacker-pass-1",
        },
    )
    assert response.status_code == 409
    assert "A staff member with this email already exists" in response.content.decode()
    stored = Staff.get(peer.email)
    assert (stored.user_name, stored.roles, stored.contact_number) == ("Pat Peer", ["ADMIN"], "0451237048")
    assert Client().login(username=peer.email, password=peer.password)
    assert not Client().login(username=peer.email, password="attacker-pass-1")


def test_adding_yourself_again_cannot_get_round_the_self_role_guard(admin) -> None:
    response = admin.portal().post(
        "/admin/staff/add/",
        {"email": admin.email, "name": "Ada", "roles": ["ADMIN", "CLERK"], "password": "another-pass-1"},
    )
    assert response.status_code == 409
    assert Staff.get(admin.email).roles == ["ADMIN"]


def test_admin_sets_roles_of_others_but_never_their_own(admin, clerk) -> None:
    client = admin.portal()
    client.post(f"/admin/staff/{clerk.email}/", {"roles": ["CLERK", "CUSTOMER_SUPPORT"]})
    assert Staff.get(clerk.email).roles == ["CLERK", "CUSTOMER_SUPPORT"]

    response = client.post(f"/admin/staff/{admin.email}/", {"roles": ["CLERK"]}, follow=True)
    assert "You cannot change your own roles or access" in response.content.decode()
    assert Staff.get(admin.email).roles == ["ADMIN"]


def test_deactivation_asks_first_then_locks_the_member_out(admin, mechanic) -> None:
    client = admin.portal()
    confirm = client.get(f"/admin/staff/{mechanic.email}/access/")
    assert "Deactivate <strong>" in confirm.content.decode()
    assert Staff.get(mechanic.email).is_active is True

    client.post(f"/admin/staff/{mechanic.email}/access/")
    assert Staff.get(mechanic.email).is_active is False
    assert not Client().login(username=mechanic.email, password=mechanic.password)

    client.post(f"/admin/staff/{mechanic.email}/access/")
    assert Staff.get(mechanic.email).is_active is True
    assert Client().login(username=mechanic.email, password=mechanic.password)


def test_an_unknown_staff_member_is_404(admin) -> None:
    assert admin.portal().get("/admin/staff/nobody@autolab.test/").status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_admin_creates_and_deactivates_staff(make_staff, portal_login, live_server) -> None:
    admin = make_staff("ADMIN", name="Ada Admin")
    page = portal_login(admin)
    page.click("text=Staff members")
    page.click("text=Add staff member")
    page.fill("#id_email", "casey@autolab.test")
    page.fill("#id_name", "Casey Clerk")
    page.check("input[value=CLERK]")
    page.fill("#id_password", "casey-pass-2030")
    page.click("input[type=submit]")
    page.wait_for_selector("text=Added Casey Clerk")
    page.click("text=Deactivate")
    page.click("input[value='Yes, deactivate']")
    page.wait_for_selector("text=Casey Clerk was deactivated.")
    assert Staff.get("casey@autolab.test").is_active is False

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/admin/staff/")
    assert page.is_visible("text=casey@autolab.test")
