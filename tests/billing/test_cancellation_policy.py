"""The cancellation policy through the API: staff cancel a paid appointment, the fee (if late) stays
invoiced and the rest is refunded once, card through the fake Stripe, cash recorded as the staff's.

Slots are placed relative to now (business time zone), so "late" and "early" hold at any hour."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from rest_framework.test import APIClient

from autolab import clock, domain_events
from billing.models import AdjustmentNote, Invoice, Refund
from bookings.models import Appointment, ScheduledTimeSlot
from tests.billing.test_stripe import _intent

PAID = 28000  # plan 2


@pytest.fixture(autouse=True)
def policy(settings) -> None:
    settings.CANCELLATION_FREE_HOURS = 24
    settings.CANCELLATION_FEE_CENTS = 2000
    settings.CANCELLATION_FEE_PERCENT = 10  # with the fixed fee: 2000 + 2800 kept


def _slot_in(hours: int) -> ScheduledTimeSlot:
    """An hour's slot starting in ``hours``; one that would run past midnight starts at midnight
    instead (a slot ends on its own day), a few minutes later: late stays late, early stays early."""
    start = (clock.local_now() + dt.timedelta(hours=hours)).replace(second=0, microsecond=0)
    if (start + dt.timedelta(hours=1)).date() != start.date():
        start = dt.datetime.combine(start.date() + dt.timedelta(days=1), dt.time(0), tzinfo=start.tzinfo)
    end = start + dt.timedelta(hours=1)
    return ScheduledTimeSlot(date=start.date().isoformat(), start=start.strftime("%H:%M"), end=end.strftime("%H:%M"))


def _appointment(make_appointment, customer, hours: int) -> str:
    slot = _slot_in(hours)
    appointment = make_appointment(
        created_user_id=customer.user_id, status="SCHEDULED", scheduled_date=slot.date, scheduled_time_slot=slot
    )
    return appointment.appointment_id


def _pay_cash(admin, ref: str) -> None:
    body = {"referenceNumber": ref, "type": "appointment", "paymentMethod": "cash"}
    assert admin.api().post("/api/payments/confirm", body, format="json").status_code == 200


def _cancel(persona, ref: str):
    return persona.api().patch(f"/api/appointments/{ref}", {"status": "CANCELLED"}, format="json")


def _refunds(ref: str) -> list[Refund]:
    return list(Refund.reference_index.query(ref))


def _notes(ref: str) -> list[AdjustmentNote]:
    return list(AdjustmentNote.reference_index.query(ref))


def test_late_card_cancellation_keeps_the_fee_invoiced_and_refunds_the_rest(
    support, customer, make_appointment, fake_stripe, send_webhook
):
    ref = _appointment(make_appointment, customer, hours=2)
    intent_id = _intent(APIClient(), customer.user_id, ref).json()["paymentIntentId"]
    assert send_webhook("payment_intent.succeeded", fake_stripe.succeed(intent_id)).status_code == 200
    invoice_before = Invoice.get(Appointment.get(ref).invoice_id)

    response = _cancel(support, ref)

    assert response.status_code == 200, response.json()
    assert [r["amount"] for r in fake_stripe.refunds.values()] == [PAID - 4800]
    [refund] = _refunds(ref)
    assert (refund.method, refund.status, refund.amount_cents) == ("card", "succeeded", PAID - 4800)
    [note] = _notes(ref)
    assert (note.amount_cents, note.invoice_number, note.refund_id) == (
        PAID - 4800,
        invoice_before.invoice_number,
        refund.refund_id,
    )
    invoice_after = Invoice.get(invoice_before.invoice_id)
    assert invoice_after.adjusted_cents == PAID - 4800  # what its note took off, for analytics
    invoice_after.adjusted_cents = None
    assert invoice_after.serialize() == invoice_before.serialize()  # the fee's invoice, otherwise untouched
    assert Appointment.get(ref).payment_status == "paid"  # the fee is still paid


def test_early_cash_cancellation_refunds_everything_as_the_staff_member(admin, support, customer, make_appointment):
    ref = _appointment(make_appointment, customer, hours=72)
    _pay_cash(admin, ref)
    invoice_id = Appointment.get(ref).invoice_id

    assert _cancel(support, ref).status_code == 200

    [refund] = _refunds(ref)
    assert (refund.method, refund.amount_cents, refund.refunded_by) == ("cash", PAID, support.identity.user_id)
    assert [n.amount_cents for n in _notes(ref)] == [PAID]
    assert Appointment.get(ref).payment_status == "refunded"
    assert Invoice.get(invoice_id).status == "cancelled"  # nothing kept: no supply left on it


def test_unscheduled_paid_appointment_cancels_free(admin, support, customer, make_appointment):
    ref = make_appointment(created_user_id=customer.user_id).appointment_id
    _pay_cash(admin, ref)
    assert _cancel(support, ref).status_code == 200
    assert [r.amount_cents for r in _refunds(ref)] == [PAID]


def test_a_doubled_cancellation_refunds_once(admin, support, customer, make_appointment):
    ref = _appointment(make_appointment, customer, hours=1)
    _pay_cash(admin, ref)
    assert _cancel(support, ref).status_code == 200
    again = _cancel(support, ref)  # a double click: already cancelled
    assert (again.status_code, again.json()["message"]) == (400, "Invalid status transition")
    # The reaction retried by the worker, twice at once, as it would after a timeout.
    start = clock.local_now() + dt.timedelta(hours=1)
    event = domain_events.RecordCancelled(
        record_type="appointment", record_id=ref, cancelled_by=support.user_id, starts_at=start.isoformat()
    )
    threads = [threading.Thread(target=domain_events.publish, args=(event,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    [refund] = _refunds(ref)
    assert refund.amount_cents == PAID - 4800
    assert len(_notes(ref)) == 1
    assert Appointment.get(ref).payment_status == "paid"
