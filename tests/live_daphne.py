"""daphne serving autolab as a subprocess, for the tests that need a real server: live browser
pages (chat, dashboard, seller answers) and the soak. Its fixtures are the root conftest's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devtools.services import free_port

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class DaphneServer:
    url: str
    email: str
    password: str


_LIVE_SUPPORT = ("live.support@autolab.test", "live-support-password-1")


@dataclass
class _AuthTemplate:
    database: Path
    staff: dict[str, Any]  # the login's Staff item, as DynamoDB holds it


@pytest.fixture(scope="session")
def _daphne_auth_template(tmp_path_factory: pytest.TempPathFactory) -> _AuthTemplate:
    """The daphne server's auth database with one CUSTOMER_SUPPORT login, made once per test run
    (or xdist worker): migrate and createstaff were seconds of every live-server test."""
    from staffapp.models import Staff

    database = tmp_path_factory.mktemp("daphne-auth") / "auth.sqlite3"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "autolab.settings.test", "DATABASE_URL": f"sqlite:///{database}"}
    email, password = _LIVE_SUPPORT
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    login = ["--email", email, "--name", "Liv Support", "--phone", "0451237048", "--roles", "CUSTOMER_SUPPORT"]
    subprocess.run(
        [*manage, "createstaff", *login, "--password", password],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return _AuthTemplate(database=database, staff=Staff.get(email, consistent_read=True).serialize())


@pytest.fixture
def daphne_server(tmp_path: Path, _daphne_auth_template: _AuthTemplate) -> Iterator[DaphneServer]:
    """daphne serving autolab (HTTP + WebSocket) as a subprocess, with one CUSTOMER_SUPPORT login.

    The test process's auth database is in memory, so the server gets its own SQLite file (a copy
    of the run's template); the login's Staff item is put back in the same DynamoDB Local tables
    (same endpoint and suffix), which are emptied after every test.
    """
    from staffapp.models import Staff

    database = tmp_path / "auth.sqlite3"
    shutil.copyfile(_daphne_auth_template.database, database)
    staff = Staff()
    staff.deserialize(_daphne_auth_template.staff)
    staff.save()
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "autolab.settings.test", "DATABASE_URL": f"sqlite:///{database}"}
    python = sys.executable
    email, password = _LIVE_SUPPORT
    log = open(tmp_path / "daphne.log", "wb")  # noqa: SIM115 - closed after the server stops
    process = subprocess.Popen(
        [str(Path(python).parent / "daphne"), "-b", "127.0.0.1", "-p", str(port), "autolab.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/api/health", process)
        yield DaphneServer(url=f"http://127.0.0.1:{port}", email=email, password=password)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
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
