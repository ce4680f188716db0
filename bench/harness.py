"""Measuring requests: DynamoDB calls (by operation, Scans apart), and time per request.

Every AWS call PynamoDB makes goes through botocore's ``BaseClient._make_api_call``; the counter
wraps it for the duration of a measurement. Requests go through Django's test client in-process,
against the real local DynamoDB (DynamoDB Local, or moto's server for comparison) and Redis that
``bench/__main__.py`` starts.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient
from rest_framework.test import APIClient

_lock = threading.Lock()
_active: list[Counter] = []
# botocore-stubs leave out the private method every client call goes through.
_original_call = BaseClient._make_api_call  # type: ignore[attr-defined]


def _counting_call(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
    if self.meta.service_model.service_name == "dynamodb":
        with _lock:
            for counter in _active:
                counter[operation_name] += 1
    return _original_call(self, operation_name, api_params)


BaseClient._make_api_call = _counting_call  # type: ignore[attr-defined]


@contextmanager
def count_dynamodb_calls() -> Iterator[Counter]:
    """Counts DynamoDB operations made (by any thread) inside the block."""
    counter: Counter = Counter()
    with _lock:
        _active.append(counter)
    try:
        yield counter
    finally:
        with _lock:
            _active.remove(counter)


@dataclass
class Measurement:
    name: str
    requests: int
    calls_per_request: float
    scans_per_request: float
    operations: dict[str, float]
    ms_p50: float
    ms_p95: float
    concurrency: int = 1
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        name: str,
        durations_ms: list[float],
        operations: Mapping[str, int],
        *,
        concurrency: int = 1,
        notes: str = "",
    ) -> Measurement:
        """The figures of ``len(durations_ms)`` requests that made ``operations`` DynamoDB calls between them."""
        requests, ordered = len(durations_ms), sorted(durations_ms)
        return cls(
            name=name,
            requests=requests,
            calls_per_request=sum(operations.values()) / requests,
            scans_per_request=operations.get("Scan", 0) / requests,
            operations={op: count / requests for op, count in sorted(operations.items())},
            ms_p50=statistics.median(ordered),
            ms_p95=ordered[min(requests - 1, int(requests * 0.95))],
            concurrency=concurrency,
            notes=notes,
        )


CONCURRENT_CLIENTS = 20


def measure(
    name: str,
    request: Callable[[int], Any],
    *,
    repeat: int = 20,
    concurrency: int = 1,
    notes: str = "",
    also_concurrent: bool | None = None,
) -> Measurement:
    """Run ``request(i)`` ``repeat`` times (with ``concurrency`` threads) and measure each call.

    Reads (names starting "GET ") are measured again with 20 concurrent clients unless
    ``also_concurrent`` says otherwise; that figure is kept in ``extra["concurrent"]``.
    """
    result = _measure_once(name, request, repeat=repeat, concurrency=concurrency, notes=notes)
    if also_concurrent is None:
        also_concurrent = name.startswith("GET ") and concurrency == 1
    if also_concurrent:
        runs = max(repeat, 2 * CONCURRENT_CLIENTS)
        result.extra["concurrent"] = _measure_once(
            name, request, repeat=runs, concurrency=CONCURRENT_CLIENTS, notes=notes
        )
    return result


def _measure_once(
    name: str, request: Callable[[int], Any], *, repeat: int, concurrency: int, notes: str
) -> Measurement:
    """Run ``request(i)`` ``repeat`` times (with ``concurrency`` threads) and measure each call."""
    durations: list[float] = []

    def one(i: int) -> None:
        started = time.perf_counter()
        request(i)
        durations.append((time.perf_counter() - started) * 1000)

    with count_dynamodb_calls() as counter:
        if concurrency == 1:
            for i in range(repeat):
                one(i)
        else:
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                list(pool.map(one, range(repeat)))
    return Measurement.of(name, durations, counter, concurrency=concurrency, notes=notes)


def table(measurements: list[Measurement]) -> str:
    """A Markdown table of measurements."""
    lines = [
        "| endpoint | clients | DynamoDB calls/req | Scans/req | operations | p50 ms | p95 ms | notes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in _rows(measurements):
        lines.append(
            f"| {m.name} | {m.concurrency} | {m.calls_per_request:.2f} | {m.scans_per_request:.2f} | {_ops(m)} "
            f"| {m.ms_p50:.1f} | {m.ms_p95:.1f} | {m.notes} |"
        )
    return "\n".join(lines)


def _rows(measurements: list[Measurement]) -> list[Measurement]:
    return [m for measurement in measurements for m in (measurement, measurement.extra.get("concurrent")) if m]


def _ops(m: Measurement) -> str:
    return ", ".join(f"{op} {count:g}" for op, count in m.operations.items())


def side_by_side(local: list[Measurement], moto: list[Measurement]) -> str:
    """One row per endpoint and client count: DynamoDB Local's and moto's times and their ratio.

    Calls are the application's, so they match on both engines; where they differ both are shown."""
    lines = [
        "| endpoint | clients | DynamoDB calls/req | Scans/req | operations | DynamoDB Local p50 ms | p95 ms "
        "| moto p50 ms | p95 ms | moto ÷ Local (p50) | notes |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    by_key = {(m.name, m.concurrency): m for m in _rows(moto)}
    for a in _rows(local):
        b = by_key.get((a.name, a.concurrency))
        calls = f"{a.calls_per_request:.2f}"
        if b and abs(b.calls_per_request - a.calls_per_request) >= 0.005:
            calls += f" (moto {b.calls_per_request:.2f})"
        moto_cells = f"{b.ms_p50:.1f} | {b.ms_p95:.1f}" if b else "- | -"
        ratio = f"{b.ms_p50 / a.ms_p50:.1f}x" if b and a.ms_p50 > 0 else "-"
        lines.append(
            f"| {a.name} | {a.concurrency} | {calls} | {a.scans_per_request:.2f} | {_ops(a)} | {a.ms_p50:.1f} "
            f"| {a.ms_p95:.1f} | {moto_cells} | {ratio} | {a.notes} |"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class BenchStaff:
    client: APIClient
    user_id: str
    token: str


def staff_client(email: str, roles: Iterable[str]) -> BenchStaff:
    """A staff member with ``roles`` (created, or updated if a suite made them before) and an API
    client that sends their bearer token."""
    # Imported when called: a model takes its DynamoDB endpoint from settings when first imported, and
    # bench/__main__.py also imports this module in its parent process, which starts no engine.
    from django.contrib.auth import get_user_model

    from staffapp.services import staff_issue_token, staff_save

    staff, _ = staff_save(
        email=email, name=email.split("@")[0].title(), phone="0451237048", roles=roles, password="bench-pass-2030"
    )
    token = staff_issue_token(user=get_user_model().objects.get(username=email))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return BenchStaff(client, staff.user_id, token)


def answered(response: Any, status: int = 200) -> Any:
    """``response`` once it has ``status``; a suite that timed refusals would measure nothing, so
    anything else stops the run."""
    if response.status_code != status:
        raise RuntimeError(f"{response.status_code}: {response.content[:300]!r}")
    return response
