"""Every JSON success response of the OpenAPI schema names its fields: no bare ``object``."""

from __future__ import annotations

from typing import Any

import pytest


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _names_its_fields(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    """An object with properties, or a choice (oneOf/anyOf) of such objects."""
    schema = _resolve(document, schema)
    choices = schema.get("oneOf") or schema.get("anyOf")
    if choices:
        return all(_names_its_fields(document, choice) for choice in choices)
    return bool(schema.get("properties"))


def _bare_success_bodies(document: dict[str, Any]) -> list[str]:
    bare = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for status, response in operation.get("responses", {}).items():
                body = response.get("content", {}).get("application/json")
                if status.startswith("2") and body is not None and not _names_its_fields(document, body["schema"]):
                    bare.append(f"{method.upper()} {path} ({operation['operationId']}) {status}")
    return bare


@pytest.mark.django_db
def test_every_success_body_names_its_fields(anon) -> None:
    document = anon.get("/api/schema/?format=json").json()
    assert _bare_success_bodies(document) == []
