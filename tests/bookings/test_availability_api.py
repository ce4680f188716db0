import datetime as dt

import pytest

from autolab import clock
from tests.bookings.conftest import future_day


def slots_of(anon, day, plan=1):
    response = anon.get(f"/api/availability?serviceId=1&planId={plan}&date={day}")
    assert response.status_code == 200, response.json()
    return {s["start"]: s for s in response.json()["days"][0]["slots"]}


def test_every_candidate_slot_with_capacity_from_active_mechanics(anon, make_staff):
    make_staff("MECHANIC")
    make_staff("MECHANIC", "CLERK")
    make_staff("CLERK")
    body = anon.get(f"/api/availability?serviceId=1&planId=2&date={future_day()}").json()
    assert (body["serviceId"], body["planId"], body["durationMinutes"], body["capacity"]) == (1, 2, 180, 2)
    slots = body["days"][0]["slots"]
    assert slots[0] == {"start": "08:00", "end": "11:00", "status": "available", "free": 2}
    assert slots[-1]["end"] == "20:00"
    assert len(slots) == 19


def test_blocked_full_and_available(anon, admin, support, book, capacity, mechanic):
    capacity(1)
    day = future_day()
    admin.api().post(
        "/api/unavailable-slots", {"date": day, "operation": "set", "timeSlots": ["12:00-13:00"]}, format="json"
    )
    appointment_id = book()
    support.api().patch(
        f"/api/appointments/{appointment_id}",
        {"scheduledTimeSlot": {"date": day, "start": "09:00", "end": "11:00"}},
        format="json",
    )
    slots = slots_of(anon, day)
    assert slots["08:00"]["status"] == "full"  # 08:00-10:00 overlaps the job
    assert slots["11:00"]["status"] == "blocked"  # 11:00-13:00 overlaps the block
    assert slots["13:00"] == {"start": "13:00", "end": "15:00", "status": "available", "free": 1}
    assert slots["10:00"]["status"] == "full"  # 10:00-12:00 touches the block only at 12:00
    assert slots["10:30"]["status"] == "blocked"


def test_too_soon_within_two_hours_and_past_days(anon, capacity):
    capacity(2)
    yesterday = (clock.business_today() - dt.timedelta(days=1)).isoformat()
    assert {s["status"] for s in slots_of(anon, yesterday).values()} == {"too_soon"}


def test_range_of_31_days(anon, capacity):
    capacity(1)
    first, last = future_day(1), future_day(31)
    body = anon.get(f"/api/availability?serviceId=1&planId=1&startDate={first}&endDate={last}").json()
    assert body["days"][0]["date"] == first
    assert body["days"][-1]["date"] == last
    assert len(body["days"]) == 31


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("serviceId=1&planId=9&date=2030-01-01", 404),
        ("serviceId=6&planId=1&date=2030-01-01", 404),
        ("serviceId=x&planId=1&date=2030-01-01", 400),
        ("planId=1&date=2030-01-01", 400),
        ("serviceId=1&planId=1", 400),
        ("serviceId=1&planId=1&startDate=2030-01-01&endDate=2030-04-01", 400),
    ],
)
def test_bad_availability_queries(anon, query, status):
    response = anon.get(f"/api/availability?{query}")
    assert response.status_code == status
    assert response.json()["success"] is False
    assert response.json()["message"]
