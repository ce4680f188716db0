"""Soak: 50 customer and 5 staff sockets on a real daphne for 3 minutes, with idle gaps of 30 s and more.

Run with ``make soak`` (the ``soak`` marker is deselected by default). Traffic goes over plain
HTTP and real WebSockets (the RFC 6455 client of ``tests/faults/wsclient.py``): customers
write to the inbox, staff answer customers, every socket sits idle for 30 s or more at least
once, half the customers never ping. Pass: no socket closed by the server, and every message
delivered exactly once to every socket that should get it. The figures are printed at the end.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import requests

from tests.faults.wsclient import WsClient
from tests.live_daphne import ROOT, DaphneServer

pytestmark = [pytest.mark.soak, pytest.mark.django_db(transaction=True)]

CUSTOMERS = 50
STAFF = 5
DURATION_SECONDS = float(os.environ.get("SOAK_SECONDS", "180"))
# Everybody is quiet for this window in the middle of the run, staff sockets included.
QUIET_FROM, QUIET_FOR = DURATION_SECONDS / 3, 35.0
PING_EVERY_SECONDS = 25  # what the website does
WEBSITE_ORIGIN = "http://localhost:5173"  # the dev default of CORS_ALLOWED_ORIGINS


class Client:
    """A socket read in the background: pushed events queue up with their arrival time, daphne's
    pings are answered, and a close the test did not ask for is noted."""

    def __init__(self, socket: WsClient) -> None:
        self.socket = socket
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.close_info: tuple[str, int | None] | None = None
        self.closing = False
        self.reading = asyncio.ensure_future(self._read())

    @property
    def pings_answered(self) -> int:
        return self.socket.pings_answered

    def close(self) -> None:
        self.closing = True
        self.reading.cancel()
        self.socket.close(code=1000)

    async def _read(self) -> None:
        while True:
            kind, value = await self.socket.receive(timeout=None)
            if kind != "text":  # "close" with the server's code, or "eof"
                if not self.closing and self.close_info is None:
                    self.close_info = (kind, value)
                return
            value["_at"] = time.monotonic()
            self.events.put_nowait(value)


async def _connect(url: str) -> Client:
    parsed = urlparse(url)
    return Client(await WsClient.connect(parsed.hostname, parsed.port, parsed.path, origin=WEBSITE_ORIGIN))


async def _send(socket: Client, payload: dict[str, Any]) -> None:
    await socket.socket.send_json(payload)


async def _reply(socket: Client, kind: str, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        event = await asyncio.wait_for(socket.events.get(), timeout=max(0.1, deadline - time.monotonic()))
        if event.get("type") == kind:
            return event


@dataclass
class Tally:
    """What was sent (message id → send time, recipients) and what each socket received."""

    sent: dict[str, tuple[float, list[str]]] = field(default_factory=dict)
    received: dict[str, Counter] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    send_failures: list[str] = field(default_factory=list)


def _create_staff(server: DaphneServer, tmp_path: Path) -> list[tuple[str, str]]:
    """Five CUSTOMER_SUPPORT logins in the server's own auth database."""
    logins = [(f"soak.staff{i}.{uuid.uuid4().hex[:6]}@autolab.test", f"soak-password-{i}-x") for i in range(STAFF)]
    script = "from django.core.management import call_command\n" + "".join(
        f"call_command('createstaff', email={email!r}, name='Soak Staff {i}', phone='0451237048', "
        f"roles='CUSTOMER_SUPPORT', password={password!r})\n"
        for i, (email, password) in enumerate(logins)
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "autolab.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'auth.sqlite3'}",
    }
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    return logins


