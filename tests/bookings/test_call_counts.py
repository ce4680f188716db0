"""DynamoDB calls per request at the physical limit (#11.5), counted as the bench counts them.

``bench.harness.count_dynamodb_calls`` counts every call botocore makes inside the block, the
eager in-process email send included (the booking's confirmation, the schedule's update), as in
``bench/results.md``. The pins are exact, so a regression (or an unexpected saving) fails; each
answer is checked as well, so a count is never met by doing less.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from rest_framework.test import APIClient

from autolab import clock
from bench.harness import count_dynamodb_calls
from bookings.models import Appointment, BookingCounter
from emails.models import EmailMetadata
from tests.bookings.conftest import booking, future_day

# The worker's send of one email written in the change's transaction (its record comes with the
# task): the recipient's suppression entries, the claim, and the finish with its analytics event
# and daily count (one transaction).
SEND = Counter({"Query": 1, "UpdateItem": 1, "TransactWriteItems": 1})


def _post_booking(client, customer_id, **overrides):
    return client.post(
        "/api/appointments", {"userId": customer_id, "appointmentData": booking(**overrides)}, format="json"
    )


def _sent(email_type: str) -> list[EmailMetadata]:
    return [m for m in EmailMetadata.scan() if m.email_type == email_type and m.status == "sent"]


def test_a_customer_booking_is_one_batch_get_and_one_transaction_plus_the_send(anon, customer_id):
    for number in (1, 2):  # the first of the day (no day counter yet) and the next
        with count_dynamodb_calls() as calls:
            response = _post_booking(anon, customer_id)
        assert response.status_code == 200, response.json()
        # Customer, plan, the days' blocks and load, day counter: one BatchGetItem; appointment,
        # counter, email, its dedupe key and thread head: one transaction.
        assert calls == Counter({"BatchGetItem": 1, "TransactWriteItems": 1}) + SEND
        assert sum(calls.values()) == 5
        assert len(_sent("appointment_created")) == number
    counter = BookingCounter.get(f"{customer_id}#{clock.business_date_str()}")
    assert (counter.bookings, counter.day_total) == (2, 2)


def test_the_daily_limit_is_still_counted_on_the_index_once_the_counter_reaches_it(anon, customer_id):
    for _ in range(3):
        assert _post_booking(anon, customer_id).status_code == 200
    with count_dynamodb_calls() as calls:
        response = _post_booking(anon, customer_id)
    assert response.status_code == 429
    assert calls == Counter({"BatchGetItem": 1, "Query": 1})
    assert len(list(Appointment.created_user_index.query(customer_id))) == 3


def test_staff_scheduling_with_a_mechanic(make_staff, customer_id):
    support, mechanic = make_staff("CUSTOMER_SUPPORT"), make_staff("MECHANIC")
    client = support.api()
    created = client.post("/api/appointments", {"userId": customer_id, "appointmentData": booking()}, format="json")
    appointment_id = created.json()["appointmentId"]
    client.get(f"/api/availability?serviceId=1&planId=1&date={future_day()}")  # capacity: mechanics cached
    body = {
        "scheduledTimeSlot": {"date": future_day(), "start": "09:00", "end": "11:00"},
        "assignedMechanicId": mechanic.user_id,
    }
    with count_dynamodb_calls() as calls:
        response = client.patch(f"/api/appointments/{appointment_id}", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["appointment"]["scheduledTimeSlot"] == body["scheduledTimeSlot"]
    assert response.json()["appointment"]["assignedMechanicId"] == mechanic.user_id
    # The staff member (read per request), the appointment with the day's blocks in one
    # BatchGetItem; appointment, slot load, mechanic's day and the email in one transaction.
    assert calls == Counter({"GetItem": 1, "BatchGetItem": 1, "TransactWriteItems": 1}) + SEND
    assert sum(calls.values()) == 6
    [email] = _sent("appointment_updated")
    assert "Scheduling Update: Appointment scheduled" in email.body_text


def test_a_notes_edit_writes_the_change_and_its_email_in_one_transaction(support, customer_id):
    client = support.api()
    created = client.post("/api/appointments", {"userId": customer_id, "appointmentData": booking()}, format="json")
    appointment_id = created.json()["appointmentId"]
    with count_dynamodb_calls() as calls:
        response = client.patch(f"/api/appointments/{appointment_id}", {"notes": "Gate code 42"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["appointment"]["notes"] == "Gate code 42"
    assert calls == Counter({"GetItem": 2, "TransactWriteItems": 1}) + SEND
    assert Appointment.get(appointment_id).version == 2
    assert len(_sent("appointment_updated")) == 1


def _blocked_on_the_first_day(body: dict) -> bool:
    statuses = {slot["start"]: slot["status"] for slot in body["days"][0]["slots"]}
    return len(body["days"]) == 31 and statuses["11:00"] == "blocked" and statuses["13:00"] != "blocked"


@pytest.mark.parametrize(
    ("path", "answer"),
    [
        ("/api/availability?serviceId=1&planId=2&startDate={first}&endDate={last}", _blocked_on_the_first_day),
        ("/api/unavailable-slots?startDate={first}&endDate={last}", lambda body: "12:00-13:00" in str(body)),
        (
            "/api/unavailable-slots?date={first}&checkSlot=11:00-13:00",
            lambda body: body["availabilityCheck"]["blocked"] is True,
        ),
    ],
)
def test_availability_and_unavailable_slots_for_31_days_are_one_batch_get(anon, admin, path, answer):
    today = clock.business_today()
    first, last = (today + dt.timedelta(days=1)).isoformat(), (today + dt.timedelta(days=31)).isoformat()
    admin.api().post(
        "/api/unavailable-slots", {"date": first, "operation": "add", "timeSlots": ["12:00-13:00"]}, format="json"
    )
    url = path.format(first=first, last=last)
    assert anon.get(url).status_code == 200  # warms the plan and mechanics caches
    with count_dynamodb_calls() as calls:
        response = anon.get(url)
    assert response.status_code == 200
    assert calls == Counter({"BatchGetItem": 1})
    assert answer(response.json()), response.json()


@pytest.mark.django_db(transaction=True)
def test_staff_bookings_for_the_customer_count_on_the_day_counter(support, customer_id):
    client = support.api()
    for _ in range(2):
        body = {"userId": customer_id, "appointmentData": booking(selectedSlots=[])}
        assert client.post("/api/appointments", body, format="json").status_code == 200
    with ThreadPoolExecutor(max_workers=5) as pool:
        statuses = list(pool.map(lambda _: _post_booking(APIClient(), customer_id).status_code, range(5)))
    assert sorted(statuses) == [200, 429, 429, 429, 429]
