"""The mechanic's "on my way" button (#16.2): texts the job's customer the ETA, once per click."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client

from emails.sms import sms_inbound
from tests.bookings.test_job_page import detail, job  # noqa: F401  (the scheduled job fixture)


@pytest.fixture
def sms_dir(settings, tmp_path: Path) -> Path:
    settings.SMS_BACKEND = "emails.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    return settings.SMS_FILE_PATH


def texts(folder: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.exists() else []


def click_token(page: str) -> str:
    form = page.split('id="on-my-way"', 1)[1].split("</form>", 1)[0]
    match = re.search(r'name="click" value="([0-9a-f]{32})"', form)
    assert match, form
    return match.group(1)


def on_my_way(client, appointment_id: str, **body):
    return client.post(f"/admin/bookings/appointments/{appointment_id}/on-my-way/", body, follow=True)


def test_the_mechanic_texts_the_customer_once_per_click(job, mechanic, sms_dir):  # noqa: F811
    worker = mechanic.portal()
    token = click_token(detail(worker, job))

    sent = on_my_way(worker, job, eta_minutes=15, click=token)
    assert sent.status_code == 200
    assert "Customer texted." in sent.content.decode()
    [text] = texts(sms_dir)
    assert text["to"] == "+61412345678"
    assert "about 15 minutes" in text["text"]
    assert "Mazda 3" in text["text"]
    link = re.search(r"Your booking: (https?://\S+)", text["text"])
    assert link, text["text"]  # the customer's manage link, which opens their booking
    page = Client().get(urlsplit(link.group(1)).path)
    assert page.status_code == 200
    assert "Mazda" in page.content.decode()

    on_my_way(worker, job, eta_minutes=15, click=token)  # a double tap, the same form
    assert len(texts(sms_dir)) == 1

    again = on_my_way(worker, job, eta_minutes=5, click=click_token(detail(worker, job)))  # a new click
    assert again.status_code == 200
    assert [t["text"].count("about 5 minutes") for t in texts(sms_dir)].count(1) == 1
    assert len(texts(sms_dir)) == 2


def test_only_the_jobs_mechanic_may_and_bad_input_is_refused(job, mechanic, make_staff, support, sms_dir):  # noqa: F811
    assert 'id="on-my-way"' not in detail(support.portal(), job)
    token = click_token(detail(mechanic.portal(), job))

    stranger = make_staff("MECHANIC").portal()
    other = stranger.post(f"/admin/bookings/appointments/{job}/on-my-way/", {"eta_minutes": 10, "click": token})
    assert other.status_code == 302  # refused, back to a page this mechanic cannot see (404)
    assert "Appointment not found" in stranger.get("/admin/").content.decode()
    bad = on_my_way(mechanic.portal(), job, eta_minutes=0, click=token)
    assert "Give the minutes until you arrive (1 to 240)." in bad.content.decode()
    forged = on_my_way(mechanic.portal(), job, eta_minutes=10, click="../x")
    assert "Give the minutes until you arrive" in forged.content.decode()
    assert texts(sms_dir) == []

    assert sms_inbound("+61412345678", "STOP") == "opted_out"
    opted = on_my_way(mechanic.portal(), job, eta_minutes=10, click=token)
    assert "Customer opted out of texts: not sent." in opted.content.decode()
    assert texts(sms_dir) == []
