import datetime as dt

import pytest

from autolab import clock
from bookings.models import UnavailableSlot
from tests.bookings.conftest import future_day


def post(persona, **body):
    return persona.api().post("/api/unavailable-slots", body, format="json")


def stored(date):
    try:
        return [(p.start_time, p.end_time) for p in UnavailableSlot.get(date).time_slots]
    except UnavailableSlot.DoesNotExist:
        return None


def test_admin_sets_adds_and_removes_with_merging_and_splitting(admin):
    day = future_day()
    response = post(
        admin, date=day, operation="set", timeSlots=["09:00-10:00", {"startTime": "10:00", "endTime": "11:00"}]
    )
    assert response.status_code == 200
    assert response.json()["newSlots"] == ["09:00-11:00"]  # the original's "HH:MM-HH:MM" strings
    post(admin, date=day, operation="add", timeSlots=[{"start": "14:00", "end": "15:00"}])
    response = post(admin, date=day, operation="remove", timeSlots=["09:30-10:00"])
    body = response.json()
    assert body["previousSlots"] == ["09:00-11:00", "14:00-15:00"]
    assert body["newSlots"] == ["09:00-09:30", "10:00-11:00", "14:00-15:00"]
    assert stored(day) == [("09:00", "09:30"), ("10:00", "11:00"), ("14:00", "15:00")]
    assert body["updatedBy"] == admin.user_id
    assert body["operation"] == "remove"


def test_operation_get_answers_like_the_public_read(admin, anon):
    day, first, last = future_day(), future_day(3), future_day(4)
    post(admin, date=day, operation="add", timeSlots=["09:00-10:00"])
    for body in ({"date": day}, {"date": day, "operation": "get"}):
        response = post(admin, **body)
        assert response.status_code == 200
        assert response.json() == anon.get(f"/api/unavailable-slots?date={day}").json()
        assert response.json()["manuallyUnavailableSlots"] == ["09:00-10:00"]
    response = post(admin, startDate=first, endDate=last, operation="get")
    assert response.status_code == 200
    assert response.json() == anon.get(f"/api/unavailable-slots?startDate={first}&endDate={last}").json()
    assert sorted(response.json()["unavailableSlotsByDate"]) == [first, last]
    assert stored(first) is None  # a get writes nothing


def test_set_with_empty_list_clears_the_day(admin):
    day = future_day()
    post(admin, date=day, operation="set", timeSlots=["09:00-10:00"])
    assert post(admin, date=day, operation="set", timeSlots=[]).status_code == 200
    assert stored(day) == []


def test_range_blocks_every_day(admin, anon):
    first, last = future_day(3), future_day(5)
    response = post(admin, startDate=first, endDate=last, operation="add", timeSlots=["12:00-13:00"])
    assert response.status_code == 200
    assert sorted(response.json()["results"]) == [future_day(3), future_day(4), future_day(5)]
    got = anon.get(f"/api/unavailable-slots?startDate={first}&endDate={last}").json()
    assert got["dateRange"] == {"startDate": first, "endDate": last}
    assert all(day["manuallyUnavailableSlots"] == ["12:00-13:00"] for day in got["unavailableSlotsByDate"].values())


@pytest.mark.parametrize("role", ["CUSTOMER_SUPPORT", "MECHANIC", "CLERK"])
def test_only_admin_blocks_through_the_api(make_staff, role):
    day = future_day()
    assert post(make_staff(role), date=day, operation="add", timeSlots=["09:00-10:00"]).status_code == 403
    assert stored(day) is None


