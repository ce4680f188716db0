from concurrent.futures import ThreadPoolExecutor

import pytest

from bookings import selectors
from bookings.models import Appointment
from tests.bookings.conftest import booking, future_day

pytestmark = pytest.mark.django_db(transaction=True)


def walk_ins(support, count):
    client = support.api()
    ids = []
    for _ in range(count):
        response = client.post("/api/appointments", {"appointmentData": booking(selectedSlots=[])}, format="json")
        ids.append(response.json()["appointmentId"])
    return ids


def in_parallel(support, bodies):
    def attempt(item):
        appointment_id, body = item
        return support.api().patch(f"/api/appointments/{appointment_id}", body, format="json").status_code

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(attempt, bodies))


def scheduled(ids):
    return [a for a in Appointment.batch_get(ids) if a.scheduled_time_slot is not None]


def test_twenty_parallel_schedules_of_one_slot_with_capacity_one(make_staff, capacity):
    capacity(1)
    support = make_staff("CUSTOMER_SUPPORT")
    ids = walk_ins(support, 20)
    body = {"scheduledTimeSlot": {"date": future_day(), "start": "09:00", "end": "11:00"}}
    statuses = in_parallel(support, [(appointment_id, body) for appointment_id in ids])
    assert statuses.count(200) == 1, statuses
    assert statuses.count(409) == 19
    assert len(scheduled(ids)) == 1
    assert selectors.day_state(future_day()).load == {"0900": 1, "0930": 1, "1000": 1, "1030": 1}


def test_one_mechanic_is_never_double_booked_under_races(make_staff, capacity):
    capacity(20)
    support, mechanic = make_staff("CUSTOMER_SUPPORT"), make_staff("MECHANIC")
    ids = walk_ins(support, 8)
    bodies = [
        (
            appointment_id,
            {
                "scheduledTimeSlot": {
                    "date": future_day(),
                    "start": f"{9 + i % 2:02d}:00",
                    "end": f"{11 + i % 2:02d}:00",
                },
                "assignedMechanicId": mechanic.user_id,
            },
        )
        for i, appointment_id in enumerate(ids)
    ]
    statuses = in_parallel(support, bodies)
    assert statuses.count(200) == 1, statuses
    assert len(scheduled(ids)) == 1
    assert len(selectors.mechanic_day_jobs(mechanic.user_id, future_day())) == 1


def test_two_staff_editing_one_appointment_never_silently_overwrite(make_staff):
    support = make_staff("CUSTOMER_SUPPORT")
    [appointment_id] = walk_ins(support, 1)
    version = Appointment.get(appointment_id).version
    bodies = [(appointment_id, {"notes": f"edit {i}", "version": version}) for i in range(6)]
    statuses = in_parallel(support, bodies)
    assert statuses.count(200) == 1, statuses
    assert statuses.count(409) == 5
    assert Appointment.get(appointment_id).version == version + 1
