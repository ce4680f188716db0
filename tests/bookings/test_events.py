import datetime as dt

from autolab import clock
from tests.bookings.conftest import future_day


def test_staff_get_live_events_for_new_and_updated_appointments(book, support, staff_events):
    appointment_id = book()
    support.api().patch(
        f"/api/appointments/{appointment_id}",
        {"scheduledTimeSlot": {"date": future_day(), "start": "09:00", "end": "11:00"}},
        format="json",
    )
    created, updated = [e for e in staff_events() if e["type"].startswith("appointment.")]
    assert (created["type"], created["appointmentId"], created["status"]) == (
        "appointment.created",
        appointment_id,
        "PENDING",
    )
    assert (updated["type"], updated["status"], updated["scheduledDate"]) == (
        "appointment.updated",
        "SCHEDULED",
        future_day(),
    )


def test_today_slots_are_too_soon_exactly_within_two_hours(anon, capacity):
    capacity(1)
    today = clock.business_today()
    body = anon.get(f"/api/availability?serviceId=1&planId=1&date={today}").json()
    checked_at = clock.now()
    for slot in body["days"][0]["slots"]:
        lead = clock.local_datetime(today, slot["start"]) - checked_at
        if lead > dt.timedelta(hours=2, minutes=1):
            assert slot["status"] == "available", slot
        elif lead < dt.timedelta(hours=2) - dt.timedelta(minutes=1):
            assert slot["status"] == "too_soon", slot
