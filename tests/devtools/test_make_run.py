"""`make run` end to end: the stack comes up on DynamoDB Local, serves the portal and the API, and
data created through the API is still there after a `kill -9` of the whole stack (launcher, web,
worker, beat, Redis, DynamoDB Local) and a new start; a plain stop writes a backup."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from devtools.services import free_port

ROOT = Path(__file__).resolve().parents[2]


def _get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _post_json(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def stack_env(tmp_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DYNAMODB_ENDPOINT_URL", "CELERY_BROKER_URL"}
    }
    env.update(
        {
            "AUTOLAB_ENV": f"devtest{os.getpid()}",
            "PORT": str(free_port()),
            "BACKUP_DIR": str(tmp_path / "backups"),
            "DYNAMODB_LOCAL_DB_PATH": str(tmp_path / "dynamodb"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'auth.sqlite3'}",
            "EMAIL_FILE_PATH": str(tmp_path / "mail"),
            "DJANGO_SETTINGS_MODULE": "autolab.settings.base",
        }
    )
    return env


def _start(env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "devtools.devstack"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{env['PORT']}"
    deadline = time.monotonic() + 300  # a first start on a busy 2-core machine takes minutes
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if _get(f"{base}/api/health", timeout=2)[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.5)
    _kill_9_everything(process)  # its Redis and DynamoDB Local too: they run in sessions of their own
    raise AssertionError("make run did not become healthy:\n" + log.read_text()[-3000:])


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=90)


def _descendants(pid: int) -> list[int]:
    """Every process started under ``pid``, also those in a session of their own (from /proc)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def _kill_9_everything(process: subprocess.Popen) -> list[int]:
    pids = [process.pid, *_descendants(process.pid)]
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)
    return pids


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


def test_make_run_serves_everything_and_keeps_data_across_kill_9_and_restarts(
    stack_env: dict[str, str], tmp_path: Path
) -> None:
    base = f"http://127.0.0.1:{stack_env['PORT']}"
    log = tmp_path / "stack.log"
    process = _start(stack_env, log)
    try:
        assert "DynamoDB Local" in log.read_text()
        assert "admin@autolab.local / autolab-demo-2026" in log.read_text()
        assert _get(f"{base}/admin/login/")[0] == 200
        assert _get(f"{base}/api/docs/")[0] == 200
        status, token = _post_json(
            f"{base}/api/auth/token", {"email": "admin@autolab.local", "password": "autolab-demo-2026"}
        )
        assert status == 200, token
        status, created = _post_json(f"{base}/api/users/register", {"userName": "Restart Test"})
        assert status == 201, created
        user_id = created["userId"]
        # Read it back before the kill: DynamoDB Local answers a TransactWriteItems a few
        # milliseconds before its SQLite commit lands (measured: a kill -9 inside that window loses
        # the write, one request later never), so "created" means the API has shown it again.
        assert _get(f"{base}/api/users/check?userId={user_id}")[0] == 200
        killed = _kill_9_everything(process)
    finally:
        if process.poll() is None:
            _kill_9_everything(process)
    assert len(killed) >= 6  # launcher, web, worker (and its pool), beat, Redis, DynamoDB Local
    deadline = time.monotonic() + 10
    while not all(_gone(pid) for pid in killed) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not list((tmp_path / "backups").glob("*")), "no backup may have been written: data comes from disk"

    process = _start(stack_env, log)
    try:
        assert "Restoring the last dev backup" not in log.read_text().rsplit("Starting DynamoDB Local", 1)[1]
        status, body = _get(f"{base}/api/users/check?userId={user_id}")
        assert status == 200, body
    finally:
        _stop(process)
    assert "Backing up dev data" in log.read_text()
    assert list((tmp_path / "backups").glob("*/Users.json"))
