"""Domain events: the reactions of one app to another's committed change, declared in one place (§3).

A publisher (bookings, shop) calls ``publish(event)`` once its write is committed; a subscribing app
calls ``subscribe(EventType, handler)`` in its ``AppConfig.ready``. The publisher never knows who
listens, and no app imports another to react to it.

Events:
- ``RecordCancelled``: an appointment or order was stored as CANCELLED. Published by
  ``bookings.updates`` and ``shop.services.changes``; billing cancels the record's active invoice
  and, for a paid appointment, applies the cancellation policy (fee kept, the rest refunded).
- ``RecordRescheduled``: an appointment or order was stored with a scheduled date (first scheduling
  included). Same publishers; billing moves a paid record's invoice effective date to it (§3.8).

- ``VehicleSeen``: a record named a car (registration and/or VIN, autolab.vehicle_ids). Published by
  ``shop.services.changes`` when staff record an order's car; bookings, which owns the vehicles,
  creates or refreshes the vehicle so its page lists the order beside its appointments.

There is no ``RecordPaid``: marking a record paid is billing's own write, and what follows it (the
slot hold in the same transaction, the invoice, the live notices) is billing's own code, which may call
bookings and shop directly. An event is added when an app other than the publisher has to react.

Dispatch is synchronous, in the publishing process, in the order handlers were subscribed, so a
reaction is visible as soon as the request that caused it answers. Subscribing a handler again (say,
``ready()`` run twice) changes nothing: handlers are keyed by their module-qualified name.

A failing handler never reaches the publisher, whose change is already stored: it is logged at ERROR
with the event, the other handlers still run, and the failed reaction is retried by Celery
(``autolab.domain_event_retry_task``, backoff up to 6 times; the last failure is logged by the worker).
A retry can run after later changes, so handlers are idempotent and re-read the state they act on
rather than trusting the event. If even the retry cannot be queued (broker down), the ERROR log is
what is left of it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal, TypeVar

from celery import shared_task

logger = logging.getLogger(__name__)

RecordType = Literal["appointment", "order"]
RETRY_DELAY_SECONDS = 5


@dataclass(frozen=True)
class DomainEvent:
    """Base of every event: immutable, and made of JSON values so a retry can carry it."""


@dataclass(frozen=True)
class RecordCancelled(DomainEvent):
    """An appointment or order was stored as CANCELLED (published once per cancellation)."""

    record_type: RecordType
    record_id: str
    cancelled_by: str = ""  # the staff member's user id (who a cash refund is recorded as made by)
    starts_at: str = ""  # ISO start it was scheduled for when cancelled ("" unscheduled); the cancel frees it


@dataclass(frozen=True)
class RecordRescheduled(DomainEvent):
    """An appointment or order was stored with ``scheduled_date`` (YYYY-MM-DD), paid or not."""

    record_type: RecordType
    record_id: str
    scheduled_date: str
    is_paid: bool


@dataclass(frozen=True)
class VehicleSeen(DomainEvent):
    """A record named a car: its registration and VIN as stored (either may be ""), and what it is."""

    registration: str
    vin: str
    make: str
    model: str
    year: str


E = TypeVar("E", bound=DomainEvent)
_EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.__name__: cls for cls in (RecordCancelled, RecordRescheduled, VehicleSeen)
}
# Per event type, its handlers by name, in subscription order (dicts keep insertion order).
_subscribers: dict[type[DomainEvent], dict[str, Callable[[Any], None]]] = {}


def handler_name(handler: Callable[..., None]) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Call ``handler(event)`` after every published ``event_type``; subscribing it again is a no-op."""
    if _EVENT_TYPES.get(event_type.__name__) is not event_type:
        raise TypeError(f"{event_type!r} is not a domain event")
    _subscribers.setdefault(event_type, {}).setdefault(handler_name(handler), handler)


def unsubscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    _subscribers.get(event_type, {}).pop(handler_name(handler), None)


def subscribers_of(event_type: type[DomainEvent]) -> list[str]:
    """The names of ``event_type``'s handlers, in the order they run."""
    return list(_subscribers.get(event_type, {}))


def publish(event: DomainEvent) -> None:
    """Run every handler of ``event``'s type; call it after the write is committed. Never raises."""
    for name, handler in list(_subscribers.get(type(event), {}).items()):
        try:
            handler(event)
        except Exception:  # the change is stored: a failed reaction is logged and retried, never a 500
            logger.exception("Domain event subscriber %s failed on %r; retrying it in the worker", name, event)
            _retry_later(event, name)


def _retry_later(event: DomainEvent, name: str) -> None:
    arguments = (type(event).__name__, asdict(event), name)
    try:
        domain_event_retry_task.apply_async(arguments, countdown=RETRY_DELAY_SECONDS)
    except Exception:  # the broker is down, or (tasks run eagerly, in tests) the retry failed at once
        logger.exception("Retry of domain event subscriber %s on %r could not start or failed at once", name, event)


@shared_task(
    name="autolab.domain_event_retry_task",
    autoretry_for=(Exception,),
    retry_backoff=RETRY_DELAY_SECONDS,
    retry_backoff_max=300,
    max_retries=6,
    acks_late=True,
)
def domain_event_retry_task(event_name: str, fields: dict[str, Any], handler: str) -> None:
    """Run one subscriber again on an event it failed on (it re-reads what it acts on)."""
    event_type = _EVENT_TYPES.get(event_name)
    subscriber = _subscribers.get(event_type, {}).get(handler) if event_type else None
    if event_type is None or subscriber is None:  # renamed or removed since: nothing left to retry
        logger.error("No subscriber %s for domain event %s %s", handler, event_name, fields)
        return
    subscriber(event_type(**fields))
