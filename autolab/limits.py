"""The daily limit of unpaid records a customer may create (3 appointments, 5 orders per business
day), held under concurrent requests (ARCHITECTURE §5.9), written once for bookings and shop.

Each app keeps a counter item per ``<userId>#<business day>`` whose total counts every record
created for the customer that day (theirs and those staff entered for them). A record is written in
one transaction with ``ADD total 1`` conditioned on ``total < ceiling``: the ceiling is the limit
plus that day's paid records, which do not count (cancelled unpaid ones do, as in the original).
The paid ones are looked up only once the total has reached the limit; an index that lags behind
can only show fewer of them, so the answer errs on the side of the limit. Parallel requests can
never pass it: the condition is checked by DynamoDB itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from autolab.dynamodb import DynamoModel, retry_on_conflict, transaction
from autolab.exceptions import Conflict, LimitReached
from autolab.workflow import PaymentStatus

T = TypeVar("T")
ATTEMPTS = 20


def _no_actions() -> list[Action]:
    return []


@dataclass(frozen=True)
class DailyLimit:
    """One app's daily limit: its records, its counter table and the words it answers with."""

    limit: int
    record: type[Any]  # has created_user_index, created_date and payment_status
    counter: type[DynamoModel]  # hash key "<userId>#<business day>"
    total: str  # the counter's attribute counting every record of the day
    refused: str  # the 429 at the limit
    busy: str  # the 409 when other writes keep winning for ATTEMPTS tries
    also: Callable[[], list[Action]] = field(default=_no_actions)  # more counter actions (a TTL, ...)

    def read_total(self, key: str) -> int:
        """The counter's total, read strongly consistent (no counter yet: 0)."""
        try:
            item = self.counter.get(key, consistent_read=True)
        except self.counter.DoesNotExist:
            return 0
        return getattr(item, self.total) or 0

    def paid(self, user_id: str, day: str) -> int:
        """Records created for ``user_id`` on ``day`` that are paid (they do not count)."""
        condition = (self.record.created_date == day) & (self.record.payment_status == PaymentStatus.PAID)
        return sum(1 for _ in self.record.created_user_index.query(user_id, filter_condition=condition))


def counter_key(user_id: str, day: str) -> str:
    return f"{user_id}#{day}"


def write_counted(
    rule: DailyLimit,
    user_id: str,
    day: str,
    write: Callable[[TransactWrite], T],
    *,
    enforce: bool,
    total: int | None = None,
) -> T:
    """Run ``write`` (the record's items) in one transaction with a bump of the customer's day
    counter, refused at the limit (429) when ``enforce``; returns what ``write`` returned.

    ``total`` is the counter's total when the caller read it already (in its own batch). When
    another write got there first (the counter moved past what was read, or a transaction on the
    same items collided), the counter is read again and the limit decided again, up to
    ``ATTEMPTS`` times (then 409).
    """
    key = counter_key(user_id, day)
    known = [total]  # the caller's read serves the first attempt; after a conflict, read again

    def attempt() -> T:
        read = known.pop() if known else None
        condition = _below_ceiling(rule, user_id, day, key, read) if enforce else None
        with transaction() as writer:
            result = write(writer)
            counted = getattr(rule.counter, rule.total).add(1)
            writer.update(rule.counter(key), actions=[counted, *rule.also()], condition=condition)
        return result

    return retry_on_conflict(attempt, attempts=ATTEMPTS, or_raise=Conflict(rule.busy))


def _below_ceiling(rule: DailyLimit, user_id: str, day: str, key: str, total: int | None) -> Condition:
    """The counter's condition for one more record, or 429 when the day is full already."""
    current = rule.read_total(key) if total is None else total
    ceiling = rule.limit if current < rule.limit else rule.limit + rule.paid(user_id, day)
    if current >= ceiling:
        raise LimitReached(rule.refused)
    attribute = getattr(rule.counter, rule.total)
    return attribute.does_not_exist() | (attribute < ceiling)
