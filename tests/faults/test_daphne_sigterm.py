"""The web process gets SIGTERM (#12.4): open sockets are closed with 1001 "going away", the
process exits cleanly, and a client that reconnects to the restarted process resumes with its
userId and history. A real web process (the Procfile's command) and a raw WebSocket client."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from autolab.serve import GOING_AWAY
from chat.models import Customer
from devtools.services import free_port
from tests.chat.conftest import call
from tests.faults.conftest import start_web
from tests.faults.dynamodb_faults import FaultyDynamoDB
from tests.faults.wsclient import WsClient
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


async def test_sigterm_closes_sockets_with_1001_and_the_client_resumes(tmp_path):
    port = free_port()
    web = start_web(port, tmp_path / "web.log")
    try:
        socket = await WsClient.connect("127.0.0.1", port)
        await socket.send_json({"action": "init", "userName": "Ann"})
        user_id = (await socket.receive_json(lambda e: e.get("type") == "connection"))["userId"]
        staff_reply = await call(APIClient().post)(
            "/api/messages", {"clientId": user_id, "message": "hi"}, format="json"
        )
        assert staff_reply.status_code == 200

        web.send_signal(signal.SIGTERM)

        assert await socket.receive() == ("close", GOING_AWAY)
        assert web.wait(timeout=30) == 0
        socket.close()

        web = start_web(port, tmp_path / "web.log")
        again = await WsClient.connect("127.0.0.1", port)
        await again.send_json({"action": "init", "userId": user_id})
        resumed = await again.receive_json(lambda e: e.get("type") == "connection")
        assert (resumed["success"], resumed["userId"], resumed["userName"]) == (True, user_id, "Ann")
        history = await call(APIClient().get)("/api/messages", {"clientId": user_id, "userId": user_id})
        assert [m["message"] for m in history.json()["messages"]] == ["hi"]
        again.close()
    finally:
        if web.poll() is None:
            web.terminate()
            web.wait(timeout=15)


async def test_a_client_leaving_as_the_stop_begins_is_seen_off_before_the_process_exits(tmp_path: Path):
    """The socket closes and SIGTERM follows while its consumer's disconnect handler is still at
    DynamoDB. The handler publishes through this process's event loop, so the stop waits for it
    (within the close window) instead of hanging until the stop deadline, and its write lands."""
    faulty = FaultyDynamoDB(settings.DYNAMODB_ENDPOINT_URL)
    log = tmp_path / "web.log"
    port = free_port()
    web = start_web(port, log, DYNAMODB_ENDPOINT_URL=faulty.url)
    try:
        socket = await WsClient.connect("127.0.0.1", port)
        await socket.send_json({"action": "init", "userName": "Ann"})
        user_id = (await socket.receive_json(lambda e: e.get("type") == "connection"))["userId"]
        faulty.fail("stall", operation="DeleteItem")  # the handler's delete of the connection row
        socket.close()
        # Bounded: the suite has no per-test timeout to end a hang.
        handler_at_dynamodb = "the disconnect handler to reach DynamoDB"
        await asyncio.to_thread(wait_until, lambda: faulty.count("DeleteItem"), handler_at_dynamodb, 10, 0.02)
        assert faulty.count("DeleteItem") == 1

        web.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.2)  # the stop has begun; the handler is still waiting on DynamoDB
        faulty.forward()  # botocore retries the dropped call and the handler goes on to publish

        assert await asyncio.to_thread(web.wait, 30) == 0
    finally:
        if web.poll() is None:
            web.kill()
        faulty.close()
    assert "Stop took longer" not in log.read_text()
    assert Customer.get(user_id).last_seen is not None
