"""The audit trail: every staff action that changes a record writes one entry (who, what, when, the
fields before -> after), ARCHITECTURE.md §8.

Entries live in one table keyed by the record (``recordKey`` = ``<type>#<id>``, sort key ``at``),
so a record's history is one Query newest first, and by actor on a GSI (``actorId`` -> ``at``), so a
staff member's actions are one Query too. No Scan. Services call ``record`` right after their
conditional write succeeded; an entry is written once and never edited.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from autolab import pagination
from autolab.dynamodb import BaseMeta, DynamoModel, IntegerAttribute, table_name
from autolab.permissions import StaffIdentity

# Bookkeeping every write moves, and anything secret: never worth (or safe) showing as a change.
IGNORED_FIELDS = frozenset({"updatedAt", "version", "listKey"})
SECRET_WORDS = ("password", "token", "secret", "signature", "clientsecret")
_LONGEST_VALUE = 500  # characters of one value kept in an entry (a long note is cut, not dropped)


class AuditActorIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "actorId-at-index"
        projection = AllProjection()

    actor_id = UnicodeAttribute(hash_key=True, attr_name="actorId")
    at = UnicodeAttribute(range_key=True, attr_name="at")


class AuditEntry(DynamoModel):
    """Addition (docs/data-model.md): one staff change of one record."""

    logical_name = "AuditEntries"

    class Meta(BaseMeta):
        table_name = table_name("AuditEntries")

    record_key = UnicodeAttribute(hash_key=True, attr_name="recordKey")  # "appointment#<id>"
    # Microseconds since the epoch, zero-padded, plus a random tail: sorts by time, never collides.
    at = UnicodeAttribute(range_key=True, attr_name="at")
    created_at = IntegerAttribute(attr_name="createdAt")
    actor_id = UnicodeAttribute(attr_name="actorId")
    actor_name = UnicodeAttribute(attr_name="actorName", default="")
    action = UnicodeAttribute(attr_name="action")
    record_type = UnicodeAttribute(attr_name="recordType")
    record_id = UnicodeAttribute(attr_name="recordId")
    changes = UnicodeAttribute(attr_name="changes", default="{}")  # JSON {field: [before, after]}

    actor_index = AuditActorIndex()

    @property
    def changed(self) -> dict[str, list[Any]]:
        return json.loads(self.changes or "{}")


def record_key(record_type: str, record_id: str) -> str:
    return f"{record_type}#{record_id}"


def _secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def _plain(value: Any) -> Any:
    """A value as JSON keeps it (Decimals and sets as text), long text cut."""
    text = json.loads(json.dumps(value, default=str))
    if isinstance(text, str) and len(text) > _LONGEST_VALUE:
        return text[:_LONGEST_VALUE] + "…"
    return text


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Only the fields that changed, as ``[before, after]`` (None where a field was absent)."""
    changed = {}
    for name in sorted(set(before) | set(after)):
        if name in IGNORED_FIELDS or _secret(name):
            continue
        old, new = _plain(before.get(name)), _plain(after.get(name))
        if old != new:
            changed[name] = [old, new]
    return changed


def snapshot(item: DynamoModel | None, *, only: tuple[str, ...] = ()) -> dict[str, Any]:
    """A record's fields by their stored (camelCase) names (or just those ``only`` names), to diff
    before and after a write."""
    if item is None:
        return {}
    fields = item.serialize()
    return {name: _unwrap(value) for name, value in fields.items() if not only or name in only}


def _unwrap(value: dict[str, Any]) -> Any:
    """A DynamoDB-typed value as plain JSON; numbers exact (whole ones as int, others as text: money
    never passes through float)."""
    kind, inner = next(iter(value.items()))
    if kind == "N":
        return int(inner) if inner.lstrip("-").isdigit() else inner
    if kind in ("SS", "NS", "BS"):
        return sorted(inner)
    if kind == "L":
        return [_unwrap(element) for element in inner]
    if kind == "M":
        return {name: _unwrap(element) for name, element in inner.items()}
    if kind == "NULL":
        return None
    return inner


def record(
    actor: StaffIdentity | None,
    action: str,
    record_type: str,
    record_id: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    *,
    changes: Mapping[str, list[Any]] | None = None,
) -> AuditEntry | None:
    """Write the entry of one staff change (one PutItem), right after the change was stored. A
    write nobody on the staff made (a customer, a webhook, a task) is not audited: ``actor`` None
    writes nothing."""
    made = entry(actor, action, record_type, record_id, before, after, changes=changes)
    if made is not None:
        made.save()
    return made


def entry(
    actor: StaffIdentity | None,
    action: str,
    record_type: str,
    record_id: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    *,
    changes: Mapping[str, list[Any]] | None = None,
) -> AuditEntry | None:
    """The entry ``record`` writes, unsaved: for a service to put in the transaction of its change."""
    if actor is None:
        return None
    now = time.time()
    return AuditEntry(
        record_key=record_key(record_type, record_id),
        at=f"{int(now * 1_000_000):017d}#{uuid.uuid4().hex[:8]}",
        created_at=int(now),
        actor_id=actor.user_id,
        actor_name=actor.name,
        action=action,
        record_type=record_type,
        record_id=record_id,
        changes=json.dumps(diff(before or {}, after or {}) if changes is None else _plain(dict(changes))),
    )


def history_redact(record_type: str, record_id: str, fields: frozenset[str], placeholder: str) -> int:
    """Replace the before and after values of ``fields`` in every entry of a record's history with
    ``placeholder`` (an anonymised customer's data must not live on in the trail: APP 11.2); who
    changed what and when stays. Returns the entries rewritten; a re-run rewrites none."""
    written = 0
    for found in AuditEntry.query(record_key(record_type, record_id)):
        changed = found.changed
        redacted = {
            name: [placeholder if value is not None else None for value in values] if name in fields else values
            for name, values in changed.items()
        }
        if redacted != changed:
            found.update(actions=[AuditEntry.changes.set(json.dumps(redacted))], condition=AuditEntry.at.exists())
            written += 1
    return written


@dataclass(frozen=True)
class Page:
    entries: list[AuditEntry]
    more: bool


def history(record_type: str, record_id: str, *, limit: int = 50) -> Page:
    """A record's entries, newest first (one Query)."""
    query = AuditEntry.query(record_key(record_type, record_id), scan_index_forward=False, limit=limit + 1)
    entries = list(query)
    return Page(entries=entries[:limit], more=len(entries) > limit)


def actor_page(actor_id: str, *, limit: int, cursor: str | None) -> pagination.Page[AuditEntry]:
    """One page of a staff member's actions, newest first, from where ``cursor`` stopped (one Query;
    a cursor of another member's list is refused)."""
    return pagination.paginate(
        AuditEntry.actor_index, actor_id, limit=limit, cursor=cursor, scope="audit-actor", scan_index_forward=False
    )


def by_actor(actor_id: str, *, limit: int = 100) -> Page:
    """A staff member's actions, newest first (one Query on the actor index)."""
    query = AuditEntry.actor_index.query(actor_id, scan_index_forward=False, limit=limit + 1)
    entries = list(query)
    return Page(entries=entries[:limit], more=len(entries) > limit)
