from __future__ import annotations

import re

import pytest

from chat import inquiries, messaging, selectors, services

pytestmark = pytest.mark.django_db

INQUIRY = inquiries.InquiryRequest(
    first_name="Ann", last_name="Lee", email="ann@example.com", message="Please quote a PPI."
)


def test_inbox_lists_conversations_with_unread_and_filters(support, new_customer):
    first, second = new_customer(user_name="Alice"), new_customer(user_name="Bob")
    messaging.message_send(client_id=first, text="alice needs help", staff=None)
    messaging.message_send(client_id=second, text="bob too", staff=None)
    services.customer_take(client_id=second, staff=support.identity)
    client = support.portal()
    page = client.get("/admin/chat/inbox/").content.decode()
    assert "alice needs help" in page
    assert "bob too" in page
    assert page.index("Bob") < page.index("Alice")  # newest conversation first
    mine = client.get("/admin/chat/inbox/?filter=mine").content.decode()
    assert "Bob" in mine
    assert "Alice" not in mine
    unassigned = client.get("/admin/chat/inbox/?filter=unassigned").content.decode()
    assert "Alice" in unassigned
    assert "Bob" not in unassigned


@pytest.mark.parametrize(
    ("roles", "status"),
    [(("ADMIN",), 200), (("CUSTOMER_SUPPORT",), 200), (("CLERK",), 200), (("MECHANIC",), 403)],
)
def test_one_rule_for_the_inbox_in_the_portal_and_the_api(make_staff, new_customer, roles, status):
    customer = new_customer(user_name="Alice")
    messaging.message_send(client_id=customer, text="alice needs help", staff=None)
    persona = make_staff(*roles)
    assert persona.portal().get("/admin/chat/inbox/").status_code == status
    last = persona.api().get("/api/messages/last")
    assert last.status_code == status  # an ADMIN used to get 403 here while the portal inbox let them in
    assert persona.api().get("/api/users/online").status_code == status
    if status == 200:
        assert [m["message"] for m in last.json()["messages"]] == ["alice needs help"]


def test_inbox_is_refused_to_mechanics(mechanic):
    assert mechanic.portal().get("/admin/chat/inbox/").status_code == 403


def test_opening_a_conversation_marks_it_read_and_replying_stores_the_message(support, new_customer):
    user_id = new_customer(user_name="Alice")
    messaging.message_send(client_id=user_id, text="hello?", staff=None)
    client = support.portal()
    page = client.get(f"/admin/chat/inbox/{user_id}/")
    assert "hello?" in page.content.decode()
    assert selectors.customer_get(user_id).unread_count == 0
    response = client.post(f"/admin/chat/inbox/{user_id}/", {"action": "send", "message": "Hi Alice"})
    assert response.status_code == 302
    history = selectors.message_list_for_client(user_id, limit=5, cursor=None).items
    assert history[0].message == "Hi Alice"
    assert history[0].sender_id == support.user_id
    empty = client.post(
        f"/admin/chat/inbox/{user_id}/", {"action": "send", "message": "  "}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert empty.status_code == 400
    assert empty.json()["success"] is False


def test_take_and_release_from_the_conversation(support, new_customer):
    user_id = new_customer()
    client = support.portal()
    client.post(f"/admin/chat/inbox/{user_id}/", {"action": "take"})
    assert selectors.customer_get(user_id).assigned_to == support.user_id
    client.post(f"/admin/chat/inbox/{user_id}/", {"action": "release"})
    assert selectors.customer_get(user_id).assigned_to is None


def test_canned_replies_are_managed_and_offered_in_conversations(support, new_customer):
    client = support.portal()
    response = client.post("/admin/chat/canned-replies/", {"title": "Greeting", "text": "Hi! How can we help?"})
    assert response.status_code == 302
    reply = selectors.canned_reply_list()[0]
    assert (reply.title, reply.text) == ("Greeting", "Hi! How can we help?")
    user_id = new_customer()
    assert "Hi! How can we help?" in client.get(f"/admin/chat/inbox/{user_id}/").content.decode()
    confirm = client.get(f"/admin/chat/canned-replies/{reply.reply_id}/delete/")
    assert "cannot be undone" in confirm.content.decode()
    client.post(f"/admin/chat/canned-replies/{reply.reply_id}/delete/")
    assert selectors.canned_reply_list() == []
    bad = client.post("/admin/chat/canned-replies/", {"title": "", "text": "x"})
    assert bad.status_code == 200
    assert selectors.canned_reply_list() == []


def test_clerk_cannot_manage_canned_replies(clerk):
    assert clerk.portal().get("/admin/chat/canned-replies/").status_code == 403


def test_customers_list_search_and_profile_edit(admin, new_customer):
    user_id = new_customer(user_name="Zed", user_email="zed@example.com")
    new_customer(user_name="Other")
    client = admin.portal()
    found = client.get("/admin/chat/customers/?search=zed").content.decode()
    assert "Zed" in found
    assert "Other" not in found
    response = client.post(f"/admin/chat/customers/{user_id}/", {"userName": "Zed Z", "contactNumber": "0412345678"})
    assert response.status_code == 302
    stored = selectors.customer_get(user_id)
    assert (stored.user_name, stored.contact_number, stored.user_email) == ("Zed Z", "0412345678", "zed@example.com")
    invalid = client.post(f"/admin/chat/customers/{user_id}/", {"contactNumber": "12"})
    assert "contactNumber" in invalid.content.decode()
    assert selectors.customer_get(user_id).contact_number == "0412345678"


def test_clerk_sees_customers_but_cannot_edit(clerk, new_customer):
    user_id = new_customer(user_name="Ann")
    client = clerk.portal()
    assert "Save profile" not in client.get(f"/admin/chat/customers/{user_id}/").content.decode()
    client.post(f"/admin/chat/customers/{user_id}/", {"userName": "Changed"})
    assert selectors.customer_get(user_id).user_name == "Ann"


def test_inquiries_list_filters_and_status_actions(support, new_customer):
    inquiry = inquiries.inquiry_create(user_id=new_customer(), inquiry=INQUIRY)
    client = support.portal()
    listing = client.get("/admin/chat/inquiries/?status=OPEN").content.decode()
    assert "Ann Lee" in listing
    assert "Ann Lee" not in client.get("/admin/chat/inquiries/?status=CLOSED").content.decode()
    detail = client.get(f"/admin/chat/inquiries/{inquiry.inquiry_id}/").content.decode()
    assert re.search(r'value="IN_PROGRESS"', detail)
    client.post(f"/admin/chat/inquiries/{inquiry.inquiry_id}/", {"status": "IN_PROGRESS"})
    stored = selectors.inquiry_get(inquiry.inquiry_id)
    assert (stored.status, stored.status_updated_by) == ("IN_PROGRESS", support.user_id)
    skipped = client.post(f"/admin/chat/inquiries/{inquiry.inquiry_id}/", {"status": "CLOSED"}, follow=True)
    assert "cannot move" in skipped.content.decode()
    assert selectors.inquiry_get(inquiry.inquiry_id).status == "IN_PROGRESS"


def test_every_portal_page_loads_the_live_notifications_script(mechanic):
    page = mechanic.portal().get("/admin/").content.decode()
    assert "chat/live.js" in page
    assert 'id="autolab-live"' in page
    assert "Auto Lab Solutions staff portal" in page


def test_the_login_page_has_no_live_socket(client):
    page = client.get("/admin/login/").content.decode()
    assert "chat/live.js" not in page
