"""Fixtures shared by every test: real DynamoDB (DynamoDB Local) and Redis, reset between tests."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis as redis_lib
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from celery._state import _set_task_join_will_block
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from autolab import domain_events, dynamodb
from autolab.permissions import StaffIdentity
from autolab.tables import ensure_tables
from tests import live_events
from tests.live_daphne import _daphne_auth_template, daphne_server  # noqa: F401 - fixtures of every suite


def _truncate(table_name: str) -> None:
    if "-test" not in table_name:
        raise RuntimeError(f"Refusing to empty {table_name}: not a test table")
    client = dynamodb.connection().client
    model = next(m for m in dynamodb.registered_models() if m.Meta.table_name == table_name)
    key_names = [key["AttributeName"] for key in model._get_schema()["key_schema"]]
    projection = ", ".join(f"#k{i}" for i in range(len(key_names)))
    names = {f"#k{i}": name for i, name in enumerate(key_names)}
    for page in client.get_paginator("scan").paginate(
        TableName=table_name, ProjectionExpression=projection, ExpressionAttributeNames=names
    ):
        for start in range(0, len(page["Items"]), 25):
            chunk = page["Items"][start : start + 25]
            requests = [{"DeleteRequest": {"Key": item}} for item in chunk]
            client.batch_write_item(RequestItems={table_name: requests})


@pytest.fixture(scope="session", autouse=True)
def dynamodb_tables() -> None:
    list(ensure_tables())


_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


def _key_names() -> dict[str, list[str]]:
    return {
        model.Meta.table_name: [key["AttributeName"] for key in model._get_schema()["key_schema"]]
        for model in dynamodb.registered_models()
    }


def _keys_written(operation: str, params: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    """(table, item or key) for every item a write may leave behind; deletes leave nothing."""
    if operation in ("PutItem", "UpdateItem"):
        yield params["TableName"], params.get("Item") or params["Key"]
    elif operation == "BatchWriteItem":
        for table, requests in params.get("RequestItems", {}).items():
            for request in requests:
                if "PutRequest" in request:
                    yield table, request["PutRequest"]["Item"]
    elif operation == "TransactWriteItems":
        for action in params.get("TransactItems", []):
            if "Put" in action:
                yield action["Put"]["TableName"], action["Put"]["Item"]
            elif "Update" in action:
                yield action["Update"]["TableName"], action["Update"]["Key"]


class _Writes:
    """What a test may have written: the keys this process wrote through botocore, or everything
    when a child process (worker, daphne, command) ran, since its writes are not seen here.
    Deleting those keys (a batch call or two) instead of scanning every table written, let alone
    all of them, after every test is most of the suite's time."""

    def __init__(self) -> None:
        self.keys: dict[tuple[str, str], dict[str, Any]] = {}
        self.children: list[subprocess.Popen] = []
        self._key_names: dict[str, list[str]] | None = None
        self._make_api_call = BaseClient._make_api_call
        self._popen_init = subprocess.Popen.__init__

    def install(self) -> None:
        writes = self

        def make_api_call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            if operation in _WRITES and client.meta.service_model.service_name == "dynamodb":
                writes.record(operation, params)
            return writes._make_api_call(client, operation, params)

        def popen_init(process: subprocess.Popen, *args: Any, **kwargs: Any) -> None:
            writes._popen_init(process, *args, **kwargs)
            writes.children.append(process)

        BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]
        subprocess.Popen.__init__ = popen_init  # type: ignore[method-assign]

    def record(self, operation: str, params: dict[str, Any]) -> None:
        if self._key_names is None:
            self._key_names = _key_names()
        for table, item in _keys_written(operation, params):
            names = self._key_names.get(table)
            if names is None:  # not one of the app's tables (a test's own): nothing to empty
                continue
            key = {name: item[name] for name in names}
            self.keys[(table, json.dumps(key, sort_keys=True))] = key  # racing threads: dict ops are atomic

    def empty(self) -> None:
        """Delete what this test wrote: its keys, or every table when a child process ran."""
        if self.children:
            for model in dynamodb.registered_models():
                _truncate(model.Meta.table_name)
            return
        client = dynamodb.connection().client
        pending = [(table, key) for (table, _), key in list(self.keys.items())]
        for start in range(0, len(pending), 25):  # BatchWriteItem takes 25 requests, any tables
            requests: dict[str, list[dict[str, Any]]] = {}
            for table, key in pending[start : start + 25]:
                if "-test" not in table:
                    raise RuntimeError(f"Refusing to empty {table}: not a test table")
                requests.setdefault(table, []).append({"DeleteRequest": {"Key": key}})
            tables = list(requests)
            try:
                while requests:
                    requests = client.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
            except ClientError:
                # A key the engine refused to store (a test of oversized ids) cannot be deleted
                # either: empty those tables the slow way.
                for table in tables:
                    _truncate(table)

    def forget(self) -> None:
        """Start the next test's record (after emptying, whose deletes are writes too)."""
        self.children = [child for child in self.children if child.poll() is None]
        self.keys.clear()


