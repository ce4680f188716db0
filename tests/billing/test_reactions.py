"""Billing's reactions to domain events: robust behind a failing subscriber, and safe when an event
arrives late (a retry) because they act on the record as stored, not on what the event said.

The reactions themselves through the API: tests/billing/test_invoices.py (cancel) and
tests/billing/test_rescheduling.py (reschedule), for appointments and orders."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from autolab import clock, domain_events
from autolab.domain_events import RecordCancelled, RecordRescheduled, handler_name, subscribers_of
from billing import subscribers
from billing.models import Invoice
from bookings.models import Appointment
from shop.models import Order


def _day(offset: int) -> str:
    return (clock.business_today() + dt.timedelta(days=offset)).isoformat()


def _ddmmyyyy(iso_day: str) -> str:
    return dt.date.fromisoformat(iso_day).strftime("%d/%m/%Y")


def _confirm_cash(persona, reference: str, kind: str) -> None:
    body = {"referenceNumber": reference, "type": kind, "paymentMethod": "cash"}
    response = persona.api().post("/api/payments/confirm", body, format="json")
    assert response.status_code == 200, response.json()


def _effective_date(invoice_id: str) -> str:
    return Invoice.get(invoice_id).analytics_data.as_dict()["operation_data"]["effectiveDate"]


def _broken(event: RecordCancelled) -> None:
    raise RuntimeError("another app's reaction is down")


@pytest.fixture
def broken_subscriber_first(subscribe_in_test) -> None:
    """A subscriber that always fails, running before billing's invoice cancellation."""
    billing = subscribers.invoice_cancel_on_record_cancelled
    domain_events.unsubscribe(RecordCancelled, billing)
    try:
        subscribe_in_test(RecordCancelled, _broken)
    finally:
        domain_events.subscribe(RecordCancelled, billing)
    assert subscribers_of(RecordCancelled) == [handler_name(_broken), handler_name(billing)]


@pytest.fixture
def paid_record(admin, customer, make_appointment, make_order):
    """``paid_record(kind)`` -> (id, PATCH path, invoice id) of a cash-paid appointment or order."""

    def create(kind: str) -> tuple[str, str, str]:
        if kind == "appointment":
            record_id = make_appointment(created_user_id=customer.user_id).appointment_id
            path, model = f"/api/appointments/{record_id}", Appointment
        else:
            record_id = make_order(created_user_id=customer.user_id).order_id
            path, model = f"/api/orders/{record_id}", Order
        _confirm_cash(admin, record_id, kind)
        return record_id, path, model.get(record_id).invoice_id

    return create


@pytest.mark.parametrize("kind", ["appointment", "order"])
def test_a_failing_subscriber_changes_neither_the_answer_nor_billings_reaction(
    kind, broken_subscriber_first, paid_record, support, caplog
):
    record_id, path, invoice_id = paid_record(kind)
    with caplog.at_level(logging.ERROR, logger="autolab.domain_events"):
        response = support.api().patch(path, {"status": "CANCELLED"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()[kind]["status"] == "CANCELLED"
    assert Invoice.get(invoice_id).status == "cancelled"
    failures = [r.getMessage() for r in caplog.records if r.name == "autolab.domain_events"]
    by = support.user_id if kind == "appointment" else ""  # an appointment's event says who cancelled
    event = RecordCancelled(record_type=kind, record_id=record_id, cancelled_by=by)
    assert (
        failures[0] == f"Domain event subscriber {handler_name(_broken)} failed on {event!r}; retrying it in the worker"
    )
    assert failures[-1] == (
        f"Retry of domain event subscriber {handler_name(_broken)} on {event!r} could not start or failed at once"
    )


@pytest.mark.parametrize("kind", ["appointment", "order"])
def test_a_late_cancellation_leaves_the_invoice_of_a_record_no_longer_cancelled(kind, paid_record):
    record_id, _, invoice_id = paid_record(kind)
    # As a retry would, after the record was cancelled and then reopened (CANCELLED -> PENDING).
    domain_events.publish(RecordCancelled(record_type=kind, record_id=record_id))
    assert Invoice.get(invoice_id).status == "generated"


@pytest.mark.parametrize("kind", ["appointment", "order"])
def test_a_late_reschedule_dates_the_invoice_by_the_schedule_as_stored(kind, paid_record):
    record_id, _, invoice_id = paid_record(kind)
    model = Appointment if kind == "appointment" else Order
    record = model.get(record_id)
    record.update(actions=[model.scheduled_date.set(_day(9))])  # the latest schedule, its own event long gone
    stale = RecordRescheduled(record_type=kind, record_id=record_id, scheduled_date=_day(4), is_paid=True)
    domain_events.publish(stale)
    assert _effective_date(invoice_id) == _ddmmyyyy(_day(9))
