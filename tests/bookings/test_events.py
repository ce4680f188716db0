import asyncio
import datetime as dt

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from autolab import clock
from autolab.events import STAFF_GROUP
from tests.bookings.conftest import future_day


def events(layer, channel):
    async def drain():
        received = []
        while True:
            try:
                received.append((await asyncio.wait_for(layer.receive(channel), timeout=0.5))["event"])
            except TimeoutError:
                return received

    return async_to_sync(drain)()


def test_staff_get_live_events_for_new_and_updated_appointments(book, support):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(STAFF_GROUP, channel)
    appointment_id = book()
    support.api().patch(
        f"/api/appointments/{appointment_id}",
        {"scheduledTimeSlot": {"date": future_day(), "start": "09:00", "end": "11:00"}},
        format="json",
    )
    created, updated = [e for e in events(layer, channel) if e["type"].startswith("appointment.")]
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