_writes = _Writes()
_writes.install()


@pytest.fixture(autouse=True)
def clean_state(dynamodb_tables: None) -> Iterator[None]:
    """Every test starts with empty tables and an empty Redis."""
    yield
    try:
        _writes.empty()
    finally:
        _writes.forget()  # a failed emptying must not be retried by every later test
    redis_lib.Redis.from_url(settings.REDIS_URL).flushdb()
    # Celery's "inside a task" flag is process-global, not per thread: eager tasks run by racing
    # threads can leave it set, and every later result.get() would then refuse to block.
    _set_task_join_will_block(False)


@pytest.fixture
def ttl_sweeper_paused() -> Iterator[Callable[[type[dynamodb.DynamoModel]], None]]:
    """Pause DynamoDB Local's TTL sweeper on a table for one test. AWS deletes expired items lazily
    (typically within days), DynamoDB Local within seconds; a test of what the app does in that
    window (an item past its ttl still there) needs the window held open."""
    paused: list[tuple[str, str]] = []

    def pause(model: type[dynamodb.DynamoModel]) -> None:
        client = dynamodb.connection().client
        name = model.Meta.table_name
        attribute = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["AttributeName"]
        client.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": attribute}
        )
        paused.append((name, attribute))

    yield pause
    for name, attribute in paused:
        dynamodb.connection().client.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute}
        )


@pytest.fixture(scope="session")
def aws_stand_in() -> Iterator[str]:
    """A moto server standing in for the AWS APIs that have no local engine (SES, S3); its URL.
    DynamoDB never goes there: it stays on DynamoDB Local."""
    from moto.server import ThreadedMotoServer

    from devtools.services import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@dataclass
class StaffPersona:
    email: str
    password: str
    identity: StaffIdentity
    token: str

    @property
    def user_id(self) -> str:
        return self.identity.user_id

    def api(self) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.token}")
        return client

    def portal(self) -> Client:
        """A Django test client signed in to the staff portal with this member's password."""
        client = Client()
        assert client.login(username=self.email, password=self.password)
        return client


@pytest.fixture
def make_staff(db: None) -> Callable[..., StaffPersona]:
    """Create a staff member with the given roles; returns their persona (token, identity)."""
    from django.contrib.auth import get_user_model

    from staffapp.selectors import staff_identity
    from staffapp.services import staff_issue_token, staff_save

    counter = iter(range(1, 10_000))

    def create(*roles: str, email: str | None = None, name: str | None = None) -> StaffPersona:
        number = next(counter)
        email = email or f"{'-'.join(roles).lower() or 'staff'}{number}@autolab.test"
        password = "correct-horse-battery"
        staff, _ = staff_save(
            email=email, name=name or f"Staff {number}", phone="0451237048", roles=roles, password=password
        )
        user = get_user_model().objects.get(username=email)
        return StaffPersona(
            email=email, password=password, identity=staff_identity(staff), token=staff_issue_token(user=user)
        )

    return create


@pytest.fixture
def admin(make_staff: Callable[..., StaffPersona]) -> StaffPersona:
    return make_staff("ADMIN", name="Ada Admin")


@pytest.fixture
def mechanic(make_staff: Callable[..., StaffPersona]) -> StaffPersona:
    return make_staff("MECHANIC", name="Max Mechanic")


@pytest.fixture
def support(make_staff: Callable[..., StaffPersona]) -> StaffPersona:
    return make_staff("CUSTOMER_SUPPORT", name="Sue Support")


@pytest.fixture
def clerk(make_staff: Callable[..., StaffPersona]) -> StaffPersona:
    return make_staff("CLERK", name="Cleo Clerk")


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def staff_events() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """A channel in the staff group; calling the fixture returns the live events received since the last call."""
    channel = live_events.join_staff()
    yield lambda: live_events.drain(channel)
    live_events.leave_staff(channel)


