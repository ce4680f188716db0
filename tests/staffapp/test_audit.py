"""Audit trail of staff management, chat assignment, inquiries and shop orders; the per-member
audit page is for ADMIN only."""

from __future__ import annotations

from django.test import Client

from autolab import audit
from chat.services import customer_register


def _latest(record_type: str, record_id: str):
    return audit.history(record_type, record_id).entries[0]


def test_staff_create_roles_and_deactivate(admin, make_staff):
    client = admin.portal()
    form = {
        "email": "new@autolab.test",
        "name": "Nina New",
        "phone": "",
        "roles": ["CLERK"],
        "password": "a-long-pass-phrase-1",
    }
    assert client.post("/admin/staff/add/", form).status_code == 302
    from staffapp.selectors import staff_get

    nina = staff_get("new@autolab.test")
    created = _latest("staff", nina.user_id)
    assert (created.actor_id, created.action) == (admin.user_id, "staff.create")
    assert created.changed["roles"] == [None, ["CLERK"]]
    assert not any("password" in name.lower() for name in created.changed)
    assert client.post("/admin/staff/new@autolab.test/", {"roles": ["MECHANIC"]}).status_code == 302
    roles = _latest("staff", nina.user_id)
    assert (roles.action, roles.changed) == ("staff.roles", {"roles": [["CLERK"], ["MECHANIC"]]})
    assert client.post("/admin/staff/new@autolab.test/access/").status_code == 302
    access = _latest("staff", nina.user_id)
    assert (access.action, access.changed) == ("staff.active", {"isActive": [True, False]})
    page = client.get("/admin/staff/new@autolab.test/").content.decode()
    assert "staff.active" in page.split('id="audit-history"')[1]


def test_admin_sees_a_members_actions_and_others_are_refused(admin, support, make_staff):
    customer = customer_register(user_email="cara@example.com", user_name="Cara")
    assert support.api().post("/api/users/take", {"clientId": customer.user_id}, format="json").status_code == 200
    take = _latest("customer", customer.user_id)
    assert (take.actor_id, take.action, take.changed) == (
        support.user_id,
        "chat.take",
        {"assignedTo": [None, support.user_id]},
    )
    page = admin.portal().get(f"/admin/staff/{support.email}/audit/")
    assert page.status_code == 200
    assert "chat.take" in page.content.decode()
    assert support.portal().get(f"/admin/staff/{support.email}/audit/").status_code == 403
    assert make_staff("CLERK").portal().get(f"/admin/staff/{admin.email}/audit/").status_code == 403
    assert Client().get(f"/admin/staff/{admin.email}/audit/").status_code == 302
    assert support.api().post("/api/users/release", {"clientId": customer.user_id}, format="json").status_code == 200
    release = _latest("customer", customer.user_id)
    assert (release.action, release.changed) == ("chat.release", {"assignedTo": [support.user_id, None]})


def test_a_members_actions_page_through_every_entry(admin, support):
    for number in range(53):
        audit.record(support.identity, "chat.take", "customer", f"customer-{number:02d}", changes={"n": [None, number]})
    client = admin.portal()
    first = client.get(f"/admin/staff/{support.email}/audit/")
    assert first.status_code == 200
    assert len(first.context["rows"]) == 50
    next_query = first.context["next_query"]
    assert next_query
    second = client.get(f"/admin/staff/{support.email}/audit/?{next_query}")
    assert second.status_code == 200
    seen = [row["changes"][0][2] for page in (first, second) for row in page.context["rows"]]
    assert seen == list(range(52, -1, -1))  # newest first, each entry once
    assert second.context["next_query"] is None
    # A cursor of another member's list shows this member's first page, with a message.
    foreign = client.get(f"/admin/staff/{admin.email}/audit/?{next_query}")
    assert foreign.status_code == 200
    assert "Invalid cursor" in foreign.content.decode()
