"""The /ws/ protocol end to end: real sockets through the ASGI app and the real Redis channel layer."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from rest_framework.test import APIClient

from autolab import events
from chat import selectors, services
from chat.models import Connection
from chat.tasks import connections_sweep_task
from tests.chat.conftest import call

pytestmark = pytest.mark.django_db(transaction=True)


async def test_init_without_id_creates_a_customer_and_pushes_the_id(open_socket):
    socket = await open_socket()
    reply = await socket.init(userId=None, userName="Ann", userEmail="ann@example.com", userDevice="Pixel")
    assert reply["type"] == "connection"
    assert reply["subtype"] == "init"
    assert reply["success"] is True
    assert uuid.UUID(reply["userId"]).version == 4
    customer = await call(selectors.customer_get)(reply["userId"])
    assert (customer.user_name, customer.user_email, customer.user_device) == ("Ann", "ann@example.com", "Pixel")
    connections = await call(selectors.connections_of_user)(reply["userId"])
    assert len(connections) == 1
    assert connections[0].staff is False
    assert connections[0].ttl is not None


async def test_init_with_unknown_id_is_refused(open_socket):
    socket = await open_socket()
    reply = await socket.init(userId=str(uuid.uuid4()))
    assert reply == {"type": "connection", "subtype": "init", "success": False, "error": "INVALID_USER_ID"}
    assert await call(selectors.connections_online)() == []


async def test_reinit_keeps_stored_name_and_email_and_updates_device(open_socket, new_customer):
    user_id = await call(new_customer)(user_name="Ann", user_email="ann@example.com", user_device="Old")
    await call(services.customer_take)(client_id=user_id, staff=await _identity("CUSTOMER_SUPPORT"))
    socket = await open_socket()
    reply = await socket.init(userId=user_id, userName="Mallory", userDevice="New phone", userLocation="Perth")
    assert (reply["userName"], reply["userDevice"], reply["userLocation"]) == ("Ann", "New phone", "Perth")
    stored = await call(selectors.customer_get)(user_id)
    assert (stored.user_name, stored.user_email, stored.user_device) == ("Ann", "ann@example.com", "New phone")
    assert stored.assigned_to is not None


async def _identity(*roles: str):
    from staffapp.selectors import staff_identity
    from staffapp.services import staff_save

    staff, _ = await call(staff_save)(
        email=f"s{uuid.uuid4().hex[:6]}@autolab.test",
        name="Sam",
        phone="0451237048",
        roles=roles,
        password="pw-123456789",
    )
    return staff_identity(staff)


async def test_one_socket_per_customer_newest_wins(open_socket, new_customer):
    user_id = await call(new_customer)()
    old = await open_socket()
    await old.init(userId=user_id)
    new = await open_socket()
    assert (await new.init(userId=user_id))["success"] is True
    replaced = await old.receive()
    assert replaced["subtype"] == "replaced"
    assert (await old.communicator.receive_output(timeout=5))["type"] == "websocket.close"
    connections = await call(selectors.connections_of_user)(user_id)
    assert len(connections) == 1
    await call(APIClient().post)("/api/messages", {"clientId": user_id, "message": "hi"}, format="json")
    await call(services.customer_take)(client_id=user_id, staff=await _identity("CUSTOMER_SUPPORT"))
    staff_api = await _staff_client("CUSTOMER_SUPPORT")
    await call(staff_api.post)("/api/messages", {"clientId": user_id, "message": "to the newest"}, format="json")
    pushed = await new.receive_until(lambda e: e.get("type") == "message")
    assert pushed["message"] == "to the newest"


async def _staff_client(*roles: str) -> APIClient:
    from rest_framework.authtoken.models import Token

    from staffapp.services import staff_save

    email = f"t{uuid.uuid4().hex[:6]}@autolab.test"
    await call(staff_save)(email=email, name="Tess", phone="0451237048", roles=roles, password="pw-123456789")
    from django.contrib.auth import get_user_model

    user = await call(get_user_model().objects.get)(username=email)
    token, _ = await call(Token.objects.get_or_create)(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")
    client.staff_user_id = (await call(selectors.staff_for_socket)(user, None)).user_id
    client.token = token.key
    return client


async def test_staff_init_with_token_and_customer_message_reaches_all_inbox_staff(open_socket, new_customer):
    support = await _staff_client("CUSTOMER_SUPPORT")
    staff_socket = await open_socket()
    reply = await staff_socket.staff_init(token=support.token)
    assert reply["success"] is True
    assert reply["userId"] == support.staff_user_id
    assert reply["chat"] is True
    customer_socket = await open_socket()
    user_id = (await customer_socket.init(userName="Ann"))["userId"]
    connected = await staff_socket.receive_until(lambda e: e.get("subtype") == "user-connected")
    assert connected["userId"] == user_id
    assert connected["userName"] == "Ann"
    response = await call(APIClient().post)(
        "/api/messages", {"clientId": user_id, "message": "Need help"}, format="json"
    )
    assert response.status_code == 200
    pushed = await staff_socket.receive_until(lambda e: e.get("type") == "message")
    assert pushed["subtype"] == "new"
    assert pushed["message"] == "Need help"
    assert pushed["senderId"] == user_id
    assert pushed["receiverId"] == "ALL"
    assert pushed["messageId"] == response.json()["messageId"]
    assert pushed["messageType"] == "general"
    assert pushed["received"] is False


async def test_assigned_customer_messages_go_only_to_the_assignee(open_socket, new_customer):
    assignee, other = await _staff_client("CUSTOMER_SUPPORT"), await _staff_client("CLERK")
    assignee_socket, other_socket = await open_socket(), await open_socket()
    await assignee_socket.staff_init(token=assignee.token)
    await other_socket.staff_init(token=other.token)
    user_id = await call(new_customer)()
    await call(assignee.post)("/api/users/take", {"clientId": user_id}, format="json")
    await call(APIClient().post)("/api/messages", {"clientId": user_id, "message": "for my agent"}, format="json")
    pushed = await assignee_socket.receive_until(lambda e: e.get("type") == "message")
    assert pushed["receiverId"] == assignee.staff_user_id
    other_events = []
    while not await other_socket.silent(0.3):
        other_events.append(await other_socket.receive())
    assert not [e for e in other_events if e.get("type") == "message"]
    assert any(e.get("type") == "inbox" for e in other_events)  # the shared inbox list still updates


async def test_staff_reply_typing_and_receipts_reach_the_customer(open_socket):
    support = await _staff_client("CUSTOMER_SUPPORT")
    staff_socket = await open_socket()
    await staff_socket.staff_init(token=support.token)
    customer_socket = await open_socket()
    user_id = (await customer_socket.init())["userId"]
    await call(support.post)("/api/messages/notify", {"status": "TYPING", "clientId": user_id}, format="json")
    typing = await customer_socket.receive_until(lambda e: e.get("type") == "notification")
    assert (typing["subtype"], typing["status"], typing["senderId"]) == ("status", "TYPING", support.staff_user_id)
    sent = await call(support.post)("/api/messages", {"clientId": user_id, "message": "Hello Ann"}, format="json")
    pushed = await customer_socket.receive_until(lambda e: e.get("type") == "message")
    assert (pushed["message"], pushed["senderId"], pushed["receiverId"]) == (
        "Hello Ann",
        support.staff_user_id,
        user_id,
    )
    assert pushed["senderName"] == "Tess"
    customer_api = APIClient()
    body = {"userId": user_id, "status": "MESSAGE_VIEWED", "messageId": sent.json()["messageId"]}
    assert (await call(customer_api.post)("/api/messages/notify", body, format="json")).status_code == 200
    receipt = await staff_socket.receive_until(lambda e: e.get("status") == "MESSAGE_VIEWED")
    assert receipt["messageId"] == sent.json()["messageId"]
    assert receipt["success"] is True
    await call(customer_api.post)("/api/messages/notify", {"userId": user_id, "status": "TYPING"}, format="json")
    customer_typing = await staff_socket.receive_until(lambda e: e.get("status") == "TYPING")
    assert customer_typing["senderId"] == user_id
    assert customer_typing["staff_broadcast"] is True


async def test_customer_typing_without_a_socket_asks_for_reconnect(new_customer):
    user_id = await call(new_customer)()
    response = await call(APIClient().post)(
        "/api/messages/notify", {"userId": user_id, "status": "TYPING"}, format="json"
    )
    assert response.status_code == 400
    assert "No connection found for userId" in response.json()["message"]


async def test_edit_and_delete_are_pushed_to_staff(open_socket):
    support = await _staff_client("CUSTOMER_SUPPORT")
    staff_socket = await open_socket()
    await staff_socket.staff_init(token=support.token)
    customer_socket = await open_socket()
    user_id = (await customer_socket.init())["userId"]
    api = APIClient()
    sent = await call(api.post)("/api/messages", {"clientId": user_id, "message": "typo heer"}, format="json")
    message_id = sent.json()["messageId"]
    body = {"userId": user_id, "status": "MESSAGE_EDITED", "messageId": message_id, "newMessage": "typo here"}
    await call(api.post)("/api/messages/notify", body, format="json")
    edited = await staff_socket.receive_until(lambda e: e.get("status") == "MESSAGE_EDITED")
    assert (edited["newMessage"], edited["originalMessage"]) == ("typo here", "typo heer")
    body = {"userId": user_id, "status": "MESSAGE_DELETED", "messageId": message_id}
    await call(api.post)("/api/messages/notify", body, format="json")
    deleted = await staff_socket.receive_until(lambda e: e.get("status") == "MESSAGE_DELETED")
    assert deleted["messageId"] == message_id


async def test_disconnect_stamps_last_seen_and_tells_staff(open_socket):
    support = await _staff_client("CUSTOMER_SUPPORT")
    staff_socket = await open_socket()
    await staff_socket.staff_init(token=support.token)
    customer_socket = await open_socket()
    user_id = (await customer_socket.init())["userId"]
    await customer_socket.close()
    gone = await staff_socket.receive_until(lambda e: e.get("subtype") == "user-disconnected")
    assert gone["userId"] == user_id
    stored = await call(selectors.customer_get)(user_id)
    assert gone["lastSeen"] == str(stored.last_seen)
    assert await call(selectors.connections_of_user)(user_id) == []


async def test_staff_init_through_the_portal_session(open_socket):
    from django.contrib.auth import get_user_model

    from staffapp.services import staff_save

    await call(staff_save)(
        email="sess@autolab.test", name="Sess", phone="0451237048", roles=["CLERK"], password="pw-123456789"
    )
    client = Client()
    user = await call(get_user_model().objects.get)(username="sess@autolab.test")
    await call(client.force_login)(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    socket = await open_socket(
        headers=[(b"cookie", cookie), (b"host", b"testserver"), (b"origin", b"http://testserver")]
    )
    reply = await socket.staff_init()
    assert reply["success"] is True
    assert reply["chat"] is True


async def test_staff_init_refuses_bad_tokens_and_anonymous(open_socket):
    socket = await open_socket()
    assert (await socket.staff_init(token="not-a-token"))["error"] == "INVALID_TOKEN"
    anonymous = await open_socket(headers=[(b"host", b"testserver"), (b"origin", b"http://testserver")])
    assert (await anonymous.staff_init())["error"] == "INVALID_USER"


async def test_mechanic_gets_notifications_but_not_the_chat(open_socket, new_customer):
    mechanic = await _staff_client("MECHANIC")
    socket = await open_socket()
    reply = await socket.staff_init(token=mechanic.token)
    assert reply["chat"] is False
    await call(events.publish_to_staff)("appointment.created", {"title": "New Appointment Booked"})
    event = await socket.receive()
    assert event == {"type": "appointment.created", "title": "New Appointment Booked"}
    user_id = await call(new_customer)()
    await call(APIClient().post)("/api/messages", {"clientId": user_id, "message": "secret"}, format="json")
    assert await socket.silent(0.5)


async def test_new_inquiry_is_a_live_staff_notification(open_socket, new_customer):
    clerk = await _staff_client("CLERK")
    socket = await open_socket()
    await socket.staff_init(token=clerk.token)
    user_id = await call(new_customer)()
    data = {"firstName": "Ann", "lastName": "Lee", "email": "ann@example.com", "message": "Quote for a PPI please"}
    await call(APIClient().post)("/api/inquiries", {"userId": user_id, "inquiryData": data}, format="json")
    event = await socket.receive_until(lambda e: e.get("type") == "inquiry.created")
    assert event["title"] == "New Customer Inquiry"
    assert "Ann Lee" in event["message"]


async def test_unknown_actions_and_garbage_are_answered_without_closing(open_socket):
    socket = await open_socket()
    await socket.communicator.send_to(text_data="not json")
    assert (await socket.receive())["error"] == "UNKNOWN_ACTION"
    await socket.send({"action": "ping", "timestamp": 1})
    assert await socket.silent(0.3)
    assert (await socket.init())["success"] is True


async def test_online_users_come_from_the_index_and_skip_expired_rows(open_socket, ttl_sweeper_paused):
    # The expired row must still be there for the sweep to delete, as on AWS until its lazy TTL
    # deletion: DynamoDB Local's own sweeper, within seconds, raced the task (a red run).
    await call(ttl_sweeper_paused)(Connection)
    support = await _staff_client("CUSTOMER_SUPPORT")
    staff_socket = await open_socket()
    await staff_socket.staff_init(token=support.token)
    customer_socket = await open_socket()
    user_id = (await customer_socket.init())["userId"]
    response = await call(support.get)("/api/users/online")
    body = response.json()
    assert body["count"] == 2
    assert {(c["userId"], c["staff"]) for c in body["connections"]} == {(user_id, False), (support.staff_user_id, True)}
    row = (await call(selectors.connections_of_user)(user_id))[0]
    await call(row.update)(actions=[Connection.ttl.set(dt.timedelta(seconds=-60))])
    body = (await call(support.get)("/api/users/online")).json()
    assert [c["userId"] for c in body["connections"]] == [support.staff_user_id]
    assert (await call(connections_sweep_task.delay)()).get() == 1
    assert await call(selectors.connections_of_user)(user_id) == []


async def test_a_session_socket_from_another_site_is_refused(open_socket):
    from django.contrib.auth import get_user_model

    from staffapp.services import staff_save

    await call(staff_save)(
        email="cswsh@autolab.test", name="Sess", phone="0451237048", roles=["CLERK"], password="pw-123456789"
    )
    client = Client()
    await call(client.force_login)(await call(get_user_model().objects.get)(username="cswsh@autolab.test"))
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    socket = await open_socket(headers=[(b"cookie", cookie), (b"origin", b"https://evil.example")])
    assert (await socket.staff_init())["error"] == "INVALID_ORIGIN"
    no_origin = await open_socket(headers=[(b"cookie", cookie)])
    assert (await no_origin.staff_init())["error"] == "INVALID_ORIGIN"


async def test_an_admin_who_can_take_customers_gets_the_chat_live(open_socket, new_customer):
    admin = await _staff_client("ADMIN")
    socket = await open_socket()
    assert (await socket.staff_init(token=admin.token))["chat"] is True
    user_id = await call(new_customer)()
    await call(APIClient().post)("/api/messages", {"clientId": user_id, "message": "anyone?"}, format="json")
    assert (await socket.receive_until(lambda e: e.get("type") == "message"))["message"] == "anyone?"


async def test_init_when_dynamodb_is_unreachable_is_reported_not_crashed(open_socket):
    from django.conf import settings

    from autolab import dynamodb
    from devtools.services import free_port

    socket = await open_socket()
    dynamodb.configure(endpoint_url=f"http://127.0.0.1:{free_port()}")  # nothing listens there
    try:
        reply = await socket.init(userName="Ann", timeout=60)
    finally:
        dynamodb.configure(endpoint_url=settings.DYNAMODB_ENDPOINT_URL)
    assert reply == {"type": "connection", "subtype": "init", "success": False, "error": "UPDATE_USER_RECORD_FAILED"}
    assert (await socket.init())["success"] is True  # the same socket recovers


async def test_a_staff_token_in_the_url_is_refused(open_socket):
    """#20.7: URLs land in proxy and access logs, so the token is accepted only in staff-init."""
    clerk = await _staff_client("CLERK")
    socket = await open_socket(f"/ws/?token={clerk.token}")
    reply = await socket.staff_init()
    assert reply == {"type": "connection", "subtype": "init", "success": False, "error": "INVALID_ORIGIN"}
    in_message = await open_socket()
    assert (await in_message.staff_init(token=clerk.token))["userId"] == clerk.staff_user_id
