"""Chat fixtures: customers, real WebSocket clients (Channels' communicator on the real Redis layer)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from chat import services
from devtools.services import free_port

ROOT = Path(__file__).resolve().parents[2]


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


@pytest.fixture
def portal_client() -> Callable[..., Any]:
    """A Django test client signed in to the portal as ``persona``."""
    from django.test import Client

    def sign_in(persona: Any) -> Client:
        client = Client()
        assert client.login(username=persona.email, password=persona.password)
        return client

    return sign_in


@dataclass
class DaphneServer:
    url: str
    email: str
    password: str


@pytest.fixture
def daphne_server(tmp_path: Path) -> Iterator[DaphneServer]:
    """daphne serving autolab (HTTP + WebSocket) as a subprocess, with one CUSTOMER_SUPPORT login.

    The test process's auth database is in memory, so the server gets its own SQLite file; the
    Staff item goes to the same DynamoDB Local tables (same endpoint and suffix) and is emptied after the test.
    """
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "autolab.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'auth.sqlite3'}",
    }
    python = sys.executable
    email, password = "live.support@autolab.test", "live-support-password-1"
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [
            python,
            "manage.py",
            "createstaff",
            "--email",
            email,
            "--name",
            "Liv Support",
            "--phone",
            "0451237048",
            "--roles",
            "CUSTOMER_SUPPORT",
            "--password",
            password,
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    log = open(tmp_path / "daphne.log", "wb")  # noqa: SIM115 - closed after the server stops
    process = subprocess.Popen(
        [str(Path(python).parent / "daphne"), "-b", "127.0.0.1", "-p", str(port), "autolab.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_http(f"http://127.0.0.1:{port}/api/health", process)
        yield DaphneServer(url=f"http://127.0.0.1:{port}", email=email, password=password)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_for_http(url: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
    # A readiness wait, not a speed check: on a loaded 2-core machine daphne's imports took over 30 s.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with code {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"daphne did not answer at {url}")
