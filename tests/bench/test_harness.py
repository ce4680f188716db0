"""The bench's shared helpers: a signed-in staff client, the success check, and the figures of a run."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.harness import Measurement, answered, measure, staff_client, table

pytestmark = pytest.mark.django_db


def test_a_bench_staff_client_is_signed_in_with_its_roles_and_can_be_made_again() -> None:
    staff_client("bench-support@autolab.test", ["CUSTOMER_SUPPORT"])
    staff = staff_client("bench-support@autolab.test", ["CUSTOMER_SUPPORT"])  # a second suite, same member

    me = answered(staff.client.get("/api/auth/me")).json()

    assert me["roles"] == ["CUSTOMER_SUPPORT"]
    assert me["userId"] == staff.user_id


def test_a_refused_request_stops_the_run() -> None:
    staff = staff_client("bench-mechanic@autolab.test", ["MECHANIC"])

    with pytest.raises(RuntimeError, match=r"^403"):
        answered(staff.client.get("/api/analytics"))


def test_the_figures_of_a_run_are_per_request() -> None:
    measured = Measurement.of("x", [float(n) for n in range(1, 21)], Counter(Query=40, Scan=2), notes="n")

    assert (measured.requests, measured.calls_per_request, measured.scans_per_request) == (20, 2.1, 0.1)
    assert measured.operations == {"Query": 2.0, "Scan": 0.1}
    assert (measured.ms_p50, measured.ms_p95) == (10.5, 20.0)


def test_a_measured_read_is_one_row_of_the_table() -> None:
    staff = staff_client("bench-support@autolab.test", ["CUSTOMER_SUPPORT"])

    # One client only: the test database is in memory, the bench's is a file shared by its threads.
    measured = measure("GET /api/auth/me", lambda i: answered(staff.client.get("/api/auth/me")), also_concurrent=False)

    (row,) = table([measured]).splitlines()[2:]
    assert row.startswith("| GET /api/auth/me | 1 | ")
