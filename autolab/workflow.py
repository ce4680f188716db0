"""Rules bookings and shop share about a record's life: who it is for, who may move its status, and
who may change which of its fields.

Each app describes its own workflow with these pieces (``bookings/updates.py``,
``shop/services/changes.py``) and keeps its status enum next to its model (``AppointmentStatus``,
``OrderStatus``); the values are the strings stored in DynamoDB and sent on the wire, so a member
compares equal to them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from autolab.exceptions import NotFound, PermissionDenied, ValidationError
from autolab.permissions import Permission, StaffIdentity

S = TypeVar("S", bound=StrEnum)


class PaymentStatus(StrEnum):
    """``paymentStatus`` of an appointment or order (and ``status`` of a Payments row)."""

    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


# What list filters accept: the original's four values (a refunded record is not offered as a filter).
PAYMENT_FILTER_STATUSES = tuple(status for status in PaymentStatus if status is not PaymentStatus.REFUNDED)


def status_of(kind: type[S], value: object) -> S | None:
    """The member of ``kind`` whose value is ``value``, or None (Python 3.11's ``in`` on an enum
    raises for a plain string instead of answering False)."""
    if not isinstance(value, str):
        return None
    try:
        return kind(value)
    except ValueError:
        return None


class Assignable(Protocol):
    """An appointment or order, as far as the workflow looks at it (read-only, so any model fits)."""

    @property
    def status(self) -> str: ...

    @property
    def assigned_mechanic_id(self) -> str | None: ...


def is_assigned(actor: StaffIdentity, record: Assignable) -> bool:
    """Whether ``record`` is assigned to ``actor`` (an unassigned record is nobody's)."""
    return bool(record.assigned_mechanic_id) and record.assigned_mechanic_id == actor.user_id


def in_workflow_order(kind: type[S], statuses: Collection[str]) -> list[S]:
    """``statuses`` in the order ``kind`` declares them (the order a record moves through), so a
    page offers "Mark ongoing" before "Mark completed" rather than alphabetically."""
    return [member for member in kind if member in statuses]


# --- Status transitions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TransitionTable:
    """The moves one permission allows: status -> the statuses it may go to."""

    permission: Permission
    moves: Mapping[str, frozenset[str]]
    assigned_only: bool = False  # the permission counts only on records assigned to the actor

    def applies(self, actor: StaffIdentity, record: Assignable) -> bool:
        return actor.has(self.permission) and (not self.assigned_only or is_assigned(actor, record))


@dataclass(frozen=True)
class Transitions:
    """Who may move a record from one status to another: the union of the tables the actor holds."""

    tables: tuple[TransitionTable, ...]

    def allowed(self, actor: StaffIdentity, record: Assignable) -> set[str]:
        """Statuses ``actor`` may move ``record`` to."""
        allowed: set[str] = set()
        for table in self.tables:
            if table.applies(actor, record):
                allowed |= table.moves.get(record.status, frozenset())
        return allowed

    def may_change(self, actor: StaffIdentity, record: Assignable) -> bool:
        """Whether ``actor`` may change ``record``'s status at all; a table without a move out of
        the current status makes the change invalid (400), not forbidden (403)."""
        return any(table.applies(actor, record) for table in self.tables)


# --- Field groups ---------------------------------------------------------------------------------

Rule = Callable[[StaffIdentity, Any], bool]


def holding(permission: Permission) -> Rule:
    """The rule "the actor holds ``permission``", whatever the record."""

    def rule(actor: StaffIdentity, record: Any) -> bool:
        return actor.has(permission)

    return rule


@dataclass(frozen=True)
class FieldGroup:
    """Fields a change may touch, the rule that lets an actor change them, and the 403 otherwise."""

    name: str
    fields: frozenset[str]
    rule: Rule
    refused: str


def authorise(groups: Collection[FieldGroup], actor: StaffIdentity, record: Any, fields: Collection[str]) -> None:
    """403 with the first refused group's message unless ``actor`` may change every group that
    ``fields`` touch (ARCHITECTURE §5.7: one unauthorised group refuses the whole change)."""
    touched = set(fields)
    for group in groups:
        if group.fields & touched and not group.rule(actor, record):
            raise PermissionDenied(group.refused)


def groups_touched(groups: Collection[FieldGroup], fields: Collection[str]) -> list[str]:
    """Names of the groups ``fields`` touch, in the order they are declared."""
    touched = set(fields)
    names = [group.name for group in groups if group.fields & touched]
    return list(dict.fromkeys(names))


# --- Who a new record is for ----------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """Whom a new appointment or order is for, and how the customer's daily limit treats it."""

    user_id: str
    counted: bool  # on the customer's day counter: their own records and those staff enter for them
    limited: bool  # refused at the daily limit: only the customer's own records


def check_requester(actor: StaffIdentity | None, user_id: object, permission: Permission, refused: str) -> None:
    """400/403 before anything is read: ``userId`` is a string, a customer gives theirs, and staff
    need ``permission`` to create a record for someone."""
    if user_id is not None and not isinstance(user_id, str):
        raise ValidationError("userId must be a string")
    if actor is None and not user_id:
        raise ValidationError("userId is required for non-staff users")
    if actor is not None and not actor.has(permission):
        raise PermissionDenied(refused)


def owner_of(
    actor: StaffIdentity | None,
    user_id: str | None,
    *,
    is_customer: Callable[[str], bool],
    is_staff: Callable[[str], bool],
    not_found: str,
) -> Owner:
    """Whom the record is for (after ``check_requester``).

    A customer's own records are limited; records staff enter for a customer count on the
    customer's day but are never refused; a walk-in, or a staff member's id, is an administrative
    entry recorded against the staff member entering it, and counts nowhere.
    """
    if actor is None:
        if not user_id or not is_customer(user_id):
            raise NotFound(not_found)
        return Owner(user_id, counted=True, limited=True)
    if not user_id or user_id == actor.user_id:
        return Owner(actor.user_id, counted=False, limited=False)
    if is_customer(user_id):
        return Owner(user_id, counted=True, limited=False)
    if is_staff(user_id):
        return Owner(actor.user_id, counted=False, limited=False)
    raise NotFound(not_found)
