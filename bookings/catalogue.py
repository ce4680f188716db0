"""Bookings: the service catalogue and blocked periods (every write and rule)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.cache import cache

from autolab import audit, caches, clock
from autolab.dynamodb import retry_on_conflict
from autolab.events import publish_to_staff
from autolab.exceptions import Conflict, ValidationError
from autolab.money import money_str, to_money
from autolab.permissions import StaffIdentity
from bookings import selectors
from bookings.models import BlockedPeriod, ServicePrice, UnavailableSlot
from bookings.slots import STEP_MINUTES, Interval, merge, subtract

MAX_RANGE_DAYS = 93


# --- Catalogue ---------------------------------------------------------------------------------


def service_plan_save(
    *,
    service_id: int,
    plan_id: int,
    service_name: str,
    plan_name: str,
    price: Decimal,
    duration_minutes: int,
    features: list[str],
    active: bool,
    actor: StaffIdentity,
) -> ServicePrice:
    """Create or replace one plan (ADMIN); price in AUD GST-inclusive, duration a multiple of 30 min.
    Audited as ``service_plan.save`` on ``service_plan`` ``<serviceId>:<planId>``."""
    if price <= 0:
        raise ValidationError("price must be positive")
    if duration_minutes <= 0 or duration_minutes % STEP_MINUTES or duration_minutes > 12 * 60:
        raise ValidationError("durationMinutes must be a multiple of 30 between 30 and 720")
    before = _audited(selectors.service_price_get(service_id, plan_id))
    plan = ServicePrice(
        service_id=service_id,
        plan_id=plan_id,
        service_name=service_name.strip(),
        plan_name=plan_name.strip(),
        price=to_money(price),
        duration_minutes=duration_minutes,
        features=[f.strip() for f in features if f.strip()],
        active=active,
        updated_at=clock.epoch_now(),
    )
    plan.save()
    cache.delete(selectors.CATALOGUE_CACHE_KEY)
    caches.invalidate(caches.plan_key(service_id, plan_id))
    audit.record(actor, "service_plan.save", "service_plan", f"{service_id}:{plan_id}", before, _audited(plan))
    return plan


def _audited(plan: ServicePrice | None) -> dict[str, Any]:
    """A plan's fields, the price as money text (stored 220 and saved 220.00 read the same)."""
    fields = audit.snapshot(plan)
    return {**fields, "price": money_str(plan.price)} if plan is not None else fields


# --- Blocked periods -----------------------------------------------------------------------------


OPERATIONS = ("set", "add", "remove")  # "get" is a read: the API answers it like GET


def _labels(periods: list[Interval]) -> list[str]:
    """The original's answer lists periods as ``"HH:MM-HH:MM"`` strings."""
    return [period.label for period in periods]


def _apply_operation(operation: str, current: list[Interval], periods: list[Interval]) -> list[Interval]:
    if operation == "set":
        return merge(periods)
    if operation == "add":
        return merge(current + periods)
    return subtract(current, periods)


def unavailable_slots_update(
    *, actor: StaffIdentity, dates: list[str], operation: str, periods: list[Interval]
) -> dict[str, dict]:
    """Block or unblock periods on each date (``set`` with an empty list clears the day).

    Every write is conditioned on the day's ``version``, which scheduling condition-checks: a
    schedule decided on an older view of the day fails instead of landing in a new block.
    """
    if operation not in OPERATIONS:
        raise ValidationError("operation must be one of get, set, add, remove")  # get is the API's
    if operation in ("add", "remove") and not periods:
        raise ValidationError("timeSlots must not be empty for add and remove")
    return {date: _update_day(actor, date, operation, periods) for date in dates}


def _update_day(actor: StaffIdentity, date: str, operation: str, periods: list[Interval]) -> dict[str, Any]:
    def attempt() -> tuple[list[Interval], list[Interval]]:  # a conflict re-applies on the fresh list
        item = selectors.unavailable_slot_get(date) or UnavailableSlot(date=date)
        previous = selectors.blocked_periods(item)
        new = _apply_operation(operation, previous, periods)
        item.time_slots = [BlockedPeriod(start_time=p.label[:5], end_time=p.label[6:]) for p in new]
        item.updated_by, item.updated_at = actor.user_id, clock.epoch_now()
        item.save()
        return previous, new

    busy = Conflict(f"The blocked periods of {date} are being changed by someone else; try again")
    previous, new = retry_on_conflict(attempt, attempts=5, or_raise=busy)
    if previous != new:  # an add of what was blocked already changed nothing
        audit.record(
            actor,
            f"slots.{operation}",
            "unavailable_slots",
            date,
            {"timeSlots": _labels(previous)},
            {"timeSlots": _labels(new)},
        )
    publish_to_staff("slots.updated", {"date": date})
    return {
        "date": date,
        "operation": operation,
        "previousSlots": _labels(previous),
        "newSlots": _labels(new),
    }
