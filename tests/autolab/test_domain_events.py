"""The domain-events dispatcher: order, a failing subscriber's isolation and retry, no double
registration. The handlers are the tests' own; the billing reactions are tested in tests/billing."""

from __future__ import annotations

import logging
import uuid

import pytest
from django.apps import apps

from autolab import domain_events
from autolab.domain_events import (
    DomainEvent,
    RecordCancelled,
    RecordRescheduled,
    domain_event_retry_task,
    handler_name,
    publish,
    subscribers_of,
)


def _cancelled() -> RecordCancelled:
    return RecordCancelled(record_type="order", record_id=str(uuid.uuid4()))


def test_handlers_run_in_the_order_they_subscribed(subscribe_in_test):
    calls: list[str] = []

    def first(event: RecordCancelled) -> None:
        calls.append(f"first {event.record_id}")

    def second(event: RecordCancelled) -> None:
        calls.append(f"second {event.record_id}")

    def third(event: RecordCancelled) -> None:
        calls.append(f"third {event.record_id}")

    for handler in (second, first, third):
        subscribe_in_test(RecordCancelled, handler)
    event = _cancelled()
    publish(event)
    assert calls == [f"second {event.record_id}", f"first {event.record_id}", f"third {event.record_id}"]


def test_an_event_reaches_only_the_subscribers_of_its_type(subscribe_in_test):
    seen: list[DomainEvent] = []

    def listen(event: RecordRescheduled) -> None:
        seen.append(event)

    subscribe_in_test(RecordRescheduled, listen)
    publish(_cancelled())
    rescheduled = RecordRescheduled(record_type="order", record_id="o-1", scheduled_date="2030-01-02", is_paid=False)
    publish(rescheduled)
    assert seen == [rescheduled]


def test_a_failing_subscriber_is_logged_retried_and_does_not_stop_the_others(subscribe_in_test, caplog):
    calls: list[str] = []

    def flaky(event: RecordCancelled) -> None:
        calls.append("flaky")
        if calls.count("flaky") == 1:
            raise ConnectionError("DynamoDB throttled")

    def steady(event: RecordCancelled) -> None:
        calls.append("steady")

    subscribe_in_test(RecordCancelled, flaky)
    subscribe_in_test(RecordCancelled, steady)
    event = _cancelled()
    with caplog.at_level(logging.ERROR, logger="autolab.domain_events"):
        publish(event)  # does not raise

    # Tasks run eagerly in tests, so the retry ran at once, before the next subscriber.
    assert calls == ["flaky", "flaky", "steady"]
    [failure] = [r for r in caplog.records if r.name == "autolab.domain_events"]
    assert handler_name(flaky) in failure.getMessage()
    assert repr(event) in failure.getMessage()
    assert failure.exc_info is not None
    assert isinstance(failure.exc_info[1], ConnectionError)


def test_a_subscriber_that_keeps_failing_is_retried_then_left_to_the_log(subscribe_in_test, caplog):
    attempts: list[str] = []

    def broken(event: RecordCancelled) -> None:
        attempts.append(event.record_id)
        raise RuntimeError("billing down")

    after: list[str] = []

    def steady(event: RecordCancelled) -> None:
        after.append(event.record_id)

    subscribe_in_test(RecordCancelled, broken)
    subscribe_in_test(RecordCancelled, steady)
    event = _cancelled()
    with caplog.at_level(logging.ERROR, logger="autolab.domain_events"):
        publish(event)

    # The delivery, then the retry task's first run; run eagerly, a task cannot wait for its next
    # retry (Celery raises it), which needs a worker.
    assert attempts == [event.record_id, event.record_id]
    assert after == [event.record_id]
    messages = [r.getMessage() for r in caplog.records if r.name == "autolab.domain_events"]
    name = handler_name(broken)
    assert messages == [
        f"Domain event subscriber {name} failed on {event!r}; retrying it in the worker",
        f"Retry of domain event subscriber {name} on {event!r} could not start or failed at once",
    ]


def test_subscribing_twice_dispatches_once(subscribe_in_test):
    calls: list[str] = []

    def listen(event: RecordCancelled) -> None:
        calls.append(event.record_id)

    subscribe_in_test(RecordCancelled, listen)
    subscribe_in_test(RecordCancelled, listen)
    event = _cancelled()
    publish(event)
    assert calls == [event.record_id]
    assert subscribers_of(RecordCancelled).count(handler_name(listen)) == 1


def test_running_the_apps_ready_again_registers_nothing_twice():
    before = {event_type: subscribers_of(event_type) for event_type in (RecordCancelled, RecordRescheduled)}
    for name in ("bookings", "shop", "billing"):
        apps.get_app_config(name).ready()
    after = {event_type: subscribers_of(event_type) for event_type in (RecordCancelled, RecordRescheduled)}
    assert after == before
    assert before == {
        RecordCancelled: ["billing.subscribers.invoice_cancel_on_record_cancelled"],
        RecordRescheduled: ["billing.subscribers.invoice_date_on_record_rescheduled"],
    }


def test_only_domain_events_can_be_subscribed_to():
    with pytest.raises(TypeError):
        domain_events.subscribe(dict, print)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        domain_events.subscribe(DomainEvent, print)


def test_a_retry_for_a_subscriber_no_longer_there_is_logged_and_dropped(caplog):
    with caplog.at_level(logging.ERROR, logger="autolab.domain_events"):
        domain_event_retry_task.delay("RecordCancelled", {"record_type": "order", "record_id": "o-1"}, "gone.handler")
        domain_event_retry_task.delay("RecordPurged", {"record_id": "o-1"}, "gone.handler")
    messages = [r.getMessage() for r in caplog.records if r.name == "autolab.domain_events"]
    assert messages == [
        "No subscriber gone.handler for domain event RecordCancelled {'record_type': 'order', 'record_id': 'o-1'}",
        "No subscriber gone.handler for domain event RecordPurged {'record_id': 'o-1'}",
    ]


def test_events_are_immutable():
    event = _cancelled()
    with pytest.raises(AttributeError):
        event.record_id = "other"  # type: ignore[misc]
