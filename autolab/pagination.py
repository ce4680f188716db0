"""Cursor paging for every list: one page type and one pager over the partitions of an index.

A list lives in one partition of an index (a customer's orders) or in several read in turn (the
five appointment statuses, the months of a date range, the mailbox's months). A cursor is the
signed JSON of where the last page stopped: the partition, DynamoDB's key inside it and the scope
it was issued for (e.g. a date range), so a client can hand it back but not forge one, and a
cursor of another list, partition or range is refused (400) before DynamoDB sees it (a 5xx there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core import signing

from autolab.exceptions import ValidationError

_SALT = "autolab.pagination"
INVALID = "Invalid cursor"
T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(state: dict[str, Any] | None) -> str | None:
    if not state:
        return None
    return signing.dumps(state, salt=_SALT, compress=True)


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        state = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature as exc:
        raise ValidationError(INVALID) from exc
    if not isinstance(state, dict):
        raise ValidationError(INVALID)
    return state


@dataclass(frozen=True)
class Position:
    """Where a walk stands after an item: its partition, and DynamoDB's key to resume after it
    (None once the partition has nothing more)."""

    partition: int
    key: dict[str, Any] | None


class Partitions:
    """A list kept in ``values`` partitions of ``index`` (a PynamoDB index), read in that order."""

    def __init__(self, index: Any, values: Sequence[str], *, scope: str = "") -> None:
        self.index = index
        self.values = list(values)
        self.scope = scope
        model = index._model
        keys = [model._hash_key_attribute(), model._range_key_attribute()]
        keys += [
            attribute for attribute in index.Meta.attributes.values() if attribute.is_hash_key or attribute.is_range_key
        ]
        self._key_types = {attribute.attr_name: attribute.attr_type for attribute in keys if attribute is not None}
        self._hash_name = index._hash_key_attribute().attr_name

    def page(
        self,
        *,
        limit: int,
        cursor: str | None,
        page_size: int | None = None,
        keep: Callable[[Any], bool] | None = None,
        **query: Any,
    ) -> Page[Any]:
        """Up to ``limit`` items (those ``keep`` accepts) from where ``cursor`` stopped; ``query``
        is passed to every Query (range_key_condition, filter_condition, scan_index_forward)."""
        items: list[Any] = []
        for item, position in self.walk(cursor, page_size=page_size or limit, **query):
            if keep is not None and not keep(item):
                continue
            items.append(item)
            if len(items) >= limit:
                return Page(items, self.cursor_after(position))
        return Page(items)

    def walk(self, cursor: str | None, *, page_size: int, **query: Any) -> Iterator[tuple[Any, Position]]:
        """Every item from where ``cursor`` stopped, partition after partition, each with the
        position after it; the caller stops when its page is full (nothing more is read)."""
        start, key = self._start(cursor)
        for partition in range(start, len(self.values)):
            results = self.index.query(self.values[partition], last_evaluated_key=key, page_size=page_size, **query)
            for item in results:
                # Mid-page, PynamoDB rebuilds the key from this item; at a page's end it is DynamoDB's own.
                yield item, Position(partition, results.last_evaluated_key)
            key = None

    def cursor_after(self, position: Position) -> str | None:
        """The cursor of the page that starts after ``position``; None when nothing follows."""
        partition, key = position.partition, position.key
        if key is None:
            partition += 1
        if partition >= len(self.values):
            return None
        return encode_cursor({"p": self.values[partition], "k": key, "s": self.scope})

    def _start(self, cursor: str | None) -> tuple[int, dict[str, Any] | None]:
        state = decode_cursor(cursor)
        if state is None:
            return 0, None
        if set(state) != {"p", "k", "s"} or state["s"] != self.scope or state["p"] not in self.values:
            raise ValidationError(INVALID)
        key = state["k"]
        if key is not None and not self._is_key_of(key, state["p"]):
            raise ValidationError(INVALID)
        return self.values.index(state["p"]), key

    def _is_key_of(self, key: Any, partition: str) -> bool:
        """Whether ``key`` has exactly this index's key attributes, typed, in ``partition``."""
        if not isinstance(key, dict) or set(key) != set(self._key_types) or key[self._hash_name] != {"S": partition}:
            return False
        return all(
            isinstance(value, dict)
            and set(value) == {self._key_types[name]}
            and isinstance(value[self._key_types[name]], str)
            for name, value in key.items()
        )


def paginate(
    index: Any,
    partition: str,
    *,
    limit: int,
    cursor: str | None,
    scope: str = "",
    **query: Any,
) -> Page[Any]:
    """One page of the list in one partition of ``index`` (see ``Partitions.page``)."""
    return Partitions(index, [partition], scope=scope).page(limit=limit, cursor=cursor, **query)
