"""#13.3: a paid PENDING appointment's first choice holds its place (original §3.2).

It is listed by ``/unavailable-slots`` as ``pending_appointment``, counts in ``checkSlot``'s
``appointmentsCount`` and in availability's ``free``; paying takes the place atomically, so two
payments for the last place never both hold it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bookings import selectors
from bookings.models import Appointment
from chat.services import customer_register
from tests.bookings.conftest import booking, future_day

pytestmark = pytest.mark.django_db(transaction=True)

FIRST = {"start": "09:00", "end": "11:00"}


def _book(anon, user_id: str, first=FIRST) -> str:
    day = future_day()
    slots = [
        {"date": day, **first, "priority": 1},
        {"date": day, "start": "14:00", "end": "16:00", "priority": 2},
    ]
    response = anon.post(
        "/api/appointments", {"userId": user_id, "appointmentData": booking(selectedSlots=slots)}, format="json"
    )
    assert response.status_code == 200, response.json()
    return response.json()["appointmentId"]


def _pay(admin, appointment_id: str, revert: bool = False):
    body = {"referenceNumber": appointment_id, "type": "appointment", "paymentMethod": "cash", "revert": revert}
    return admin.api().post("/api/payments/confirm", body, format="json")


def _pending_entries(anon) -> list[dict]:
    payload = anon.get(f"/api/unavailable-slots?date={future_day()}").json()
    return [entry for entry in payload["scheduledSlots"] if entry["reason"] == "pending_appointment"]


def _check(anon, slot: str = "09:00-11:00") -> dict:
    return anon.get(f"/api/unavailable-slots?date={future_day()}&checkSlot={slot}").json()["availabilityCheck"]


def _free(anon, start: str = "09:00") -> tuple[str, int]:
    days = anon.get(f"/api/availability?serviceId=1&planId=1&date={future_day()}").json()["days"]
    slot = next(s for s in days[0]["slots"] if s["start"] == start)
    return slot["status"], slot["free"]


def test_paying_holds_the_first_choice_everywhere_the_website_looks(anon, admin, customer_id, capacity):
    capacity(2)
    appointment_id = _book(anon, customer_id)
    assert _pending_entries(anon) == []  # unpaid requests hold nothing
    assert _check(anon)["appointmentsCount"] == 0
    assert _pay(admin, appointment_id).status_code == 200
    assert _pending_entries(anon) == [
        {
            "timeSlot": "09:00-11:00",
            "reason": "pending_appointment",
            "appointmentId": appointment_id,
            "status": "PENDING",
        }
    ]
    payload = anon.get(f"/api/unavailable-slots?date={future_day()}").json()
    assert {"timeSlot": "09:00-11:00", "reason": "pending_appointment"}.items() <= payload["unavailableSlots"][
        0
    ].items()
    assert _check(anon)["appointmentsCount"] == 1
    assert _check(anon, "10:30-12:00")["appointmentsCount"] == 1  # overlapping
    assert _check(anon, "11:00-12:00")["appointmentsCount"] == 0  # touching only (half-open)
    assert _check(anon, "14:00-16:00")["appointmentsCount"] == 0  # the second choice is not held
    assert _free(anon) == ("available", 1)
    assert _free(anon, "14:00") == ("available", 2)


def test_two_payments_for_the_last_place_hold_it_once(anon, admin, capacity):
    capacity(1)
    customers = [customer_register(user_email=f"race{i}@example.com").user_id for i in range(4)]
    ids = [_book(anon, user_id) for user_id in customers]
    with ThreadPoolExecutor(max_workers=len(ids)) as pool:
        statuses = list(pool.map(lambda appointment_id: _pay(admin, appointment_id).status_code, ids))
    assert statuses == [200] * len(ids)  # every payment is recorded: the money was taken
    assert all(a.payment_status == "paid" for a in Appointment.batch_get(ids))
    entries = _pending_entries(anon)
    assert len(entries) == 1
    holder = entries[0]["appointmentId"]
    assert [a.appointment_id for a in Appointment.batch_get(ids) if a.held_slot is not None] == [holder]
    assert _check(anon)["appointmentsCount"] == 1
    assert _free(anon) == ("full", 0)
    assert selectors.day_state(future_day()).load == {"0900": 1, "0930": 1, "1000": 1, "1030": 1}


def test_a_held_place_cannot_be_given_to_another_job(anon, admin, support, customer_id, other_customer_id, capacity):
    capacity(1)
    held = _book(anon, customer_id)
    other = _book(anon, other_customer_id)
    assert _pay(admin, held).status_code == 200
    body = {"scheduledTimeSlot": {"date": future_day(), **FIRST}}
    response = support.api().patch(f"/api/appointments/{other}", body, format="json")
    assert response.status_code == 409
    assert response.json()["message"] == "That time slot is fully booked"
    # Scheduling the holder into its own first choice turns the hold into the job: still one place.
    response = support.api().patch(f"/api/appointments/{held}", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["appointment"].get("heldSlot") is None
    payload = anon.get(f"/api/unavailable-slots?date={future_day()}").json()
    assert [(e["appointmentId"], e["reason"]) for e in payload["scheduledSlots"]] == [(held, "scheduled_appointment")]
    assert selectors.day_state(future_day()).load == {"0900": 1, "0930": 1, "1000": 1, "1030": 1}


def test_scheduling_elsewhere_cancelling_or_reverting_gives_the_place_back(anon, admin, support, capacity):
    capacity(1)
    customers = [customer_register(user_email=f"back{i}@example.com").user_id for i in range(3)]
    moved, cancelled, reverted = (_book(anon, user_id) for user_id in customers)
    client = support.api()

    assert _pay(admin, moved).status_code == 200
    elsewhere = {"scheduledTimeSlot": {"date": future_day(), "start": "14:00", "end": "16:00"}}
    assert client.patch(f"/api/appointments/{moved}", elsewhere, format="json").status_code == 200
    assert _free(anon) == ("available", 1)

    assert _pay(admin, cancelled).status_code == 200
    assert _free(anon) == ("full", 0)
    assert client.patch(f"/api/appointments/{cancelled}", {"status": "CANCELLED"}, format="json").status_code == 200
    assert _free(anon) == ("available", 1)

    assert _pay(admin, reverted).status_code == 200
    assert _free(anon) == ("full", 0)
    assert _pay(admin, reverted, revert=True).status_code == 200
    assert _free(anon) == ("available", 1)
    assert _pending_entries(anon) == []
    assert Appointment.get(reverted).held_slot is None


def test_appointments_paid_before_holds_existed_are_backfilled(anon, customer_id, other_customer_id, capacity):
    from io import StringIO

    from django.core.management import call_command

    capacity(1)
    early, late = _book(anon, customer_id), _book(anon, other_customer_id)
    for appointment_id, paid_at in ((early, 100), (late, 200)):  # paid by the code before holds
        Appointment.get(appointment_id).update(
            actions=[Appointment.payment_status.set("paid"), Appointment.paid_at.set(paid_at)]
        )
    assert _pending_entries(anon) == []
    out = StringIO()
    call_command("hold_paid_first_choices", stdout=out)
    assert [e["appointmentId"] for e in _pending_entries(anon)] == [early]  # earliest payment wins
    assert f"{late}: nothing held" in out.getvalue()
    call_command("hold_paid_first_choices", stdout=StringIO())  # again: nothing changes
    assert [e["appointmentId"] for e in _pending_entries(anon)] == [early]
    assert _free(anon) == ("full", 0)
