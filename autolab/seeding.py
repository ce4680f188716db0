"""Shared by every app's seeds: add an item only when its key is new, so re-seeding keeps edits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pynamodb.exceptions import TransactWriteError

from autolab.dynamodb import DynamoModel, failed_conditions, transaction

TRANSACTION_ITEMS = 100  # the most items DynamoDB takes in one TransactWriteItems


def put_missing(items: Iterable[DynamoModel], label: str) -> str:
    """Create each item unless one with its key exists; one summary line.

    One transaction per 100 items, each put conditioned on its key being new, so an edit is never
    overwritten: a fresh table is seeded in one call, not one per item. A cancelled transaction
    says which keys exist; the others are put again without them."""
    items = list(items)
    created = sum(
        _put_new(items[start : start + TRANSACTION_ITEMS]) for start in range(0, len(items), TRANSACTION_ITEMS)
    )
    return f"{label}: {created} created, {len(items) - created} already present (kept)"


def _put_new(items: Sequence[DynamoModel]) -> int:
    """Put those of ``items`` whose key is new, in order; returns how many were put. A transaction
    cancelled for anything but existing keys (one colliding with another seed's, on AWS) is
    raised: nothing of it was written, and the seed can be run again."""
    while items:
        try:
            with transaction() as write:
                for item in items:
                    write.save(item, condition=type(item)._hash_key_attribute().does_not_exist())
        except TransactWriteError as error:
            present = failed_conditions(error)
            if not present:
                raise
            items = [item for at, item in enumerate(items) if at not in present]
        else:
            return len(items)
    return 0
