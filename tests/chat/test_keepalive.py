"""Idle sockets stay up: the channel layer's blocking read must not trip the Redis client's timeout.

channels-redis waits for a socket's next message with a 5 s blocking BZPOPMIN; with redis-py's
default 5 s socket timeout the read itself timed out, the consumer crashed and the server closed
the socket with 1011 after a few idle seconds.
"""

from __future__ import annotations

import asyncio

import pytest
from rest_framework.test import APIClient

from tests.chat.conftest import call
from tests.chat.test_websocket import _staff_client

pytestmark = pytest.mark.django_db(transaction=True)

IDLE_SECONDS = 8  # longer than one whole 5 s blocking read


async def test_idle_customer_and_staff_sockets_stay_open_and_get_the_next_push(open_socket):
    support = await _staff_client("CUSTOMER_SUPPORT")
    staff = await open_socket()
    assert (await staff.staff_init(token=support.token))["success"] is True
    customer = await open_socket()
    user_id = (await customer.init(userName="Idle Ida"))["userId"]
    await staff.receive_until(lambda e: e.get("subtype") == "user-connected")

    await asyncio.sleep(IDLE_SECONDS)
    # A crashed consumer shows up here as its exception or a websocket.close, not as silence.
    assert await customer.silent(0.2)
    assert await staff.silent(0.2)

    sent = await call(support.post)("/api/messages", {"clientId": user_id, "message": "still there?"}, format="json")
    pushed = await customer.receive_until(lambda e: e.get("type") == "message")
    assert (pushed["messageId"], pushed["message"]) == (sent.json()["messageId"], "still there?")
    await call(APIClient().post)("/api/messages", {"clientId": user_id, "message": "yes!"}, format="json")
    pushed = await staff.receive_until(lambda e: e.get("type") == "message")
    assert (pushed["senderId"], pushed["message"]) == (user_id, "yes!")
