"""Deeply nested JSON is a 400 with a message on every JSON endpoint and on the SES webhook, never
a 500 RecursionError, and never accepted; the SES webhook's own parsing: tests/emails/test_ses_webhook_trust.py (issue 20 item 13, issue 13 item 5)."""

from __future__ import annotations

import pytest

DEPTH_MESSAGE = "JSON parse error - JSON is nested deeper than 32 levels"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def junk_body(depth: int) -> str:
    return '{"userName": "Dan", "junk": ' + nested(depth) + "}"


JSON_ENDPOINTS = [
    ("post", "/api/users/register"),
    ("post", "/api/appointments"),
    ("post", "/api/orders"),
    ("post", "/api/inquiries"),
    ("post", "/api/messages"),
    ("post", "/api/payments/stripe/intent"),
    ("post", "/api/auth/token"),
]


@pytest.mark.parametrize("depth", [40, 100_000])
def test_register_with_deeply_nested_junk_is_a_400(anon, depth):
    response = anon.post("/api/users/register", data=junk_body(depth), content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"success": False, "message": DEPTH_MESSAGE}


def test_register_with_an_ordinary_body_still_works(anon):
    response = anon.post("/api/users/register", data=junk_body(3), content_type="application/json")

    assert response.status_code == 201
    assert response.json()["user"]["userName"] == "Dan"


@pytest.mark.parametrize(("method", "path"), JSON_ENDPOINTS)
def test_every_json_endpoint_refuses_deep_nesting_with_a_400(anon, method, path):
    response = getattr(anon, method)(path, data=nested(50_000), content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"success": False, "message": DEPTH_MESSAGE}


def test_staff_endpoints_refuse_deep_nesting_with_a_400(admin):
    response = admin.api().post("/api/emails", data=junk_body(5_000), content_type="application/json")

    assert response.status_code == 400
    assert response.json()["message"] == DEPTH_MESSAGE
