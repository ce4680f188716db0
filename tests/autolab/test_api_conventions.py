"""The {"success": ...} envelope, each error status, cursors and the health endpoint."""

from __future__ import annotations

import pytest
from django.test import override_settings

from autolab.pagination import encode_cursor
from devtools.services import start_redis

pytestmark = pytest.mark.urls("tests.autolab.error_urls")


def test_success_envelope(anon) -> None:
    response = anon.post("/t/echo", {"name": "Ann", "count": 2}, format="json")
    assert response.status_code == 200
    assert response.json() == {"success": True, "echo": {"name": "Ann", "count": 2}}


@pytest.mark.parametrize(
    ("body", "message_part"),
    [
        ({"count": 2}, "name"),
        ({"name": "x" * 100_000, "count": 2}, "name"),
        ({"name": "Ann", "count": "many"}, "count"),
        ({"name": ["not", "a", "string"], "count": 1}, "name"),
    ],
)
def test_bad_input_is_400_naming_the_field(anon, body: dict, message_part: str) -> None:
    response = anon.post("/t/echo", body, format="json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["success"] is False
    assert message_part in payload["message"]


def test_malformed_json_is_400(anon) -> None:
    response = anon.post("/t/echo", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["success"] is False


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/t/conflict", 409, "Slot taken"),
        ("/t/limit", 429, "Daily limit reached"),
        ("/t/forbidden", 403, "Not yours"),
        ("/t/missing", 404, "Appointment not found"),
    ],
)
def test_application_errors_map_to_statuses(anon, path: str, status: int, message: str) -> None:
    response = anon.get(path)
    assert response.status_code == status
    assert response.json() == {"success": False, "message": message}


def test_django_404_is_enveloped(anon) -> None:
    response = anon.get("/t/http404")
    assert response.status_code == 404
    assert response.json()["success"] is False


def test_wrong_method_is_405_enveloped(anon) -> None:
    response = anon.delete("/t/echo")
    assert response.status_code == 405
    assert response.json()["success"] is False


def test_permission_table_guards_api(make_staff, anon) -> None:
    assert anon.get("/t/admin").status_code == 401
    assert make_staff("CLERK").api().get("/t/admin").status_code == 403
    assert make_staff("ADMIN").api().get("/t/admin").status_code == 200


def test_cursor_round_trip_and_tampering(anon) -> None:
    cursor = encode_cursor({"appointmentId": {"S": "a1"}})
    assert anon.get("/t/cursor", {"cursor": cursor}).json()["key"] == {"appointmentId": {"S": "a1"}}
    tampered = anon.get("/t/cursor", {"cursor": cursor[:-3] + "abc"})
    assert tampered.status_code == 400
    assert tampered.json() == {"success": False, "message": "Invalid cursor"}


def test_health_is_ok_when_dynamodb_and_redis_answer(anon) -> None:
    response = anon.get("/api/health")
    assert response.status_code == 200
    assert response.json()["checks"] == {"dynamodb": True, "redis": True}


def test_health_reports_a_stopped_redis(anon) -> None:
    redis = start_redis()
    with override_settings(REDIS_URL=redis.url):
        assert anon.get("/api/health").status_code == 200
        redis.stop()
        response = anon.get("/api/health")
    assert response.status_code == 503
    assert response.json()["checks"] == {"dynamodb": True, "redis": False}
    assert response.json()["message"] == "Unreachable: redis"


def test_health_reports_an_unreachable_dynamodb(anon, settings) -> None:
    from autolab import dynamodb
    from devtools.services import free_port

    original = dynamodb.registered_models()[0].Meta.host
    dynamodb.configure(endpoint_url=f"http://127.0.0.1:{free_port()}")
    try:
        response = anon.get("/api/health")
    finally:
        dynamodb.configure(endpoint_url=original)
    assert response.status_code == 503
    assert response.json()["checks"]["dynamodb"] is False


def test_openapi_schema_and_docs_are_served(anon) -> None:
    schema = anon.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/auth/token" in schema.content
    assert anon.get("/api/docs/").status_code == 200


def test_every_response_carries_a_request_id(anon) -> None:
    response = anon.get("/api/health", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    assert len(anon.get("/api/health")["X-Request-ID"]) == 32


def test_production_log_lines_are_json_with_the_request_id(anon) -> None:
    import io
    import json
    import logging

    from autolab.logging import JsonFormatter
    from autolab.middleware import RequestIdFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        anon.get("/t/missing", HTTP_X_REQUEST_ID="req-42")
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue().splitlines()[0])
    assert line["request_id"] == "req-42"
    assert line["level"] == "WARNING"
    assert "/t/missing" in line["message"]
