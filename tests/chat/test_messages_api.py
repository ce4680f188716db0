from __future__ import annotations

import uuid

import pytest

from chat import selectors, services

pytestmark = pytest.mark.django_db


def send(client, client_id, text="Hello there", **extra):
    return client.post("/api/messages", {"clientId": client_id, "message": text, **extra}, format="json")


def test_customer_message_gets_a_server_id_and_is_stored(anon, new_customer):
    user_id = new_customer(user_name="Ann")
    response = send(anon, user_id)
    assert response.status_code == 200
    body = response.json()
    assert uuid.UUID(body["messageId"]).version == 4
    assert (body["senderId"], body["receiverId"], body["sent"], body["senderName"]) == (user_id, "ALL", True, "Ann")
    stored = selectors.message_get(body["messageId"])
    assert (stored.message, stored.client_id, stored.received, stored.viewed) == ("Hello there", user_id, False, False)


def test_client_message_id_accepted_once_then_409(anon, new_customer):
    user_id = new_customer()
    assert send(anon, user_id, messageId="msg_1_abc").json()["messageId"] == "msg_1_abc"
    again = send(anon, user_id, "Overwrite attempt", messageId="msg_1_abc")
    assert again.status_code == 409
    assert selectors.message_get("msg_1_abc").message == "Hello there"


def test_staff_message_id_reuse_cannot_overwrite_a_customer_message(support, anon, new_customer):
    user_id = new_customer()
    send(anon, user_id, messageId="shared-id")
    assert send(support.api(), user_id, "staff text", messageId="shared-id").status_code == 409


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"clientId": "x"}, 400),
        ({"message": "hi"}, 400),
        ({"clientId": "unknown", "message": "hi"}, 404),
        ({"clientId": "CID", "message": "   "}, 400),
        ({"clientId": "CID", "message": "x" * 2001}, 400),
        ({"clientId": "CID", "message": "hi", "messageId": "bad id with spaces"}, 400),
    ],
)
def test_send_refuses_bad_input(anon, new_customer, body, status):
    user_id = new_customer()
    body = {key: (user_id if value == "CID" else value) for key, value in body.items()}
    response = anon.post("/api/messages", body, format="json")
    assert response.status_code == status
    assert response.json()["success"] is False
    assert list(selectors.message_list_for_client(user_id, limit=5, cursor=None).items) == []


def test_history_newest_first_with_cursor(anon, support, new_customer):
    user_id = new_customer()
    for number in range(3):
        send(anon, user_id, f"customer {number}", messageId=f"m{number}")
    send(support.api(), user_id, "staff reply", messageId="m3")
    first = anon.get("/api/messages", {"clientId": user_id, "limit": 3}).json()
    assert len(first["messages"]) == 3
    rest = anon.get("/api/messages", {"clientId": user_id, "limit": 3, "cursor": first["nextCursor"]}).json()
    ids = [m["messageId"] for m in first["messages"] + rest["messages"]]
    assert sorted(ids) == ["m0", "m1", "m2", "m3"]
    times = [m["createdAt"] for m in first["messages"] + rest["messages"]]
    assert times == sorted(times, reverse=True)
    staff_view = support.api().get("/api/messages", {"clientId": user_id}).json()["messages"]
    assert len(staff_view) == 4


def test_a_customer_cannot_read_or_write_another_customers_conversation(anon, new_customer):
    mine, theirs = new_customer(), new_customer()
    send(anon, theirs, "private", messageId="theirs-1")
    read = anon.get("/api/messages", {"clientId": theirs, "userId": mine})
    assert read.status_code == 404
    write = send(anon, theirs, "as them", userId=mine)
    assert write.status_code == 404
    assert anon.get("/api/messages", {"clientId": str(uuid.uuid4())}).status_code == 404


def test_staff_ids_are_not_conversations(anon, support):
    assert anon.get("/api/messages", {"clientId": support.user_id}).status_code == 404


def test_mechanic_cannot_chat(mechanic, new_customer):
    user_id = new_customer()
    assert send(mechanic.api(), user_id).status_code == 403
    assert mechanic.api().get("/api/messages", {"clientId": user_id}).status_code == 403


def notify(client, **body):
    return client.post("/api/messages/notify", body, format="json")


def test_customer_edits_and_deletes_own_message(anon, new_customer):
    user_id = new_customer()
    send(anon, user_id, "first text", messageId="own-1")
    edited = notify(anon, userId=user_id, status="MESSAGE_EDITED", messageId="own-1", newMessage="second text")
    assert edited.status_code == 200
    assert edited.json()["message"] == "Notification queued successfully for MESSAGE_EDITED."
    assert selectors.message_get("own-1").message == "second text"
    assert selectors.customer_get(user_id).last_message == "second text"
    assert notify(anon, userId=user_id, status="MESSAGE_DELETED", messageId="own-1").status_code == 200
    assert selectors.message_get("own-1") is None
    assert selectors.customer_get(user_id).unread_count == 0


def test_customer_cannot_edit_or_delete_staff_messages(anon, support, new_customer):
    user_id = new_customer()
    send(support.api(), user_id, "from staff", messageId="staff-1")
    edit = notify(anon, userId=user_id, status="MESSAGE_EDITED", messageId="staff-1", newMessage="hacked!")
    assert edit.status_code == 403
    delete = notify(anon, userId=user_id, status="MESSAGE_DELETED", messageId="staff-1")
    assert delete.status_code == 403
    assert selectors.message_get("staff-1").message == "from staff"


