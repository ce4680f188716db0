"""A mechanic's calendar feed (#16.5): a signed link on "My day" serves their scheduled jobs as ICS,
parsed back here; forged, revoked and no-longer-mechanic links answer 404."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.test import Client

from bookings.models import Appointment
from tests.bookings.conftest import booking, future_day

FEED = re.compile(r'id="calendar-feed-url" type="url" readonly value="([^"]+)"')


def parse_ics(text: str) -> list[dict[str, str]]:
    """The VEVENTs of ``text`` (lines unfolded, RFC 5545 §3.1) as property -> value."""
    lines = text.replace("\r\n ", "").split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-2:] == ["END:VCALENDAR", ""]
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name.split(";")[0]] = value
    return events


def feed_path(persona) -> str:
    page = persona.portal().get(f"/admin/bookings/my-day/?date={future_day()}")
    assert page.status_code == 200
    url = unescape(FEED.search(page.content.decode()).group(1))
    assert 'href="webcal://' in page.content.decode()
    return urlsplit(url).path


def schedule(support, appointment_id, mechanic, day, start="09:00", end="11:00"):
    body = {"date": day, "start": start, "end": end, "mechanic": mechanic.user_id, "version": 1}
    support.portal().post(f"/admin/bookings/appointments/{appointment_id}/schedule/", body)
    assert Appointment.get(appointment_id).status == "SCHEDULED"


@pytest.fixture
def jobs(book, anon, other_customer_id, support, mechanic, make_staff, capacity):
    """Two jobs of ``mechanic``, one of another mechanic, one still pending."""
    capacity(3)
    other = make_staff("MECHANIC", name="Olga Other")
    mine = book(carData={"make": "Mazda", "model": "3", "year": 2019, "location": "12 Rokeby Rd, Subiaco WA 6008"})
    schedule(support, mine, mechanic, future_day())
    later = book()
    schedule(support, later, mechanic, future_day(9), "13:00", "15:00")
    theirs = book()
    schedule(support, theirs, other, future_day())
    placed = anon.post("/api/appointments", {"userId": other_customer_id, "appointmentData": booking()}, format="json")
    assert placed.status_code == 200
    pending = placed.json()["appointmentId"]
    return {"mine": [mine, later], "theirs": theirs, "pending": pending, "other": other}


def test_the_feed_lists_the_mechanics_scheduled_jobs_only(jobs, mechanic):
    response = Client().get(feed_path(mechanic))  # no login: the token is the proof
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = parse_ics(response.content.decode())
    assert sorted(event["UID"] for event in events) == sorted(f"{a}@autolab" for a in jobs["mine"])
    first = next(event for event in events if event["UID"] == f"{jobs['mine'][0]}@autolab")
    day = dt.date.fromisoformat(future_day())
    # 09:00-11:00 Perth (UTC+8) is 01:00-03:00 UTC.
    assert (first["DTSTART"], first["DTEND"]) == (f"{day:%Y%m%d}T010000Z", f"{day:%Y%m%d}T030000Z")
    assert first["LOCATION"] == "12 Rokeby Rd\\, Subiaco WA 6008"
    assert "2019 Mazda 3" in first["SUMMARY"]
    assert first["URL"].endswith(f"/admin/bookings/appointments/{jobs['mine'][0]}/")


def test_a_tampered_token_answers_404(jobs, mechanic):
    path = feed_path(mechanic)
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert Client().get(f"/calendar/{forged}.ics").status_code == 404
    assert Client().get("/calendar/not-a-token.ics").status_code == 404
    # Another mechanic's feed never shows this one's jobs.
    other_events = parse_ics(Client().get(feed_path(jobs["other"])).content.decode())
    assert [event["UID"] for event in other_events] == [f"{jobs['theirs']}@autolab"]


def test_replacing_the_link_revokes_the_old_one(jobs, mechanic):
    old = feed_path(mechanic)
    worker = mechanic.portal()
    confirm = worker.get("/admin/bookings/my-day/calendar-feed/")
    assert confirm.status_code == 200
    done = worker.post("/admin/bookings/my-day/calendar-feed/", follow=True)
    assert "Your calendar link was replaced" in done.content.decode()
    new = feed_path(mechanic)
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200


def test_a_member_who_is_no_longer_a_mechanic_loses_the_feed(jobs, mechanic, admin):
    path = feed_path(mechanic)
    changed = admin.portal().post(f"/admin/staff/{mechanic.email}/", {"roles": ["CLERK"]})
    assert changed.status_code == 302
    assert Client().get(path).status_code == 404


def test_the_feed_is_get_only(jobs, mechanic):
    assert Client().post(feed_path(mechanic)).status_code == 405
