"""#19.4: scheduling in one pass on the appointment page: each mechanic's free/busy for the day, the
end from the plan, and a clash that keeps the input and offers the nearest free slots."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from bookings.models import Appointment
from tests.bookings.conftest import future_day

DAY = future_day()


def _schedule(client, appointment_id, **fields):
    body = {"date": DAY, "start": "09:00", "end": "", "mechanic": "", "version": 1, **fields}
    return client.post(f"/admin/bookings/appointments/{appointment_id}/schedule/", body)


def _messages(response):
    return [str(message) for message in response.context["messages"] if message.level_tag == "error"]


def _kept(response):
    """The query string the refused schedule sent the page back with."""
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    return {key: values[0] for key, values in parse_qs(url.query, keep_blank_values=True).items()}


@pytest.fixture
def mechanics(make_staff):
    return make_staff("MECHANIC", name="Ann Mechanic"), make_staff("MECHANIC", name="Ben Mechanic")


def test_free_busy_of_each_mechanic_and_the_end_from_the_plan(book, support, mechanics, capacity):
    capacity(3)
    ann, ben = mechanics
    first, second = book(), book()
    client = support.portal()
    response = _schedule(client, first, start="09:00", mechanic=ann.user_id)  # no end: the plan's 120 min
    assert response.status_code == 302
    assert Appointment.get(first).scheduled_time_slot.end == "11:00"

    html = client.get(f"/admin/bookings/appointments/{second}/?date={DAY}&start=13:00").content.decode()
    rows = dict(re.findall(r'<tr data-mechanic="([^"]+)">(.*?)</tr>', html, re.S))
    assert "09:00\u201311:00" in rows[ann.user_id]
    assert "Free all day" in rows[ben.user_id]
    assert 'badge-ok">Free' in rows[ann.user_id]  # 13:00-15:00 does not touch 09:00-11:00
    assert f'value="{DAY}"' in html  # the date widget needs YYYY-MM-DD to show the day
    assert "(120 min)" in html
    assert 'id="clash"' not in html

    override = _schedule(client, second, start="13:00", end="16:30", mechanic=ben.user_id)
    assert override.status_code == 302
    stored = Appointment.get(second)
    assert (stored.status, stored.scheduled_time_slot.start, stored.scheduled_time_slot.end) == (
        "SCHEDULED",
        "13:00",
        "16:30",
    )


def test_a_busy_mechanic_keeps_the_input_and_offers_the_nearest_free_slots(book, support, mechanics, capacity):
    capacity(3)
    ann, ben = mechanics
    taken, wanted = book(), book()
    client = support.portal()
    _schedule(client, taken, start="09:00", mechanic=ann.user_id)

    refused = _schedule(client, wanted, start="10:00", mechanic=ann.user_id)
    kept = _kept(refused)
    assert kept == {"date": DAY, "start": "10:00", "end": "", "mechanic": ann.user_id, "clash": "1"}
    page = client.get(refused["Location"])
    assert _messages(page) == ["The mechanic already has a job at that time"]
    html = page.content.decode()
    assert '<option value="10:00" selected>' in html
    assert f'<option value="{ann.user_id}" selected>' in html
    assert Appointment.get(wanted).status == "PENDING"
    assert "is taken: the mechanic already has a job then." in html
    offers = re.findall(r'name="slot" value="([^"]+)"', html)
    assert offers[0] == f"{DAY}|10:00|12:00|{ben.user_id}"  # the same time with the free mechanic first
    assert f"{DAY}|11:00|13:00|{ann.user_id}" in offers  # then Ann's nearest free time
    assert all(not re.match(rf"{DAY}\|(08:00|08:30|09:00|09:30|10:00|10:30)\|[^|]+\|{ann.user_id}$", o) for o in offers)

    chosen = _schedule(client, wanted, slot=offers[0], start="10:00", mechanic=ann.user_id)
    assert chosen.status_code == 302
    stored = Appointment.get(wanted)
    assert (stored.status, stored.assigned_mechanic_id, stored.scheduled_time_slot.start) == (
        "SCHEDULED",
        ben.user_id,
        "10:00",
    )


def test_a_blocked_or_full_slot_is_refused_by_the_service_with_free_slots_offered(book, support, admin, capacity):
    capacity(1)
    taken, wanted = book(), book()
    admin.api().post(
        "/api/unavailable-slots", {"date": DAY, "operation": "set", "timeSlots": ["13:00-14:00"]}, format="json"
    )
    client = support.portal()
    _schedule(client, taken, start="09:00")

    full = client.get(_schedule(client, wanted, start="10:00")["Location"])
    assert _messages(full) == ["That time slot is fully booked"]
    offers = re.findall(r'name="slot" value="([^"]+)"', full.content.decode())
    assert offers[0] == f"{DAY}|11:00|13:00|"  # next free after the 09:00-11:00 job, no mechanic chosen

    blocked = client.get(_schedule(client, wanted, start="12:30")["Location"])
    assert _messages(blocked) == [f"{DAY} 12:30-14:30 is blocked"]
    assert "is taken: the time is blocked." in blocked.content.decode()
    offers = re.findall(r'name="slot" value="[^|]+\|(\d\d:\d\d)\|', blocked.content.decode())
    assert offers
    assert not set(offers) & {"12:00", "12:30", "13:00", "13:30"}
    assert Appointment.get(wanted).status == "PENDING"


def test_bad_input_and_show_day_keep_the_input_without_a_500(book, support, mechanics):
    appointment_id = book()
    client = support.portal()
    bad = _schedule(client, appointment_id, date="31/12/2099", start="25:00")
    assert _kept(bad)["date"] == "31/12/2099"
    page = client.get(bad["Location"])
    assert page.status_code == 200
    assert _messages(page) == ["Choose a date, a start and, if you like, a mechanic and an end."]
    assert 'id="schedule-errors"' in page.content.decode()

    backwards = client.get(_schedule(client, appointment_id, start="15:00", end="14:00")["Location"])
    assert _messages(backwards) == ["scheduledTimeSlot: Invalid time slot 15:00-14:00: the end must be after the start"]
    late = client.get(_schedule(client, appointment_id, start="19:00")["Location"])
    assert _messages(late) == ["scheduledTimeSlot must be within business hours (08:00-20:00)"]
    forged = _schedule(client, appointment_id, slot="2099-01-01|09:00|11:00|no-such-mechanic")
    assert client.get(forged["Location"]).status_code == 200
    assert Appointment.get(appointment_id).status == "PENDING"

    other_day = future_day(8)
    shown = _schedule(client, appointment_id, date=other_day, start="14:00", show_day="1")
    assert _kept(shown) == {"date": other_day, "start": "14:00", "end": "", "mechanic": ""}
    assert Appointment.get(appointment_id).scheduled_time_slot is None
    html = client.get(shown["Location"]).content.decode()
    assert f'value="{other_day}"' in html
    assert '<option value="14:00" selected>' in html
    assert client.get(f"/admin/bookings/appointments/{appointment_id}/?date=nonsense&start=x").status_code == 200
