"""Atomic scheduling: the appointment, its capacity buckets, its mechanic and the day's blocks
change in ONE DynamoDB transaction, so concurrent requests can never overbook.

* ``SlotLoad[date].bHHMM`` counts scheduled jobs per 30-minute bucket; adding a job is
  conditioned on ``count < capacity``.
* ``MechanicDay[mechanicId#date].bHHMM`` names the job holding the mechanic; taking it is
  conditioned on ``attribute_not_exists`` (or being the same job).
* ``UnavailableSlots[date].version`` is condition-checked, so a period blocked after we read the
  blocks makes the schedule fail instead of landing in it.
* The appointment itself is conditioned on its ``version`` (optimistic locking).

Paid first choices (§3.2 of the original): when a PENDING appointment is paid, its priority-1
preferred slot is *held* in the same transaction as the payment: it takes a place in
``SlotLoad`` (``j_<id>`` = ``"HH:MM-HH:MM|PENDING"``) under the same capacity condition as
scheduling, and the appointment records it in ``heldSlot``. So two payments for the last place
cannot both hold it: the second finds the slot full and is recorded as paid without a hold
(the money is already taken; staff schedule it elsewhere). Scheduling the appointment moves the
hold to the scheduled slot; cancelling it, reverting or refunding its payment releases it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import VersionAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.operand import Path, Value
from pynamodb.expressions.update import Action, RemoveAction, SetAction

from autolab import clock
from autolab.batch import BatchRead
from autolab.dynamodb import conflicted, connection, failed_conditions, retry_on_conflict
from autolab.exceptions import Conflict
from autolab.workflow import PaymentStatus
from bookings import selectors
from bookings.models import Appointment, AppointmentStatus, MechanicDay, ScheduledTimeSlot, SlotLoad, UnavailableSlot
from bookings.slots import Interval

if TYPE_CHECKING:
    from autolab.audit import AuditEntry
    from emails.services import OutboxEmail


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


# The status in which a paid appointment holds its first choice (and the status its SlotLoad entry shows).
HELD_STATUS = AppointmentStatus.PENDING


def held_of(appointment: Appointment) -> Placement | None:
    """The place a paid PENDING appointment holds for its first choice, if any."""
    slot = appointment.held_slot
    if slot is None or appointment.scheduled_time_slot is not None:
        return None
    try:
        return Placement(slot.date, Interval.parse(slot.start, slot.end), None, HELD_STATUS)
    except ValueError:
        return None


def first_choice(appointment: Appointment) -> Placement | None:
    """The priority-1 preferred slot, today or later, as a place to hold (None if unusable)."""
    chosen = next((slot for slot in appointment.selected_slots or [] if slot.priority == 1), None)
    if chosen is None or not isinstance(chosen.date, str) or chosen.date < clock.business_date_str():
        return None
    try:
        return Placement(chosen.date, Interval.parse(chosen.start, chosen.end), None, HELD_STATUS)
    except ValueError:
        return None


@dataclass(frozen=True)
class Hold:
    """What paying adds to its transaction so the first choice is held."""

    placement: Placement
    actions: list[Action]
    slot_update: dict[str, Any]


def hold_for_payment(appointment: Appointment, *, used: int, capacity: int) -> Hold | None:
    """The hold a payment of ``appointment`` takes, when its first choice has room (``used`` of
    ``capacity`` as last read; the write re-checks it). None: nothing to hold, or full."""
    placement = first_choice(appointment)
    if (
        placement is None
        or appointment.status != HELD_STATUS
        or appointment.scheduled_time_slot is not None
        or appointment.held_slot is not None
        or used >= capacity
    ):
        return None
    start, end = placement.interval.label.split("-")
    actions = [Appointment.held_slot.set(ScheduledTimeSlot(date=placement.date, start=start, end=end))]
    update = _slot_load_update(appointment.appointment_id, placement.date, None, placement, capacity)
    return Hold(placement, actions, update)


def payment_hold(appointment: Appointment) -> Hold | None:
    """The hold paying ``appointment`` should take now: its first choice, if that has room."""
    placement = first_choice(appointment)
    if placement is None:
        return None
    # Strongly consistent: a payment that just took the last place must be seen as such.
    state = selectors.day_states_with([placement.date], BatchRead(), consistent=True)[0][placement.date]
    return hold_for_payment(appointment, used=state.used(placement.interval), capacity=selectors.booking_capacity())


def commit_payment(
    appointment: Appointment, actions: list[Action], *, condition: Any, puts: list[Any], hold: Hold | None
) -> None:
    """The payment write of an appointment: its ``actions`` (plus the hold's), ``puts`` (models to
    save, e.g. the pending-invoice marker) and the hold's place in SlotLoad, in ONE transaction.
    Raises TransactWriteError like any transaction (billing re-reads and decides again)."""
    updates = [
        appointment.get_update_kwargs_from_instance(
            actions=actions + (hold.actions if hold else []), condition=condition
        )
    ]
    if hold is not None:
        updates.append(hold.slot_update)
    connection().transact_write_items(
        condition_check_items=[],
        delete_items=[],
        put_items=[item.get_save_kwargs_from_instance() for item in puts],
        update_items=updates,
    )


def holds_backfill() -> Iterator[str]:
    """Hold the first choice of paid PENDING appointments paid before holds existed, earliest
    payment first, while the slot has room (run once after deploying; safe to run again)."""
    rule = (Appointment.payment_status == PaymentStatus.PAID) & Appointment.held_slot.does_not_exist()
    pending = Appointment.status_index.query(HELD_STATUS, filter_condition=rule)
    waiting = [a for a in pending if not a.scheduled_time_slot]
    waiting.sort(key=lambda a: (a.paid_at or a.payment_confirmed_at or a.updated_at or 0, a.appointment_id))
    for appointment in waiting:
        hold = payment_hold(appointment)
        if hold is None:
            yield f"{appointment.appointment_id}: nothing held (no usable first choice, or it is full)"
            continue
        still = (
            (Appointment.payment_status == PaymentStatus.PAID)
            & (Appointment.status == HELD_STATUS)
            & Appointment.held_slot.does_not_exist()
        )
        update = appointment.get_update_kwargs_from_instance(actions=hold.actions, condition=still)
        try:
            connection().transact_write_items(
                condition_check_items=[], delete_items=[], put_items=[], update_items=[update, hold.slot_update]
            )
        except TransactWriteError as error:
            if not conflicted(error):
                raise
            yield f"{appointment.appointment_id}: changed meanwhile or the slot filled up; not held"
            continue
        yield f"{appointment.appointment_id}: holds {hold.placement.date} {hold.placement.interval.label}"


def hold_release(appointment_id: str) -> bool:
    """Give back the place an appointment holds once it is no longer a paid PENDING one (payment
    reverted or refunded). Idempotent; True when a hold was released here."""

    def attempt() -> bool:  # a conflict: the appointment changed meanwhile, so look again
        appointment = Appointment.get_or_none(appointment_id, consistent_read=True)
        if appointment is None:
            return False
        held = held_of(appointment)
        if held is None or (appointment.payment_status == PaymentStatus.PAID and appointment.status == HELD_STATUS):
            return False
        update = appointment.get_update_kwargs_from_instance(
            actions=[Appointment.held_slot.remove()], condition=Appointment.held_slot.exists()
        )
        release = _slot_load_update(appointment_id, held.date, held, None, 0)
        connection().transact_write_items(
            condition_check_items=[], delete_items=[], put_items=[], update_items=[update, release]
        )
        return True

    changed = Conflict("The appointment changed while its held slot was being released; please try again")
    return retry_on_conflict(attempt, attempts=5, or_raise=changed)


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
) -> dict[str, Any]:
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
    "email": "This change was just made by someone else; reload and try again",
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
    release_hold: bool = False,
    email: OutboxEmail | None = None,
    audit_entry: AuditEntry | None = None,
) -> bool:
    """Write the appointment ``actions`` and move its reservations from ``old`` to ``new`` atomically,
    with the customer ``email`` of the change (outbox) and its ``audit_entry`` in the same transaction.

    Raises Conflict (409) naming what stopped it: a stale appointment, a full slot, a busy
    mechanic, or a block added meanwhile. Returns True when ``appointment`` in memory now
    matches what was stored (see ``apply_locally``).

    A held first choice (see the module doc) is given up here when the appointment gets a
    schedule (``new``) or ``release_hold`` says so (it is being cancelled).
    """
    if old is None and (new is not None or release_hold) and held_of(appointment) is not None:
        old = held_of(appointment)
        actions = [*actions, Appointment.held_slot.remove()]
    checks = [_block_check(block)] if block is not None else []
    updates = [appointment.get_update_kwargs_from_instance(actions=actions, condition=condition)]
    update_labels = ["appointment"]
    for date in sorted({p.date for p in (old, new) if p}):
        updates.append(_slot_load_update(appointment.appointment_id, date, old, new, capacity))
        update_labels.append("load")
    mechanic_updates = _mechanic_updates(appointment.appointment_id, old, new)
    updates.extend(mechanic_updates)
    update_labels.extend(["mechanic"] * len(mechanic_updates))
    puts: list[dict] = []
    if email is not None:
        puts, email_updates = email.write_items()
        updates.extend(email_updates)
        update_labels.extend(["email"] * len(email_updates))
    labels = ["block"] * len(checks) + ["email"] * len(puts)
    if audit_entry is not None:
        puts.append(audit_entry.get_save_kwargs_from_instance())
        labels.append("audit")
    # In the order DynamoDB lists them (checks, puts, updates), to name a failed condition.
    labels += update_labels
    try:
        connection().transact_write_items(
            condition_check_items=checks, delete_items=[], put_items=puts, update_items=updates
        )
    except TransactWriteError as error:
        if not conflicted(error):
            raise
        raise Conflict(_failure_message(error, labels)) from error
    appointment.update_local_version_attribute()
    return apply_locally(appointment, actions)


def apply_locally(instance: Any, actions: list[Action]) -> bool:
    """Apply committed top-level SET-to-a-value and REMOVE ``actions`` to ``instance`` in memory,
    so the caller need not read the item back (transactions return no attributes). False, and
    nothing applied, when an action is anything else (the caller then re-reads)."""
    names = {id(attribute): name for name, attribute in type(instance).get_attributes().items()}
    changes = []
    for action in actions:
        path = action.values[0]
        if not isinstance(path, Path) or len(path.path) != 1:
            return False
        attribute = path.attribute
        if isinstance(attribute, VersionAttribute):
            continue  # bumped locally by update_local_version_attribute
        name = names.get(id(attribute))
        if attribute is None or name is None:
            return False
        if isinstance(action, RemoveAction):
            changes.append((name, None))
        elif isinstance(action, SetAction) and isinstance(action.values[1], Value):
            changes.append((name, attribute.deserialize(attribute.get_value(action.values[1].value))))
        else:
            return False
    for name, value in changes:
        setattr(instance, name, value)
    return True


def _failure_message(error: TransactWriteError, labels: list[str]) -> str:
    failed = failed_conditions(error)
    for at, label in enumerate(labels):
        if at in failed:
            return _FAILURES[label]
    return "Another change got there first; reload and try again"
