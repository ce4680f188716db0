"""Reminders (#16.1): scheduled through the staff API, sent by the beat task once per slot."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import Counter
from pathlib import Path

import pytest

from autolab import clock
from bench.harness import count_dynamodb_calls
from bookings.tasks import reminders_send_task
from emails.models import SmsMessage
from emails.sms import sms_inbound
from tests.bookings.conftest import future_day


@pytest.fixture
def sms_dir(settings, tmp_path: Path) -> Path:
    settings.SMS_BACKEND = "emails.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    return settings.SMS_FILE_PATH


def texts(folder: Path) -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))] if folder.exists() else []


def schedule(support, appointment_id: str, day: str, start: str, end: str) -> None:
    body = {"scheduledTimeSlot": {"date": day, "start": start, "end": end}}
    response = support.api().patch(f"/api/appointments/{appointment_id}", body, format="json")
    assert response.status_code == 200, response.json()


def run_before(day: str, start: str, hours: float = 24) -> dict[str, int]:
    """The beat task as it runs ``hours`` before ``start`` on ``day``."""
    moment = clock.local_datetime(clock.parse_date(day), start) - dt.timedelta(hours=hours)
    return reminders_send_task(at=int(moment.timestamp()))


def ics_fields(message) -> dict[str, str]:
    (name, content, mimetype) = message.attachments[0]
    assert (name, mimetype) == ("appointment.ics", "text/calendar")
    text = content.decode() if isinstance(content, bytes) else content
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR"
    return dict(line.split(":", 1) for line in lines if ":" in line)


def utc(day: str, hhmm: str) -> str:
    return clock.local_datetime(clock.parse_date(day), hhmm).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def test_reminder_sent_once_resent_after_reschedule_and_none_after_cancel(book, support, mailoutbox, sms_dir):
    day = future_day(7)
    appointment_id = book()
    schedule(support, appointment_id, day, "09:00", "11:00")
    mailoutbox.clear()

    assert run_before(day, "09:00", hours=30) == {"emails": 0, "texts": 0}  # not yet within the lead time
    assert run_before(day, "09:00") == {"emails": 1, "texts": 1}
    [email] = mailoutbox
    assert email.to == ['"Cara Buyer" <cara@example.com>']
    assert email.subject == "Reminder: Your Upcoming Appointment"
    fields = ics_fields(email)
    assert fields["DTSTART"] == utc(day, "09:00")
    assert fields["DTEND"] == utc(day, "11:00")
    assert fields["LOCATION"] == "Perth"
    assert fields["SUMMARY"] == "Auto Lab Solutions: Pre Purchase Inspection - Standard"
    [text] = texts(sms_dir)
    assert text["to"] == "+61412345678"
    assert "Toyota Corolla" in text["text"]
    assert "Reply STOP" in text["text"]

    assert run_before(day, "09:00", hours=23) == {"emails": 0, "texts": 0}  # a later run sends nothing again
    assert len(mailoutbox) == 1
    assert len(texts(sms_dir)) == 1

    schedule(support, appointment_id, day, "13:00", "15:00")
    mailoutbox.clear()
    assert run_before(day, "13:00") == {"emails": 1, "texts": 1}
    [moved] = [m for m in mailoutbox if m.subject.startswith("Reminder")]
    assert ics_fields(moved)["DTSTART"] == utc(day, "13:00")
    assert len(texts(sms_dir)) == 2

    schedule(support, appointment_id, day, "16:00", "18:00")
    response = support.api().patch(f"/api/appointments/{appointment_id}", {"status": "CANCELLED"}, format="json")
    assert response.status_code == 200
    mailoutbox.clear()
    assert run_before(day, "16:00") == {"emails": 0, "texts": 0}
    assert mailoutbox == []
    assert len(texts(sms_dir)) == 2


def test_reminder_goes_to_the_seller_too_and_skips_a_number_that_replied_stop(book, support, mailoutbox, sms_dir):
    day = future_day(5)
    seller = {"name": "Sam Seller", "email": "sam@example.com", "phoneNumber": "0400 111 222"}
    appointment_id = book(sellerData=seller)
    schedule(support, appointment_id, day, "10:00", "12:00")
    assert sms_inbound("+61 400 111 222", "Stop") == "opted_out"
    mailoutbox.clear()

    assert run_before(day, "10:00") == {"emails": 2, "texts": 2}
    assert sorted(m.to[0] for m in mailoutbox) == ['"Cara Buyer" <cara@example.com>', '"Sam Seller" <sam@example.com>']
    reminded = [t["to"] for t in texts(sms_dir) if "reminder" in t["text"]]
    assert reminded == ["+61412345678"]  # the seller opted out
    statuses = sorted(record.status for record in SmsMessage.batch_get(_sms_ids(appointment_id, day, "10:00")))
    assert statuses == ["opted_out", "sent"]

    assert sms_inbound("+61400111222", "START") == "opted_in"
    assert sms_inbound("+61400111222", "see you then") is None


def _sms_ids(appointment_id: str, day: str, start: str) -> list[str]:
    from emails.sms import sms_id

    return [sms_id(f"reminder:{appointment_id}:{day}T{start}:{role}:sms") for role in ("buyer", "seller")]


def test_a_run_with_nothing_left_to_send_reads_and_writes_nothing_more(book, support, sms_dir):
    day = future_day(3)
    for start, end in (("09:00", "11:00"), ("12:00", "14:00")):
        schedule(support, book(), day, start, end)
    with count_dynamodb_calls() as first:
        assert run_before(day, "09:00", hours=20) == {"emails": 2, "texts": 2}
    with count_dynamodb_calls() as again:
        assert run_before(day, "09:00", hours=19) == {"emails": 0, "texts": 0}
    # The window's two business days (a Query each of the scheduled-date index) and the keys
    # already used (one BatchGetItem); no Scan, and no write for what was sent before.
    assert again == Counter({"Query": 2, "BatchGetItem": 1})
    assert "Scan" not in first


def test_two_runs_at_once_remind_once(book, support, mailoutbox, sms_dir):
    day = future_day(4)
    schedule(support, book(), day, "09:00", "11:00")
    mailoutbox.clear()
    barrier = threading.Barrier(3)

    def run() -> None:
        barrier.wait()
        run_before(day, "09:00")

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([m for m in mailoutbox if m.subject.startswith("Reminder")]) == 1
    assert len(texts(sms_dir)) == 1


def test_cancelling_after_the_reminder_withdraws_its_invite_and_before_it_sends_none(
    book, support, mailoutbox, sms_dir
):
    day = future_day(6)
    seller = {"name": "Sam Seller", "email": "sam@example.com", "phoneNumber": "0400 111 222"}
    reminded = book(sellerData=seller)
    schedule(support, reminded, day, "09:00", "11:00")
    assert run_before(day, "09:00") == {"emails": 2, "texts": 2}
    [invite] = [m for m in mailoutbox if m.subject.startswith("Reminder") and "cara" in m.to[0]]
    uid = ics_fields(invite)["UID"]
    mailoutbox.clear()

    response = support.api().patch(f"/api/appointments/{reminded}", {"status": "CANCELLED"}, format="json")
    assert response.status_code == 200
    withdrawn = [m for m in mailoutbox if m.subject == "Cancelled: Your Upcoming Appointment"]
    assert sorted(m.to[0] for m in withdrawn) == ['"Cara Buyer" <cara@example.com>', '"Sam Seller" <sam@example.com>']
    fields = ics_fields(withdrawn[0])
    assert (fields["METHOD"], fields["STATUS"], fields["UID"]) == ("CANCEL", "CANCELLED", uid)
    assert (fields["DTSTART"], fields["DTEND"]) == (utc(day, "09:00"), utc(day, "11:00"))
    assert int(fields["SEQUENCE"]) >= int(ics_fields(invite)["SEQUENCE"])

    never_reminded = book()
    schedule(support, never_reminded, day, "13:00", "15:00")
    mailoutbox.clear()
    response = support.api().patch(f"/api/appointments/{never_reminded}", {"status": "CANCELLED"}, format="json")
    assert response.status_code == 200
    assert [m for m in mailoutbox if m.subject.startswith("Cancelled")] == []  # no invite to withdraw
