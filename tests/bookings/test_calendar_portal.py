"""#19: the week calendar: a block over booked jobs asks first, the "From" date shows, a colour and a
name per mechanic, click-to-open (never onto a job a mechanic may not open) and a day view."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest

from autolab import clock
from bookings.models import Appointment, UnavailableSlot
from bookings.portal.calendar import _lanes
from bookings.slots import Interval
from staffapp.templatetags.staff_format import day as day_text
from tests.bookings.conftest import booking, future_day

DAY = future_day()
BLOCK = {"start_date": DAY, "end_date": "", "start": "10:00", "end": "12:00", "action": "add"}


def _schedule(client, appointment_id, start, mechanic=""):
    body = {"date": DAY, "start": start, "end": "", "mechanic": mechanic, "version": 1}
    response = client.post(f"/admin/bookings/appointments/{appointment_id}/schedule/", body)
    assert response.status_code == 302
    assert Appointment.get(appointment_id).status == "SCHEDULED"


def _messages(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def mechanics(make_staff):
    return make_staff("MECHANIC", name="Ann Mechanic"), make_staff("MECHANIC", name="Ben Mechanic")


def test_blocking_over_booked_jobs_lists_them_first_and_blocks_once_confirmed(book, support, mechanics, capacity):
    capacity(3)
    ann, _ = mechanics
    appointment_id = book()
    client = support.portal()
    _schedule(client, appointment_id, "09:00", ann.user_id)

    asked = client.post("/admin/bookings/calendar/", BLOCK)
    assert asked.status_code == 302
    assert urlsplit(asked["Location"]).path == "/admin/bookings/calendar/block/"
    assert UnavailableSlot.get_or_none(DAY) is None  # nothing written yet
    page = client.get(asked["Location"]).content.decode()
    rows = re.findall(r"<tr><td data-label=\"Customer\">(.*?)</tr>", page, re.S)
    assert len(rows) == 1
    assert f'/admin/bookings/appointments/{appointment_id}/">Cara Buyer</a>' in rows[0]
    day = clock.parse_date(DAY)
    assert f"{day:%a} {day.day} {day:%b}" in rows[0]
    assert "09:00\u201311:00" in rows[0]
    assert "Ann Mechanic" in rows[0]
    assert ">Scheduled</span>" in rows[0]
    assert "No one is emailed" in page

    confirmed = client.post("/admin/bookings/calendar/", {**BLOCK, "confirmed": "True"}, follow=True)
    assert f"Blocked 10:00\u201312:00 on {day_text(DAY)}." in _messages(confirmed)
    assert [(p.start_time, p.end_time) for p in UnavailableSlot.get(DAY).time_slots] == [("10:00", "12:00")]
    assert Appointment.get(appointment_id).status == "SCHEDULED"  # the job stays booked


def test_unblocking_and_blocking_an_empty_period_do_not_ask(book, support, capacity):
    capacity(2)
    appointment_id = book()
    client = support.portal()
    _schedule(client, appointment_id, "09:00")
    free = client.post("/admin/bookings/calendar/", {**BLOCK, "start": "14:00", "end": "15:00"})
    assert urlsplit(free["Location"]).path == "/admin/bookings/calendar/"
    assert [p.start_time for p in UnavailableSlot.get(DAY).time_slots] == ["14:00"]
    removed = client.post("/admin/bookings/calendar/", {**BLOCK, "start": "09:00", "end": "15:00", "action": "remove"})
    assert urlsplit(removed["Location"]).path == "/admin/bookings/calendar/"


def test_the_confirmation_page_refuses_bad_input_and_other_roles(support, mechanic):
    client = support.portal()
    for query in ("start_date=nonsense&start=10:00&end=12:00&action=add", "", f"start_date={DAY}&action=remove"):
        response = client.get(f"/admin/bookings/calendar/block/?{query}", follow=True)
        assert response.status_code == 200
        assert _messages(response) == ["Choose the dates and times to block."]
    query = f"start_date={DAY}&start=12:00&end=10:00&action=add"
    backwards = client.get(f"/admin/bookings/calendar/block/?{query}", follow=True)
    assert _messages(backwards) == ["Invalid time slot 12:00-10:00: the end must be after the start"]
    too_long = client.post("/admin/bookings/calendar/", {**BLOCK, "end_date": future_day(200)}, follow=True)
    assert _messages(too_long) == ["Choose an end date on or after the start, at most 93 days"]
    assert mechanic.portal().get(f"/admin/bookings/calendar/block/?start_date={DAY}").status_code == 403


def test_the_from_date_shows_and_mechanics_have_a_colour_a_legend_and_links(book, support, mechanics, capacity):
    capacity(3)
    ann, ben = mechanics
    first, second, third = book(), book(), book()
    client = support.portal()
    _schedule(client, first, "09:00", ann.user_id)
    _schedule(client, second, "10:00", ben.user_id)
    _schedule(client, third, "15:00")
    html = client.get(f"/admin/bookings/calendar/?week={DAY}").content.decode()
    monday = clock.parse_date(DAY) - dt.timedelta(days=clock.parse_date(DAY).weekday())
    today = clock.business_today()
    focus = today if monday <= today < monday + dt.timedelta(days=7) else monday
    assert f'name="start_date" value="{focus.isoformat()}"' in html
    legend = re.search(r'<ul class="cal-legend".*?</ul>', html, re.S).group(0)
    assert re.search(r"mech-0.*Ann Mechanic.*mech-1.*Ben Mechanic.*No mechanic yet", legend, re.S)
    boxes = dict(re.findall(r'<a class="cal-box cal-job (mech-\w+)"[^>]*href="[^"]*/appointments/([\w-]+)/"', html))
    assert boxes == {"mech-0": first, "mech-1": second, "mech-none": third}
    assert 'grid-column: 1 / 31" href="/admin/bookings/appointments/' + first in html  # 09:00 and 10:00 overlap
    assert 'grid-column: 31 / 61" href="/admin/bookings/appointments/' + second in html
    assert "Ann Mechanic · Scheduled" in html
    assert "No mechanic yet · Scheduled" in html


def test_a_mechanic_sees_other_mechanics_jobs_as_busy_without_links_or_customers(
    book, support, mechanics, capacity, anon, other_customer_id
):
    capacity(3)
    ann, ben = mechanics
    own = book()
    data = booking(buyerData={"name": "Dan Other", "email": "dan@example.com", "phoneNumber": "+61 400 000 000"})
    response = anon.post("/api/appointments", {"userId": other_customer_id, "appointmentData": data}, format="json")
    others = response.json()["appointmentId"]
    client = support.portal()
    _schedule(client, own, "09:00", ann.user_id)
    _schedule(client, others, "13:00", ben.user_id)
    html = ann.portal().get(f"/admin/bookings/calendar/?week={DAY}").content.decode()
    assert f"/admin/bookings/appointments/{own}/" in html
    assert others not in html
    assert "Dan Other" not in html
    assert re.search(r'<div class="cal-box cal-job cal-busy mech-1"[^>]*><strong>13:00\u201315:00</strong> Busy', html)
    assert 'id="block-form"' not in html


def test_the_day_view_shows_one_day_with_previous_and_next(support):
    client = support.portal()
    html = client.get(f"/admin/bookings/calendar/?day={DAY}&view=day").content.decode()
    assert 'class="cal cal-single"' in html
    assert re.findall(r'class="cal-day cal-focus" data-date="([\d-]+)"', html) == [DAY]
    day = dt.date.fromisoformat(DAY)  # set at collection, which may have been before midnight
    assert f'href="?day={day - dt.timedelta(days=1)}&amp;view=day" id="previous-day"' in html
    assert f'href="?day={day + dt.timedelta(days=1)}&amp;view=day" id="next-day"' in html
    assert client.get("/admin/bookings/calendar/?day=31-12-2099&view=day").status_code == 200
    assert client.get("/admin/bookings/calendar/?week=garbage").status_code == 200


def test_lanes_share_the_width_only_among_overlapping_jobs():
    slots = [Interval(540, 660), Interval(600, 720), Interval(660, 780), Interval(900, 960)]
    assert _lanes(slots) == [(1, 31), (31, 61), (1, 31), (1, 61)]
    assert _lanes([Interval(540, 600)] * 3) == [(1, 21), (21, 41), (41, 61)]
    assert _lanes([]) == []
