"""Rate limits and the login lockout key on the client address that only trusted proxies vouch
for, never on a client-chosen X-Forwarded-For (issue 20 item 2)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rest_framework.throttling import SimpleRateThrottle

from devtools.services import free_port
from tests.live_daphne import ROOT, wait_for_http


@pytest.fixture
def registrations_limited_to_5(settings) -> Iterator[None]:
    settings.API_RATE_LIMITS = "on"
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {**original, "public_write": "5/min"}
    yield
    SimpleRateThrottle.THROTTLE_RATES = original


def _register(client, forwarded_for: str) -> int:
    return client.post("/api/users/register", {}, format="json", HTTP_X_FORWARDED_FOR=forwarded_for).status_code


def test_rotating_x_forwarded_for_does_not_get_past_the_registration_throttle(anon, registrations_limited_to_5):
    statuses = [_register(anon, f"198.51.100.{i}") for i in range(1, 9)]

    assert statuses == [201] * 5 + [429] * 3


def test_behind_one_proxy_the_entry_it_appended_is_the_client(anon, settings, registrations_limited_to_5):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client starts the header with anything it likes; our proxy appends the address it saw.
    statuses = [_register(anon, f"10.0.0.{i}, 203.0.113.5") for i in range(1, 8)]
    other_client = _register(anon, "10.0.0.1, 203.0.113.6")

    assert statuses == [201] * 5 + [429] * 2
    assert other_client == 201


# --- Through daphne, started the way the Procfile starts it ---------------------------------------


def _procfile_web_command(port: int) -> list[str]:
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    words = shlex.split(line.removeprefix("web:").replace("${PORT:-8000}", str(port)))
    words = ["127.0.0.1" if word == "0.0.0.0" else word for word in words]  # noqa: S104 - rewritten to loopback
    return [str(Path(sys.executable).parent / words[0]), *words[1:]]


@pytest.fixture
def procfile_daphne(tmp_path: Path) -> Iterator[str]:
    """daphne behind one (simulated) proxy: TRUSTED_PROXY_COUNT=1, rate limits on."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "autolab.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'auth.sqlite3'}",
        "API_RATE_LIMITS": "on",
        "TRUSTED_PROXY_COUNT": "1",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    log = open(tmp_path / "daphne.log", "wb")  # noqa: SIM115 - closed after the server stops
    process = subprocess.Popen(_procfile_web_command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/api/health", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _token_login(base: str, email: str, forwarded_for: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"{base}/api/auth/token",
        data=json.dumps({"email": email, "password": "guess"}).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_rotating_x_forwarded_for_does_not_get_past_the_login_lockout(procfile_daphne):
    attempts = [
        _token_login(procfile_daphne, f"staff{account}@autolab.test", f"192.0.2.{account * 4 + n}, 203.0.113.9")
        for account in range(12)
        for n in range(4)
    ]
    someone_else = _token_login(procfile_daphne, "staff0@autolab.test", "192.0.2.1, 203.0.113.10")

    assert attempts == [401] * 5 + [429] * 43
    assert someone_else == 401
