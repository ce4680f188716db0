"""Chat fixtures: customers, real WebSocket clients (Channels' communicator on the real Redis layer)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from chat import services


@pytest.fixture
def new_customer() -> Callable[..., str]:
    """Register a customer (the server issues the id); returns the userId."""

    def create(**profile: Any) -> str:
        return services.customer_register(**profile).user_id

    return create


class Socket:
    """One WebSocket client of /ws/ with short helpers."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator

    async def send(self, payload: dict[str, Any]) -> None:
        await self.communicator.send_json_to(payload)

    async def receive(self, timeout: float = 5) -> dict[str, Any]:
        return await self.communicator.receive_json_from(timeout=timeout)

    async def receive_until(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 5) -> dict[str, Any]:
        """The first pushed event matching ``predicate`` (others are skipped)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = await self.receive(timeout=max(0.05, deadline - loop.time()))
            if predicate(event):
                return event

    async def silent(self, timeout: float = 0.5) -> bool:
        return await self.communicator.receive_nothing(timeout=timeout)

    async def init(self, timeout: float = 5, **fields: Any) -> dict[str, Any]:
        await self.send({"action": "init", **fields})
        return await self.receive_until(lambda e: e.get("type") == "connection", timeout=timeout)

    async def staff_init(self, token: str | None = None) -> dict[str, Any]:
        await self.send({"action": "staff-init", **({"token": token} if token else {})})
        return await self.receive_until(lambda e: e.get("type") == "connection")

    async def close(self) -> None:
        await self.communicator.disconnect()


@pytest.fixture
async def open_socket() -> AsyncIterator[Callable[..., Any]]:
    """Open sockets through the project's ASGI application; all are closed after the test."""
    from autolab.asgi import application

    opened: list[Socket] = []

    async def open_(
        path: str = "/ws/", headers: list[tuple[bytes, bytes]] | None = None, client: str | None = None
    ) -> Socket:
        communicator = WebsocketCommunicator(application, path, headers=headers or [])
        if client is not None:  # the peer address daphne puts in the scope
            communicator.scope["client"] = (client, 50000)
        connected, _ = await communicator.connect(timeout=5)
        assert connected
        socket = Socket(communicator)
        opened.append(socket)
        return socket

    yield open_
    for socket in opened:
        with contextlib.suppress(Exception):  # already closed by the server (a replaced socket)
            await socket.close()


def call(function: Callable[..., Any]) -> Callable[..., Any]:
    """Run a sync call (API client, service) from an async test, off the event loop."""
    return sync_to_async(function, thread_sensitive=False)
