"""Redis restarted during chat (#12.4): sockets close cleanly and reconnect, sends during the
outage are refused with a message, nothing stored is lost. Real sockets through the ASGI app on
a channel layer whose Redis server this test stops and starts."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from chat.consumers import LIVE_LOST_CLOSE_CODE
from devtools.services import start_redis
from tests.chat.conftest import call

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def layer_redis(settings):
    redis = start_redis()
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [redis.url]}}
    }
    holder = {"redis": redis}
    yield holder
    holder["redis"].stop()


def _send(user_id: str, text: str):
    return APIClient().post("/api/messages", {"clientId": user_id, "message": text}, format="json")


async def test_chat_survives_a_redis_restart(open_socket, make_staff, layer_redis):
    support = await call(make_staff)("CUSTOMER_SUPPORT")
    staff = await open_socket()
    await staff.staff_init(token=support.token)
    customer = await open_socket()
    user_id = (await customer.init(userName="Ann"))["userId"]
    assert (await call(_send)(user_id, "before")).status_code == 201
    await staff.receive_until(lambda e: e.get("type") == "message")

    redis = layer_redis["redis"]
    port = int(redis.url.rsplit(":", 1)[1].split("/")[0])
    redis.stop()

    refused = await call(_send)(user_id, "during")
    assert refused.status_code == 503
    assert refused.json() == {
        "success": False,
        "message": "Live chat is unavailable right now; the message was not sent. Please try again.",
    }
    for socket in (staff, customer):
        frame = await socket.receive_until(lambda e: e.get("type") == "error", timeout=10)
        assert frame["error"] == "LIVE_UNAVAILABLE"
        assert frame["message"] == "Live chat is unavailable right now; reconnect in a moment"
        closed = await socket.communicator.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": LIVE_LOST_CLOSE_CODE}

    layer_redis["redis"] = start_redis(port=port)

    staff = await open_socket()
    assert (await staff.staff_init(token=support.token))["success"] is True
    customer = await open_socket()
    assert (await customer.init(userId=user_id))["success"] is True
    assert (await call(_send)(user_id, "after")).status_code == 201
    assert (await staff.receive_until(lambda e: e.get("type") == "message"))["message"] == "after"
    history = await call(APIClient().get)("/api/messages", {"clientId": user_id, "userId": user_id})
    assert sorted(m["message"] for m in history.json()["messages"]) == ["after", "before"]  # "during" refused
