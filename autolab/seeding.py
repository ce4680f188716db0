"""Shared by every app's seeds: add an item only when its key is new, so re-seeding keeps edits."""

from __future__ import annotations

from collections.abc import Iterable

from pynamodb.exceptions import PutError

from autolab.dynamodb import DynamoModel, condition_failed


def put_missing(items: Iterable[DynamoModel], label: str) -> str:
    """Create each item unless one with its key exists; one summary line."""
    created = kept = 0
    for item in items:
        hash_key = type(item)._hash_key_attribute()
        try:
            item.save(condition=hash_key.does_not_exist())
        except PutError as error:
            if not condition_failed(error):
                raise
            kept += 1
        else:
            created += 1
    return f"{label}: {created} created, {kept} already present (kept)"