@pytest.fixture
def subscribe_in_test() -> Iterator[Callable[[type[domain_events.DomainEvent], Callable[[Any], None]], None]]:
    """Subscribe a test's own handler to a domain event until the test ends (the apps' stay)."""
    added: list[tuple[type[domain_events.DomainEvent], Callable[[Any], None]]] = []

    def subscribe(event_type: type[domain_events.DomainEvent], handler: Callable[[Any], None]) -> None:
        domain_events.subscribe(event_type, handler)
        added.append((event_type, handler))

    yield subscribe
    for event_type, handler in added:
        domain_events.unsubscribe(event_type, handler)


# --- Browser tests: Debian's chromium driven by Playwright against pytest-django's live server ----

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture
def chromium() -> Iterator[object]:
    """Chromium for one test. Playwright's sync API runs an event loop in this thread while it is
    open, so it is opened per test: no later test inherits the loop (async_to_sync and async tests
    would break)."""
    import os

    from playwright.sync_api import sync_playwright

    # Django's ORM refuses to run in a thread with a running loop; the test code is synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(chromium: object) -> Iterator[object]:
    """A fresh browser tab (phone-sized screens are tested by setting the viewport)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


@pytest.fixture
def portal_login(live_server: object, page: object) -> Callable[[StaffPersona], object]:
    """Sign ``persona`` in to the staff portal in ``page``; returns the page."""

    def login(persona: StaffPersona) -> object:
        page.goto(f"{live_server.url}/admin/login/")  # type: ignore[attr-defined]
        page.fill("#id_username", persona.email)  # type: ignore[attr-defined]
        page.fill("#id_password", persona.password)  # type: ignore[attr-defined]
        page.click("input[type=submit]")  # type: ignore[attr-defined]
        page.wait_for_selector("#site-name")  # type: ignore[attr-defined]
        return page

    return login


# --- A real Celery worker ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def _worker_process() -> Iterator[object]:
    """A worker for the tests of one module; stopped afterwards so that later tests which leave
    tasks queued on purpose (no worker) are not raced by it."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    log_path = Path(os.environ["AUTOLAB_TEST_LOG_DIR"]) / "celery-worker.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "autolab.settings.test", "CELERY_TASK_ALWAYS_EAGER": "false"}
    env.pop("DATABASE_URL", None)
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "autolab",
        "worker",
        "-P",
        "solo",
        "-l",
        "INFO",
        "--without-gossip",
        "--without-mingle",
    ]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    from autolab.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited: see {log_path}")
        if app.control.ping(timeout=0.5):
            break
    else:
        process.kill()
        raise RuntimeError(f"celery worker did not answer within 60s: see {log_path}")
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def celery_worker(_worker_process: object) -> Iterator[object]:
    """A real `celery worker` process; inside the test, tasks go to the broker, not run eagerly."""
    from autolab.celery import app

    app.conf.task_always_eager = False
    try:
        yield _worker_process
    finally:
        app.conf.task_always_eager = True
        _drain(app)


def _drain(app: Any, timeout: float = 20) -> None:
    """Wait until the worker has nothing queued, running or scheduled, twice in a row: a test ends
    when its own condition holds, and work it started (the email after an invoice) must not land in
    the next test's emptied tables. What is still there after ``timeout`` is purged."""
    broker = redis_lib.Redis.from_url(settings.CELERY_BROKER_URL)
    deadline, idle = time.monotonic() + timeout, 0
    while idle < 2 and time.monotonic() < deadline:
        inspect = app.control.inspect(timeout=0.5, limit=1)  # one worker: its reply ends the wait
        busy = broker.llen("celery") or any(
            tasks
            for reply in (inspect.active(), inspect.reserved(), inspect.scheduled())
            for tasks in (reply or {}).values()
        )
        idle = 0 if busy else idle + 1
        if busy:
            time.sleep(0.1)
    if idle < 2:
        app.control.purge()


# Modules whose tests run for tens of seconds, mostly waiting on processes they start (a whole
# `make run`, workers killed, daphne stopped, the engine restarted, browsers): collected first, so
# that under xdist they start at once beside the short tests instead of making the run's tail.
_LONG_FIRST = (
    "tests/devtools/",
    "tests/staffapp/test_accessibility.py",  # a 26 s test among its four: it made the tail
    "tests/faults/",
    "tests/chat/test_browser.py",
    "tests/staffapp/test_dashboard_browser.py",
    "tests/bookings/test_seller_browser.py",
    "tests/contract/test_fuzz.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid
        return next((n for n, prefix in enumerate(_LONG_FIRST) if path.startswith(prefix)), len(_LONG_FIRST))

    items.sort(key=rank)  # stable: the order inside each group is unchanged
