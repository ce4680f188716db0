"""Atomic scheduling: the appointment, its capacity buckets, its mechanic and the day's blocks
change in ONE DynamoDB transaction, so concurrent requests can never overbook.

* ``SlotLoad[date].bHHMM`` counts scheduled jobs per 30-minute bucket; adding a job is
  conditioned on ``count < capacity``.
* ``MechanicDay[mechanicId#date].bHHMM`` names the job holding the mechanic; taking it is
  conditioned on ``attribute_not_exists`` (or being the same job).
* ``UnavailableSlots[date].version`` is condition-checked, so a period blocked after we read the
  blocks makes the schedule fail instead of landing in it.
* The appointment itself is conditioned on its ``version`` (optimistic locking).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action

from autolab.dynamodb import connection
from autolab.exceptions import Conflict
from bookings.models import Appointment, MechanicDay, SlotLoad, UnavailableSlot
from bookings.slots import Interval


@dataclass(frozen=True)
class Placement:
    """Where a scheduled appointment holds capacity (and its mechanic, if assigned)."""

    date: str
    interval: Interval
    mechanic_id: str | None
    status: str


@dataclass(frozen=True)
class BlockRead:
    """The UnavailableSlots item version the scheduling decision was based on (None: no item)."""

    date: str
    version: int | None


def placement_of(appointment: Appointment) -> Placement | None:
    slot = appointment.scheduled_time_slot
    if slot is None:
        return None
    return Placement(
        slot.date, Interval.parse(slot.start, slot.end), appointment.assigned_mechanic_id, appointment.status
    )


def job_attribute(appointment_id: str) -> str:
    return f"j_{appointment_id}"


class _Expression:
    """Collects one raw UpdateItem: SET/REMOVE/ADD clauses, conditions, names and values."""

    def __init__(self) -> None:
        self.sets: list[str] = []
        self.removes: list[str] = []
        self.adds: list[str] = []
        self.conditions: list[str] = []
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def name(self, attribute: str) -> str:
        placeholder = f"#n{len(self.names)}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = {"N": str(value)} if isinstance(value, int) else {"S": str(value)}
        return placeholder

    def is_empty(self) -> bool:
        return not (self.sets or self.removes or self.adds)

    def as_update(self, table: str, key: dict[str, Any]) -> dict[str, Any]:
        clauses = []
        if self.sets:
            clauses.append("SET " + ", ".join(self.sets))
        if self.removes:
            clauses.append("REMOVE " + ", ".join(self.removes))
        if self.adds:
            clauses.append("ADD " + ", ".join(self.adds))
        item: dict[str, Any] = {"TableName": table, "Key": key, "UpdateExpression": " ".join(clauses)}
        if self.conditions:
            item["ConditionExpression"] = " AND ".join(f"({c})" for c in self.conditions)
        item["ExpressionAttributeNames"] = self.names
        if self.values:
            item["ExpressionAttributeValues"] = self.values
        return item


def _bucket_deltas(date: str, old: Placement | None, new: Placement | None) -> Counter:
    deltas: Counter = Counter()
    if new and new.date == date:
        deltas.update(dict.fromkeys(new.interval.buckets(), 1))
    if old and old.date == date:
        deltas.subtract(dict.fromkeys(old.interval.buckets(), 1))
    return deltas


def _slot_load_update(
    appointment_id: str, date: str, old: Placement | None, new: Placement | None, capacity: int
) -> dict | None:
    expression = _Expression()
    for bucket, delta in sorted(_bucket_deltas(date, old, new).items()):
        if delta == 0:
            continue
        name = expression.name(f"b{bucket}")
        expression.adds.append(f"{name} {expression.value(delta)}")
        if delta > 0:
            expression.conditions.append(
                f"attribute_not_exists({name}) OR {name} < {expression.value(capacity - delta + 1)}"
            )
    job = expression.name(job_attribute(appointment_id))
    if new and new.date == date:
        expression.sets.append(f"{job} = {expression.value(f'{new.interval.label}|{new.status}')}")
    elif old and old.date == date:
        expression.removes.append(job)
    return expression.as_update(SlotLoad.Meta.table_name, {"date": {"S": date}})


def _mechanic_update(appointment_id: str, mechanic_day: str, take: set[str], release: set[str]) -> dict | None:
    expression = _Expression()
    holder = expression.value(appointment_id)
    for bucket in sorted(take):
        name = expression.name(f"b{bucket}")
        expression.sets.append(f"{name} = {holder}")
        expression.conditions.append(f"attribute_not_exists({name}) OR {name} = {holder}")
    for bucket in sorted(release - take):
        expression.removes.append(expression.name(f"b{bucket}"))
    if expression.is_empty():
        return None
    if not expression.conditions:
        expression.values.pop(holder)
    return expression.as_update(MechanicDay.Meta.table_name, {"mechanicDay": {"S": mechanic_day}})


def _mechanic_buckets(placement: Placement | None) -> dict[str, set[str]]:
    if placement is None or not placement.mechanic_id:
        return {}
    return {f"{placement.mechanic_id}#{placement.date}": set(placement.interval.buckets())}


def _mechanic_updates(appointment_id: str, old: Placement | None, new: Placement | None) -> list[dict]:
    old_days, new_days = _mechanic_buckets(old), _mechanic_buckets(new)
    updates = []
    for mechanic_day in sorted(old_days.keys() | new_days.keys()):
        update = _mechanic_update(
            appointment_id, mechanic_day, new_days.get(mechanic_day, set()), old_days.get(mechanic_day, set())
        )
        if update:
            updates.append(update)
    return updates


def _block_check(block: BlockRead) -> dict:
    names = {"#d": "date", "#v": "version"}
    if block.version is None:
        return {
            "TableName": UnavailableSlot.Meta.table_name,
            "Key": {"date": {"S": block.date}},
            "ConditionExpression": "attribute_not_exists(#d)",
            "ExpressionAttributeNames": {"#d": "date"},
        }
    return {
        "TableName": UnavailableSlot.Meta.table_name,
        "Key": {"date": {"S": block.date}},
        "ConditionExpression": "attribute_not_exists(#d) OR #v = :v",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": {":v": {"N": str(block.version)}},
    }


_FAILURES = {
    "block": "That time was just blocked; choose another slot",
    "appointment": "The appointment was changed by someone else; reload it and try again",
    "load": "That time slot is fully booked",
    "mechanic": "The mechanic already has a job at that time",
}


def commit(
    appointment: Appointment,
    actions: list[Action],
    *,
    old: Placement | None,
    new: Placement | None,
    capacity: int,
    block: BlockRead | None,
    condition: Any = None,
) -> None:
    """Write the appointment ``actions`` and move its reservations from ``old`` to ``new`` atomically.

    Raises Conflict (409) naming what stopped it: a stale appointment, a full slot, a busy
    mechanic, or a block added meanwhile.
    """
    labels: list[str] = []
    checks = []
    if block is not None:
        checks.append(_block_check(block))
        labels.append("block")
    updates = [appointment.get_update_kwargs_from_instance(actions=actions, condition=condition)]
    labels.append("appointment")
    for date in sorted({p.date for p in (old, new) if p}):
        updates.append(_slot_load_update(appointment.appointment_id, date, old, new, capacity))
        labels.append("load")
    mechanic_updates = _mechanic_updates(appointment.appointment_id, old, new)
    updates.extend(mechanic_updates)
    labels.extend(["mechanic"] * len(mechanic_updates))
    try:
        connection().transact_write_items(
            condition_check_items=checks, delete_items=[], put_items=[], update_items=updates
        )
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        raise Conflict(_failure_message(error, labels)) from error
    appointment.update_local_version_attribute()


def _failure_message(error: TransactWriteError, labels: list[str]) -> str:
    reasons = error.cancellation_reasons or []
    for label, reason in zip(labels, reasons, strict=False):
        if reason is not None and reason.code == "ConditionalCheckFailed":
            return _FAILURES[label]
    return "Another change got there first; reload and try again"