async def test_sockets_stay_up_and_every_message_arrives_once(daphne_server: DaphneServer, tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("SOAK_SEED", "12")))
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=16)
    http = requests.Session()
    http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=16))
    base, ws_url = daphne_server.url, daphne_server.url.replace("http", "ws") + "/ws/"

    def post(path: str, body: dict[str, Any], token: str | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return http.post(base + path, json=body, headers=headers, timeout=15)

    async def call_post(path: str, body: dict[str, Any], token: str | None = None) -> requests.Response:
        return await loop.run_in_executor(pool, post, path, body, token)

    logins = await loop.run_in_executor(pool, _create_staff, daphne_server, tmp_path)
    tokens = []
    for email, password in logins:
        answer = await call_post("/api/auth/token", {"email": email, "password": password})
        assert answer.status_code == 200, answer.text
        tokens.append(answer.json()["token"])

    staff_sockets = [await _connect(ws_url) for _ in range(STAFF)]
    for socket, token in zip(staff_sockets, tokens, strict=True):
        await _send(socket, {"action": "staff-init", "token": token})
        assert (await _reply(socket, "connection"))["success"] is True
    customers: list[tuple[Client, str]] = []
    for i in range(CUSTOMERS):
        socket = await _connect(ws_url)
        await _send(socket, {"action": "init", "userId": None, "userName": f"Soak Customer {i}"})
        init = await _reply(socket, "connection")
        assert init["success"] is True, init
        customers.append((socket, init["userId"]))

    tally = Tally()
    names = [f"staff{i}" for i in range(STAFF)] + [user_id for _, user_id in customers]
    sockets = dict(zip(names, staff_sockets + [s for s, _ in customers], strict=True))
    tally.received = {name: Counter() for name in names}
    started = time.monotonic()
    stop_at = started + DURATION_SECONDS

    def quiet(at: float) -> bool:
        return started + QUIET_FROM <= at < started + QUIET_FROM + QUIET_FOR

    async def send_message(path_token: str | None, body: dict[str, Any], recipients: list[str]) -> None:
        message_id = f"msg_{int(time.time() * 1000)}_{uuid.uuid4().hex[:8]}"
        tally.sent[message_id] = (time.monotonic(), recipients)
        answer = await call_post("/api/messages", {**body, "messageId": message_id}, path_token)
        if answer.status_code != 200:
            tally.send_failures.append(f"{answer.status_code} {answer.text[:200]}")

    async def customer_life(index: int, socket: Client, user_id: str) -> None:
        # Each customer has one long idle gap (30-45 s) somewhere, and short pauses otherwise.
        gap_at = started + rng.uniform(5, DURATION_SECONDS - 50)
        gap_done = False
        last_ping = time.monotonic()
        while True:
            now = time.monotonic()
            pause = rng.uniform(30, 45) if not gap_done and now >= gap_at else rng.expovariate(1 / 12)
            gap_done = gap_done or now >= gap_at
            wake = min(now + pause, stop_at)
            while time.monotonic() < wake:
                await asyncio.sleep(min(1.0, wake - time.monotonic()))
                if index % 2 == 0 and time.monotonic() - last_ping >= PING_EVERY_SECONDS:
                    await _send(socket, {"action": "ping", "timestamp": int(time.time() * 1000)})
                    last_ping = time.monotonic()
            if time.monotonic() >= stop_at:
                return
            if quiet(time.monotonic()):
                continue
            if rng.random() < 0.6:
                body = {"clientId": user_id, "message": f"customer {index} says hi"}
                await send_message(None, body, [f"staff{i}" for i in range(STAFF)])
            else:
                body = {"clientId": user_id, "message": f"an answer for customer {index}"}
                await send_message(rng.choice(tokens), body, [user_id])

    async def drain(name: str, socket: Client) -> None:
        while True:
            event = await socket.events.get()
            if event.get("type") == "message":
                message_id = event["messageId"]
                tally.received[name][message_id] += 1
                if message_id in tally.sent:
                    tally.latencies.append(event["_at"] - tally.sent[message_id][0])

    drains = [asyncio.ensure_future(drain(name, socket)) for name, socket in sockets.items()]
    await asyncio.gather(*(customer_life(i, s, u) for i, (s, u) in enumerate(customers)))
    # Pushes of the last sends may still be on their way: wait until every one arrived (or 60 s).
    drain_until = time.monotonic() + 60
    while time.monotonic() < drain_until and any(
        message_id not in tally.received[name] for message_id, (_, names) in tally.sent.items() for name in names
    ):
        await asyncio.sleep(1)
    elapsed = time.monotonic() - started
    closed = {name: s.close_info for name, s in sockets.items() if s.close_info is not None}
    for task in drains:
        task.cancel()
    pings = sum(s.pings_answered for s in sockets.values())
    for socket in sockets.values():
        socket.close()
    pool.shutdown(wait=False)

    expected = {name: Counter() for name in names}
    for message_id, (_, recipients) in tally.sent.items():
        for name in recipients:
            expected[name][message_id] += 1
    deliveries = sum(sum(c.values()) for c in expected.values())
    missing = {n: set(expected[n]) - set(tally.received[n]) for n in names if set(expected[n]) - set(tally.received[n])}
    extra = {n: {m: k for m, k in tally.received[n].items() if k != expected[n][m]} for n in names}
    extra = {n: e for n, e in extra.items() if e}
    latencies = sorted(tally.latencies)
    print(
        f"\nsoak: {STAFF} staff + {CUSTOMERS} customer sockets on daphne for {elapsed:.0f} s "
        f"(quiet window {QUIET_FOR:.0f} s; every customer idle 30-45 s once; half never ping)\n"
        f"soak: {len(tally.sent)} messages sent, {deliveries} deliveries expected, "
        f"{sum(sum(c.values()) for c in tally.received.values())} received, "
        f"{len(missing)} sockets missing some, {len(extra)} with duplicates or strays, "
        f"{len(tally.send_failures)} failed sends, {len(closed)} server-initiated closes, "
        f"{pings} daphne pings answered\n"
        f"soak: push latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )
    assert closed == {}
    assert tally.send_failures == []
    assert missing == {}
    assert extra == {}
    assert len(tally.sent) > CUSTOMERS  # traffic really happened
