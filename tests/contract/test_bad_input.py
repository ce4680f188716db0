"""Every POST and PATCH of the OpenAPI schema, fed wrong types, missing fields, 100 KB strings,
unicode and injection-looking strings: always a 4xx with a message for bad input, never a 5xx, and
bad input writes nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

from autolab import dynamodb

INJECTIONS = [
    "'; DROP TABLE Appointments; --",
    "<script>alert(1)</script>",
    "{{7*7}} ${7*7}",
    "../../etc/passwd",
    "\u0000",
]
UNICODE = ["Zoë Ångström 🚗 日本語 עברית", "\u202eevil", "e\u0301"]


def _operations(client: APIClient) -> list[tuple[str, str, dict[str, Any]]]:
    document = client.get("/api/schema/?format=json").json()
    operations = []
    for path, methods in document["paths"].items():
        for method in ("post", "patch"):
            operation = methods.get(method)
            if not operation:
                continue
            content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            body_schema = _resolve(document, content.get("schema", {}))
            operations.append((method, path, body_schema))
    return operations


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _url(path: str) -> str:
    # Unknown ids: bad input must be refused before anything is looked up or written.
    parts = [str(uuid.uuid4()) if part.startswith("{") else part for part in path.split("/")]
    return "/".join(parts)


def _wrong_value(prop: dict) -> Any:
    kind = prop.get("type")
    if kind in ("integer", "number"):
        return "not-a-number"
    if kind == "boolean":
        return {"not": "a boolean"}
    if kind == "array":
        return "not-a-list"
    if kind == "object":
        return 12345
    return {"not": "a string"}


def _item_counts() -> dict[str, int]:
    client = dynamodb.connection().client
    return {
        model.logical_name: client.scan(TableName=model.Meta.table_name, Select="COUNT")["Count"]
        for model in dynamodb.registered_models()
    }


def _bad_bodies(schema: dict) -> list[tuple[str, Any]]:
    properties = schema.get("properties", {})
    if not properties:
        return []  # the operation takes no body
    bodies: list[tuple[str, Any]] = [("not an object", ["a", "list"])]
    if schema.get("required"):
        bodies.append(("missing fields", {}))
    for name, prop in properties.items():
        if prop.get("readOnly"):
            continue
        bodies.append((f"{name}: wrong type", {name: _wrong_value(prop)}))
        if prop.get("type") == "string" and not prop.get("enum") and not prop.get("format"):
            bodies.append((f"{name}: 100 KB", {name: "x" * 100_000}))
    return bodies


def _assert_refused(response: Any, label: str) -> None:
    assert 400 <= response.status_code < 500, (label, response.status_code, response.content[:300])
    body = response.json()
    assert body.get("success") is False, (label, body)
    assert isinstance(body.get("message"), str), (label, body)
    assert body["message"], (label, body)


@pytest.fixture
def callers(make_staff, fake_stripe: object) -> list[APIClient]:
    staff = make_staff("ADMIN", "MECHANIC", "CUSTOMER_SUPPORT", "CLERK", email="everything@autolab.test")
    return [APIClient(), staff.api()]


@pytest.mark.django_db
def test_bad_input_is_refused_with_a_message_and_writes_nothing(callers: list[APIClient]) -> None:
    operations = _operations(callers[0])
    assert len(operations) >= 15, "expected the POST and PATCH endpoints of every app in the schema"
    before = _item_counts()
    for method, path, schema in operations:
        for label, body in _bad_bodies(schema):
            for client in callers:
                response = getattr(client, method)(_url(path), body, format="json")
                _assert_refused(response, f"{method.upper()} {path} [{label}]")
    assert _item_counts() == before


@pytest.mark.django_db
def test_unicode_and_injection_strings_never_cause_a_server_error(callers: list[APIClient]) -> None:
    for method, path, schema in _operations(callers[0]):
        strings = [name for name, prop in schema.get("properties", {}).items() if prop.get("type") == "string"]
        for name in strings:
            for value in INJECTIONS + UNICODE:
                for client in callers:
                    response = getattr(client, method)(_url(path), {name: value}, format="json")
                    assert response.status_code < 500, (method, path, name, value, response.content[:300])
