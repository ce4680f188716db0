"""Opaque cursors over DynamoDB's LastEvaluatedKey, for every list endpoint.

A cursor is the signed JSON of the key, so a client can hand it back but not forge one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core import signing

from autolab.exceptions import ValidationError

_SALT = "autolab.pagination"
T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    return signing.dumps(last_evaluated_key, salt=_SALT, compress=True)


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        key = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature as exc:
        raise ValidationError("Invalid cursor") from exc
    if not isinstance(key, dict):
        raise ValidationError("Invalid cursor")
    return key


def paginate(query: Callable[..., Any], *, limit: int, cursor: str | None, **kwargs: Any) -> Page:
    """Run a PynamoDB ``query`` (model or index) for one page of at most ``limit`` items."""
    results = query(limit=limit, last_evaluated_key=decode_cursor(cursor), **kwargs)
    items = list(results)
    next_key = results.last_evaluated_key if len(items) >= limit else None
    return Page(items=items, next_cursor=encode_cursor(next_key))