def test_anonymous_cannot_block(anon):
    assert anon.post(
        "/api/unavailable-slots",
        {"date": future_day(), "operation": "add", "timeSlots": ["09:00-10:00"]},
        format="json",
    ).status_code in (401, 403)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"operation": "add", "timeSlots": ["09:00-10:00"]}, "Either 'date'"),
        ({"date": "2030-13-01", "operation": "add", "timeSlots": ["09:00-10:00"]}, "YYYY-MM-DD"),
        ({"date": "FUTURE", "operation": "explode", "timeSlots": ["09:00-10:00"]}, "operation"),
        ({"date": "FUTURE", "operation": "add", "timeSlots": []}, "must not be empty"),
        ({"date": "FUTURE", "operation": "add", "timeSlots": ["10:00-09:00"]}, "end must be after"),
        ({"date": "FUTURE", "operation": "add", "timeSlots": "09:00-10:00"}, "array"),
        ({"date": "FUTURE", "operation": "add", "timeSlots": [42]}, "Invalid timeslot"),
    ],
)
def test_bad_block_requests_are_400_and_write_nothing(admin, body, message):
    if body.get("date") == "FUTURE":
        body["date"] = future_day()
    response = post(admin, **body)
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert stored(future_day()) is None


def test_get_single_date_shape_and_check_slot(admin, anon):
    day = future_day()
    post(admin, date=day, operation="set", timeSlots=["09:00-10:00"])
    body = anon.get(f"/api/unavailable-slots?date={day}").json()
    assert body["manuallyUnavailableSlots"] == ["09:00-10:00"]
    assert body["unavailableSlots"] == [{"timeSlot": "09:00-10:00", "reason": "manually_set"}]
    assert body["scheduledSlots"] == []
    touching = anon.get(f"/api/unavailable-slots?date={day}&checkSlot=10:00-11:00").json()
    assert touching["availabilityCheck"] == {
        "date": day,
        "requestedSlot": "10:00-11:00",
        "appointmentsCount": 0,
        "blocked": False,
    }
    assert touching["fullUnavailableSlots"]["date"] == day
    inside = anon.get(f"/api/unavailable-slots?date={day}&checkSlot=09:01-09:59").json()
    assert inside["availabilityCheck"]["blocked"] is True


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Either 'date'"),
        ("date=2030-01-01&startDate=2030-01-01&endDate=2030-01-02", "Cannot specify both"),
        ("startDate=2030-01-01&endDate=2030-01-02&checkSlot=09:00-10:00", "checkSlot"),
        ("date=01/02/2030", "YYYY-MM-DD"),
        ("date=2030-01-01&checkSlot=0900-1000", "Invalid timeslot format"),
        ("startDate=2030-01-05&endDate=2030-01-01", "before"),
        ("startDate=2030-01-01&endDate=2031-01-01", "at most"),
    ],
)
def test_bad_queries_are_400(anon, query, message):
    response = anon.get(f"/api/unavailable-slots?{query}")
    assert response.status_code == 400
    assert message in response.json()["message"]


def test_scheduled_appointments_show_as_scheduled_slots(book, support, anon):
    appointment_id = book()
    day = future_day()
    support.api().patch(
        f"/api/appointments/{appointment_id}",
        {"scheduledTimeSlot": {"date": day, "start": "13:00", "end": "15:00"}},
        format="json",
    )
    body = anon.get(f"/api/unavailable-slots?date={day}&checkSlot=14:00-16:00").json()
    assert body["fullUnavailableSlots"]["scheduledSlots"] == [
        {
            "timeSlot": "13:00-15:00",
            "reason": "scheduled_appointment",
            "appointmentId": appointment_id,
            "status": "SCHEDULED",
        }
    ]
    assert body["availabilityCheck"]["appointmentsCount"] == 1
    assert (
        anon.get(f"/api/unavailable-slots?date={day}&checkSlot=15:00-16:00").json()["availabilityCheck"][
            "appointmentsCount"
        ]
        == 0
    )


def test_range_over_31_days_works(anon):
    first = clock.business_today()
    last = first + dt.timedelta(days=30)
    body = anon.get(f"/api/unavailable-slots?startDate={first}&endDate={last}").json()
    assert len(body["unavailableSlotsByDate"]) == 31