def test_another_customers_message_is_404(anon, new_customer):
    mine, theirs = new_customer(), new_customer()
    send(anon, theirs, "theirs", messageId="t-1")
    response = notify(anon, userId=mine, status="MESSAGE_DELETED", messageId="t-1")
    assert response.status_code == 404
    assert selectors.message_get("t-1") is not None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"status": "SHOUTING"}, 400),
        ({"status": "MESSAGE_VIEWED"}, 400),
        ({"status": "MESSAGE_EDITED", "messageId": "own"}, 400),
        ({"status": "MESSAGE_VIEWED", "messageId": "nope"}, 404),
        ({"status": "TYPING"}, 400),
    ],
)
def test_notify_refuses_bad_input(anon, new_customer, body, status):
    user_id = new_customer()
    send(anon, user_id, "text", messageId="own")
    response = notify(anon, userId=user_id, **body)
    assert response.status_code == status
    assert response.json()["success"] is False


def test_notify_without_user_is_400_and_unknown_user_404(anon):
    assert notify(anon, status="TYPING").status_code == 400
    assert notify(anon, status="TYPING", userId="ghost").status_code == 404


def test_staff_viewing_a_customer_message_decrements_unread_once(anon, support, new_customer):
    user_id = new_customer()
    send(anon, user_id, "one", messageId="u1")
    send(anon, user_id, "two", messageId="u2")
    assert selectors.customer_get(user_id).unread_count == 2
    for _ in range(2):
        assert notify(support.api(), status="MESSAGE_VIEWED", messageId="u1").status_code == 200
    assert selectors.customer_get(user_id).unread_count == 1
    stored = selectors.message_get("u1")
    assert stored.viewed
    assert stored.received


def test_customer_cannot_acknowledge_their_own_broadcast_message(anon, new_customer):
    user_id = new_customer()
    send(anon, user_id, "one", messageId="b1")
    assert notify(anon, userId=user_id, status="MESSAGE_VIEWED", messageId="b1").status_code == 403
    assert selectors.message_get("b1").viewed is False


def test_customer_acknowledges_a_staff_message(anon, support, new_customer):
    user_id = new_customer()
    send(support.api(), user_id, "reply", messageId="s1")
    assert notify(anon, userId=user_id, status="MESSAGE_RECEIVED", messageId="s1").status_code == 200
    stored = selectors.message_get("s1")
    assert (stored.received, stored.viewed) == (True, False)


def test_last_messages_one_row_per_customer_with_unread_and_filters(anon, make_staff, new_customer):
    support = make_staff("CUSTOMER_SUPPORT")
    first, second = new_customer(user_name="First"), new_customer(user_name="Second")
    send(anon, first, "first a", messageId="f1")
    send(anon, first, "first b", messageId="f2")
    send(anon, second, "second a", messageId="s1")
    services.customer_take(client_id=second, staff=support.identity)
    rows = support.api().get("/api/messages/last").json()["messages"]
    assert [row["clientId"] for row in rows] == [second, first]
    by_client = {row["clientId"]: row for row in rows}
    assert (by_client[first]["message"], by_client[first]["unreadCount"]) == ("first b", 2)
    assert by_client[second]["assignedTo"] == support.user_id
    mine = support.api().get("/api/messages/last", {"filter": "mine"}).json()["messages"]
    assert [row["clientId"] for row in mine] == [second]
    unassigned = support.api().get("/api/messages/last", {"filter": "unassigned"}).json()["messages"]
    assert [row["clientId"] for row in unassigned] == [first]
    assert support.api().get("/api/messages/last", {"filter": "bogus"}).status_code == 400


def test_last_messages_needs_inbox_role(mechanic, admin):
    assert mechanic.api().get("/api/messages/last").status_code == 403
    assert admin.api().get("/api/messages/last").status_code == 200  # ADMIN uses the inbox (docs/parity.md)


def test_a_cursor_from_another_list_is_400(anon, support, new_customer):
    first, second = new_customer(), new_customer()
    for number in range(2):
        send(anon, first, f"first {number}")
        send(anon, second, f"second {number}")
    cursor = anon.get("/api/messages", {"clientId": first, "limit": 1}).json()["nextCursor"]
    assert cursor
    assert anon.get("/api/messages", {"clientId": second, "limit": 1, "cursor": cursor}).status_code == 400
    client = support.api()
    assert client.get("/api/users", {"cursor": cursor}).status_code == 400
    assert client.get("/api/inquiries", {"status": "OPEN", "cursor": cursor}).status_code == 400
    assert client.get("/api/messages/last", {"cursor": cursor}).status_code == 400
    assert client.get("/api/messages/last", {"cursor": "forged"}).status_code == 400


def test_deleting_counts_only_unviewed_messages_as_unread(anon, support, new_customer):
    user_id = new_customer()
    send(anon, user_id, "one", messageId="d1")
    send(anon, user_id, "two", messageId="d2")
    notify(support.api(), status="MESSAGE_VIEWED", messageId="d1")
    assert selectors.customer_get(user_id).unread_count == 1
    assert notify(anon, userId=user_id, status="MESSAGE_DELETED", messageId="d1").status_code == 200
    assert selectors.customer_get(user_id).unread_count == 1
    assert notify(anon, userId=user_id, status="MESSAGE_DELETED", messageId="d2").status_code == 200
    assert selectors.customer_get(user_id).unread_count == 0
    assert selectors.customer_get(user_id).last_message_id is None
