"""The OpenAPI schema describes the bodies chat's endpoints really answer (success paths)."""

from __future__ import annotations

import pytest

from tests.contract.schema_check import assert_documented

pytestmark = pytest.mark.django_db


def test_customers(anon, support, admin, new_customer) -> None:
    registered = anon.post("/api/users/register", {"userName": "Ann", "userEmail": "ann@example.com"}, format="json")
    assert registered.status_code == 201, registered.content
    assert_documented(registered, "post", "/api/users/register")
    user_id = registered.json()["userId"]
    assert_documented(anon.get(f"/api/users/check?userId={user_id}"), "get", "/api/users/check")
    listed = support.api().get("/api/users")
    assert listed.json()["staffUsers"]
    assert_documented(listed, "get", "/api/users")
    update = {"userId": user_id, "contactNumber": "0412345678", "userDevice": "Phone"}
    updated = support.api().post("/api/users", update, format="json")
    assert updated.json()["updatedFields"] == ["userDevice", "contactNumber"]
    assert_documented(updated, "post", "/api/users")
    assert_documented(support.api().get("/api/users/online"), "get", "/api/users/online")
    for action in ("take", "release"):
        done = support.api().post(f"/api/users/{action}", {"clientId": user_id}, format="json")
        assert done.status_code == 200, done.content
        assert_documented(done, "post", f"/api/users/{action}")


def test_messages(anon, support, new_customer) -> None:
    user_id = new_customer(user_name="Ann")
    sent = anon.post("/api/messages", {"clientId": user_id, "message": "Hello there"}, format="json")
    assert_documented(sent, "post", "/api/messages")
    reply = support.api().post("/api/messages", {"clientId": user_id, "message": "Hi Ann"}, format="json")
    assert_documented(reply, "post", "/api/messages")
    history = anon.get(f"/api/messages?clientId={user_id}&userId={user_id}")
    assert len(history.json()["messages"]) == 2
    assert_documented(history, "get", "/api/messages")
    viewed = {"status": "MESSAGE_VIEWED", "messageId": sent.json()["messageId"]}
    notified = support.api().post("/api/messages/notify", viewed, format="json")
    assert notified.json()["message"] == "Notification queued successfully for MESSAGE_VIEWED."
    assert_documented(notified, "post", "/api/messages/notify")
    inbox = support.api().get("/api/messages/last")
    assert inbox.json()["messages"]
    assert_documented(inbox, "get", "/api/messages/last")


def test_inquiries(anon, support, new_customer) -> None:
    user_id = new_customer()
    form = {"firstName": "Ann", "lastName": "Lee", "email": "ann@example.com", "message": "Is Saturday free?"}
    created = anon.post("/api/inquiries", {"userId": user_id, "inquiryData": form}, format="json")
    assert created.status_code == 200, created.content
    assert_documented(created, "post", "/api/inquiries")
    inquiry_id = created.json()["inquiryId"]
    assert_documented(support.api().get("/api/inquiries"), "get", "/api/inquiries")
    path = "/api/inquiries/{inquiry_id}"
    assert_documented(support.api().get(f"/api/inquiries/{inquiry_id}"), "get", path)
    moved = support.api().patch(f"/api/inquiries/{inquiry_id}", {"status": "IN_PROGRESS"}, format="json")
    assert moved.status_code == 200, moved.content
    assert_documented(moved, "patch", path)
