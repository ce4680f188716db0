"""Fault-injection fixtures: real servers that fail in the ways production ones do."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.retries.standard import ExponentialBackoff
from django.conf import settings

from autolab import dynamodb
from devtools.dynamodb_local import start_dynamodb_local
from devtools.services import Service
from tests.billing.conftest import catalogue, customer, make_appointment  # noqa: F401 - shared fixtures
from tests.chat.conftest import open_socket  # noqa: F401 - the chat suite's real sockets, here too
from tests.faults.dynamodb_faults import FaultyDynamoDB
from tests.live_daphne import ROOT

# Short enough that a stalled engine costs a test seconds, long enough for a loaded machine.
TEST_READ_TIMEOUT_SECONDS = 1.0


@pytest.fixture
def faulty_dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultyDynamoDB]:
    """autolab (this process) talks to DynamoDB through a FaultyDynamoDB in front of the suite's engine.

    botocore waits up to 1, 2 and 4 s before its retries of a throttled call (and a random share
    of that): most of these tests' time, and not what they check (how many attempts, and what the
    caller gets after the last). Here its waits are a twentieth as long; the attempts are the same.
    """
    monkeypatch.setattr(
        ExponentialBackoff,
        "_DEFAULT_BACKOFF_CONFIG",
        {**ExponentialBackoff._DEFAULT_BACKOFF_CONFIG, "throttling_base_scale": 0.05},
    )
    meta = dynamodb.registered_models()[0].Meta
    original_host, original_timeout = meta.host, meta.read_timeout_seconds
    faulty = FaultyDynamoDB(settings.DYNAMODB_ENDPOINT_URL)
    dynamodb.configure(endpoint_url=faulty.url, read_timeout_seconds=TEST_READ_TIMEOUT_SECONDS)
    try:
        yield faulty
    finally:
        faulty.close()
        dynamodb.configure(endpoint_url=original_host, read_timeout_seconds=original_timeout)


def start_engine(port: int, data_dir: Path) -> Service:
    """The suite's DynamoDB engine, started the way the test plugin starts it, on a given port:
    DynamoDB Local on disk under ``data_dir``, as `make run` keeps it."""
    return start_dynamodb_local(port=port, db_path=data_dir, short_lived=True)


def start_web(port: int, log_path: Path, **extra_env: str) -> subprocess.Popen:
    """The web process as the Procfile runs it (``python -m autolab.serve``), on the suite's services."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "autolab.settings.test", **extra_env}
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "autolab.serve", "-b", "127.0.0.1", "-p", str(port), "autolab.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the web process exited with {process.returncode}: see {log_path}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the web process did not answer: see {log_path}")


def start_worker(log_path: Path, **env: str) -> subprocess.Popen:
    """A real ``celery worker`` (solo pool, as the suite's worker fixture) with extra environment."""
    from autolab.celery import app

    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "autolab.settings.test", "CELERY_TASK_ALWAYS_EAGER": "false"}
    environment.pop("DATABASE_URL", None)
    environment.update(env)
    command = [sys.executable, "-m", "celery", "-A", "autolab", "worker", "-P", "solo", "-l", "INFO"]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [*command, "--without-gossip", "--without-mingle"], env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited: see {log_path}")
        if app.control.ping(timeout=0.5):
            return process
    process.kill()
    raise RuntimeError(f"celery worker did not answer: see {log_path}")
