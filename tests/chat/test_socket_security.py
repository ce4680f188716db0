"""Staff sockets follow the member's current access; origins and new-customer inits are checked
(security issue #20 items 8, 10, 11). Real sockets through the ASGI app on the real Redis layer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from chat.consumers import ACCESS_CHANGED_CLOSE_CODE
from staffapp.models import Staff
from staffapp.services import staff_set_active, staff_set_roles
from tests.chat.conftest import call

pytestmark = pytest.mark.django_db(transaction=True)


async def _session_headers(persona, origin: bytes = b"http://testserver", host: bytes = b"testserver"):
    client = Client()
    await call(client.force_login)(await call(get_user_model().objects.get)(username=persona.email))
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    return [(b"cookie", cookie), (b"host", host), (b"origin", origin)]


async def _assert_closed_for_access(socket) -> None:
    frame = await socket.receive()
    assert frame == {"type": "connection", "subtype": "revoked", "success": False, "error": "ACCESS_CHANGED"}
    closed = await socket.communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": ACCESS_CHANGED_CLOSE_CODE}


async def test_deactivating_a_member_closes_their_token_and_session_sockets(open_socket, make_staff, new_customer):
    admin, support = await call(make_staff)("ADMIN"), await call(make_staff)("CUSTOMER_SUPPORT")
    by_token = await open_socket()
    assert (await by_token.staff_init(token=support.token))["chat"] is True
    by_session = await open_socket(headers=await _session_headers(support))
    assert (await by_session.staff_init())["chat"] is True

    await call(staff_set_active)(actor=admin.identity, email=support.email, active=False)

    await _assert_closed_for_access(by_token)
    await _assert_closed_for_access(by_session)


async def test_losing_the_chat_role_closes_the_socket_and_a_new_one_follows_the_new_roles(open_socket, make_staff):
    admin, support = await call(make_staff)("ADMIN"), await call(make_staff)("CUSTOMER_SUPPORT")
    socket = await open_socket()
    await socket.staff_init(token=support.token)

    await call(staff_set_roles)(actor=admin.identity, email=support.email, roles=["MECHANIC"])

    await _assert_closed_for_access(socket)
    again = await open_socket()
    assert (await again.staff_init(token=support.token))["chat"] is False


async def test_an_unchanged_role_set_keeps_the_socket_open(open_socket, make_staff, new_customer):
    admin, support = await call(make_staff)("ADMIN"), await call(make_staff)("CUSTOMER_SUPPORT")
    socket = await open_socket()
    await socket.staff_init(token=support.token)
    await call(staff_set_roles)(actor=admin.identity, email=support.email, roles=["CUSTOMER_SUPPORT"])
    user_id = await call(new_customer)()
    await call(APIClient().post)("/api/messages", {"clientId": user_id, "message": "still there?"}, format="json")
    assert (await socket.receive_until(lambda e: e.get("type") == "message"))["message"] == "still there?"


async def test_each_push_rechecks_the_member_even_without_the_signal(open_socket, make_staff, new_customer):
    support = await call(make_staff)("CUSTOMER_SUPPORT")
    socket = await open_socket()
    await socket.staff_init(token=support.token)
    user_id = await call(new_customer)()
    # Changed behind staffapp's back (as a restore from backup would): no signal reaches the socket.
    staff = await call(Staff.get)(support.email)
    await call(staff.update)(actions=[Staff.is_active.set(False)])

    response = await call(APIClient().post)("/api/messages", {"clientId": user_id, "message": "secret"}, format="json")

    assert response.status_code == 200
    await _assert_closed_for_access(socket)


@pytest.mark.parametrize(
    "origin",
    [b"http://testserver:8443", b"https://testserver", b"http://testserver.evil.example", b"null"],
)
async def test_a_session_socket_needs_the_full_origin_of_the_portal(open_socket, make_staff, origin):
    clerk = await call(make_staff)("CLERK")
    socket = await open_socket(headers=await _session_headers(clerk, origin=origin))
    assert (await socket.staff_init())["error"] == "INVALID_ORIGIN"
    same = await open_socket(headers=await _session_headers(clerk))
    assert (await same.staff_init())["success"] is True


async def test_a_trusted_origin_is_compared_whole(open_socket, make_staff, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://portal.autolab.test"]
    clerk = await call(make_staff)("CLERK")
    trusted = await open_socket(headers=await _session_headers(clerk, origin=b"https://portal.autolab.test"))
    assert (await trusted.staff_init())["success"] is True
    other_port = await open_socket(headers=await _session_headers(clerk, origin=b"https://portal.autolab.test:444"))
    assert (await other_port.staff_init())["error"] == "INVALID_ORIGIN"


async def test_init_creating_customers_shares_the_register_limit(open_socket, settings):
    settings.API_RATE_LIMITS = "on"
    address = "203.0.113.9"
    website = APIClient(REMOTE_ADDR=address)
    for _ in range(59):  # 60 a minute per address (public_write)
        assert (await call(website.post)("/api/users/register", {}, format="json")).status_code == 201
    last_allowed = await open_socket(client=address)
    known_id = (await last_allowed.init())["userId"]

    refused = await open_socket(client=address)
    reply = await refused.init(userName="Bot")

    assert reply["success"] is False
    assert reply["error"] == "RATE_LIMITED"
    assert reply["message"].startswith("Too many new chats from this address; try again in ")
    assert (await call(website.post)("/api/users/register", {}, format="json")).status_code == 429
    # Reconnecting with a known id creates nothing and is not limited; other addresses are not either.
    reconnect = await open_socket(client=address)
    assert (await reconnect.init(userId=known_id))["success"] is True
    assert (await (await open_socket(client="198.51.100.4")).init())["success"] is True


@pytest.fixture
def new_chats_limited_to_3(settings) -> Iterator[None]:
    settings.API_RATE_LIMITS = "on"
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {**original, "public_write": "3/min"}
    yield
    SimpleRateThrottle.THROTTLE_RATES = original


async def _new_chat(open_socket, peer: str, forwarded_for: str | None = None) -> bool:
    headers = [(b"x-forwarded-for", forwarded_for.encode())] if forwarded_for else []
    return (await (await open_socket(client=peer, headers=headers)).init())["success"]


async def test_behind_the_trusted_proxy_each_client_has_its_own_init_limit(
    open_socket, settings, new_chats_limited_to_3
):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"  # every socket's peer; the proxy appends the address it saw
    # The first client rotates whatever it puts in front of the entry our proxy appended.
    first = [await _new_chat(open_socket, proxy, f"192.0.2.{n}, 203.0.113.21") for n in range(5)]
    second = await _new_chat(open_socket, proxy, "203.0.113.22")

    assert first == [True] * 3 + [False] * 2
    assert second is True


async def test_without_a_trusted_proxy_a_forwarded_for_header_does_not_escape_the_init_limit(
    open_socket, new_chats_limited_to_3
):
    peer = "198.51.100.23"
    attempts = [await _new_chat(open_socket, peer, f"192.0.2.{n}") for n in range(5)]

    assert attempts == [True] * 3 + [False] * 2
