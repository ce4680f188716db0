"""Seller confirmation (#16.4): the seller of a buyer's booking confirms the scheduled time and
place, or proposes another open slot, from a signed link; staff see the answer, live."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client

from autolab import clock
from bookings import seller_confirmation
from bookings.models import Appointment
from tests.bookings.conftest import booking, future_day

SELLER = {"name": "Sam Seller", "email": "sam@example.com", "phoneNumber": "0400 111 222"}
SLOT = {"date": future_day(), "start": "09:00", "end": "11:00"}
ASK_SUBJECT = "Please confirm the inspection time for your car"


@pytest.fixture(autouse=True)
def two_places(capacity):
    capacity(2)


@pytest.fixture
def sms_dir(settings, tmp_path: Path) -> Path:
    settings.SMS_BACKEND = "emails.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    return settings.SMS_FILE_PATH


def texts(folder: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.exists() else []


def create(support, **overrides) -> str:
    body = {"appointmentData": booking(selectedSlots=[], sellerData=SELLER, **overrides)}
    response = support.api().post("/api/appointments", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["appointmentId"]


def schedule(support, appointment_id: str, slot: dict) -> None:
    response = support.api().patch(f"/api/appointments/{appointment_id}", {"scheduledTimeSlot": slot}, format="json")
    assert response.status_code == 200, response.json()


def seller_link(mailoutbox) -> str:
    [email] = [m for m in mailoutbox if m.subject == ASK_SUBJECT]
    match = re.search(r"Confirm or suggest a time: (\S+)", email.body)
    assert match, email.body
    return urlsplit(match.group(1)).path


def test_the_seller_is_asked_once_scheduled_and_confirms_from_the_link(support, mailoutbox, sms_dir, staff_events):
    appointment_id = create(support)
    assert [m for m in mailoutbox if m.subject == ASK_SUBJECT] == []  # not before it is scheduled
    schedule(support, appointment_id, SLOT)

    [email] = [m for m in mailoutbox if m.subject == ASK_SUBJECT]
    assert email.to == ['"Sam Seller" <sam@example.com>']
    assert "Toyota Corolla" in email.body
    assert "Perth" in email.body
    assert "Cara" not in email.body  # not the buyer's details
    assert "AUD" not in email.body  # nor the price
    [text] = [t for t in texts(sms_dir) if t["to"] == "+61400111222"]
    assert "confirm or suggest another time: http" in text["text"].lower()
    path = seller_link(mailoutbox)
    assert urlsplit(re.search(r"(http\S+)", text["text"]).group(1)).path == path

    detail = support.portal().get(f"/admin/bookings/appointments/{appointment_id}/").content.decode()
    assert re.search(r'id="seller-confirmation"[^>]*>Awaiting seller<', detail)

    page = Client().get(path)
    assert page.status_code == 200
    body = page.content.decode()
    assert "2015 Toyota Corolla" in body
    assert f"{SLOT['date']}, 09:00\u201311:00" in body
    done = Client().post(path, {"action": "confirm"})
    assert done.status_code == 303
    assert "Thank you: you have confirmed" in Client().get(done["Location"]).content.decode()
    assert Appointment.get(appointment_id).seller_confirmation == "CONFIRMED"

    detail = support.portal().get(f"/admin/bookings/appointments/{appointment_id}/").content.decode()
    assert re.search(r'id="seller-confirmation"[^>]*>Seller confirmed<', detail)
    week = support.portal().get("/admin/bookings/calendar/", {"day": SLOT["date"]}).content.decode()
    assert re.search(rf'data-seller-for="{appointment_id}"[^>]*>Seller confirmed<', week)
    live = [e for e in staff_events() if e["type"] == "appointment.seller_confirmation"]
    assert [(e["appointmentId"], e["sellerLabel"]) for e in live] == [
        (appointment_id, "Awaiting seller"),
        (appointment_id, "Seller confirmed"),
    ]


def test_a_reschedule_asks_again_and_the_old_link_is_refused(support, mailoutbox, sms_dir):
    appointment_id = create(support)
    schedule(support, appointment_id, SLOT)
    old = seller_link(mailoutbox)
    assert Client().post(old, {"action": "confirm"}).status_code == 303
    mailoutbox.clear()

    schedule(support, appointment_id, {"date": future_day(8), "start": "13:00", "end": "15:00"})
    new = seller_link(mailoutbox)
    assert new != old
    stored = Appointment.get(appointment_id)
    assert (stored.seller_confirmation, stored.seller_confirmation_slot) == ("AWAITING", f"{future_day(8)} 13:00-15:00")
    refused = Client().post(old, {"action": "confirm"})
    assert refused.status_code == 410
    assert "moved to another time" in refused.content.decode()
    assert Appointment.get(appointment_id).seller_confirmation == "AWAITING"
    assert len([t for t in texts(sms_dir) if t["to"] == "+61400111222"]) == 2
    schedule(support, appointment_id, {"date": future_day(8), "start": "13:00", "end": "15:00"})  # same slot again
    assert len([m for m in mailoutbox if m.subject == ASK_SUBJECT]) == 1  # asked once per slot


def test_tampered_and_expired_links_are_refused(support, mailoutbox):
    appointment_id = create(support)
    schedule(support, appointment_id, SLOT)
    path = seller_link(mailoutbox)
    tampered = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    for response in (Client().get(tampered), Client().post(tampered, {"action": "confirm"})):
        assert response.status_code == 403
        assert "not valid" in response.content.decode()
    key = f"{SLOT['date']} 09:00-11:00"
    expired = seller_confirmation.token(appointment_id, key, issued_at=clock.epoch_now() - 31 * 24 * 3600)
    response = Client().post(f"/manage/seller/{expired}", {"action": "confirm"})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert Appointment.get(appointment_id).seller_confirmation == "AWAITING"


def test_a_proposal_must_be_an_open_slot_and_does_not_move_the_booking(support, capacity, mailoutbox):
    capacity(1)
    appointment_id = create(support)
    schedule(support, appointment_id, SLOT)
    path = seller_link(mailoutbox)
    other = create(support, buyerData={"name": "Olly", "email": "olly@example.com", "phoneNumber": "0400 999 888"})
    schedule(support, other, {"date": future_day(8), "start": "13:00", "end": "15:00"})  # the only place taken

    refused = {
        f"{future_day(8)} 13:00-15:00": 409,  # taken
        f"{future_day(8)} 13:15-15:15": 400,  # not a time the plan is offered at
        f"{future_day(20)} 13:00-15:00": 400,  # beyond the offered fortnight
        f"{SLOT['date']} 09:00-11:00": 400,  # the booked time itself
        "garbage": 400,
    }
    for slot, status in refused.items():
        response = Client().post(path, {"action": "propose", "slot": slot})
        assert response.status_code == status, (slot, response.status_code)
        assert 'role="alert"' in response.content.decode()
    assert Appointment.get(appointment_id).seller_confirmation == "AWAITING"
    assert f"{future_day(8)} 13:00-15:00" not in Client().get(path).content.decode()  # not offered either

    proposed = f"{future_day(9)} 10:00-12:00"
    assert Client().post(path, {"action": "propose", "slot": proposed}).status_code == 303
    stored = Appointment.get(appointment_id)
    assert (stored.seller_confirmation, stored.seller_proposed_slot) == ("PROPOSED", proposed)
    assert stored.scheduled_time_slot.date == SLOT["date"]  # a request to staff; the booking stays
    detail = support.portal().get(f"/admin/bookings/appointments/{appointment_id}/").content.decode()
    assert re.search(rf'id="seller-confirmation"[^>]*>Seller proposed {proposed}<', detail)


def test_no_seller_contact_no_question(support, mailoutbox):
    body = {"appointmentData": booking(selectedSlots=[])}
    appointment_id = support.api().post("/api/appointments", body, format="json").json()["appointmentId"]
    schedule(support, appointment_id, SLOT)
    assert [m for m in mailoutbox if m.subject == ASK_SUBJECT] == []
    detail = support.portal().get(f"/admin/bookings/appointments/{appointment_id}/").content.decode()
    assert 'id="seller-confirmation"' not in detail
