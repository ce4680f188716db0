"""Text messages (#16.2): sent once per key and recorded, through the file or the SNS backend;
a STOP reply (SNS two-way SMS, through the signed webhook) opts the number out."""

from __future__ import annotations

import json
import threading
import urllib.request
from pathlib import Path

import pytest
from django.test import override_settings

from emails.models import SmsMessage, SmsOptOut
from emails.sms import send_sms, sms_id
from tests.emails.test_ses_webhook import post


@pytest.fixture
def sms_dir(settings, tmp_path: Path) -> Path:
    settings.SMS_BACKEND = "emails.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    return settings.SMS_FILE_PATH


def files(folder: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.exists() else []


def test_a_text_is_sent_once_per_key_and_recorded(sms_dir):
    assert send_sms("0412 345 678", "See you at 9", "k1") == "sent"
    assert send_sms("0412 345 678", "See you at 9", "k1") == "sent"
    [sent] = files(sms_dir)
    assert (sent["to"], sent["text"]) == ("+61412345678", "See you at 9")
    record = SmsMessage.get(sms_id("k1"))
    assert (record.status, record.to_number, record.provider_id) == ("sent", "+61412345678", sent["id"])
    assert send_sms("not a phone", "x", "k2") == "invalid"


def test_racing_sends_of_one_key_text_once(sms_dir):
    results: list[str] = []
    barrier = threading.Barrier(6)

    def send() -> None:
        barrier.wait()
        results.append(send_sms("+61412345678", "On my way", "race"))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(files(sms_dir)) == 1
    assert results.count("sent") >= 1
    assert set(results) <= {"sent", "sending"}


def test_a_stop_reply_opts_the_number_out_and_start_back_in(anon, sns_server, sms_dir):
    reply = {"originationNumber": "+61412345678", "destinationNumber": "+61400000000", "messageBody": "STOP"}
    response = post(anon, sns_server.notification(reply))
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Inbound text processed", "textReply": "opted_out"}
    assert SmsOptOut.get("+61412345678").keyword == "STOP"

    assert send_sms("0412345678", "Reminder", "after-stop") == "opted_out"
    assert files(sms_dir) == []
    assert SmsMessage.get(sms_id("after-stop")).failure_reason == "The number replied STOP"

    chat = post(anon, sns_server.notification({**reply, "messageBody": "thanks, see you"}))
    assert chat.json()["textReply"] == "ignored"
    assert post(anon, sns_server.notification({**reply, "messageBody": "Start"})).json()["textReply"] == "opted_in"
    assert send_sms("0412345678", "Reminder", "after-start") == "sent"


def test_a_tampered_stop_reply_is_refused(anon, sns_server):
    reply = {"originationNumber": "+61412345678", "messageBody": "STOP"}
    message = sns_server.notification(reply)
    message["Message"] = json.dumps({**reply, "originationNumber": "+61499999999"})  # tampered after signing
    assert post(anon, message).status_code == 403
    assert SmsOptOut.count("+61499999999") == 0


def test_the_sns_backend_publishes_to_the_number(aws_stand_in):
    with override_settings(SMS_BACKEND="emails.sms.SnsBackend", AWS_SNS_ENDPOINT_URL=aws_stand_in):
        assert send_sms("0412 345 678", "Through SNS", "sns-1") == "sent"
    record = SmsMessage.get(sms_id("sns-1"))
    assert record.provider_id
    with urllib.request.urlopen(f"{aws_stand_in}/moto-api/data.json") as response:  # noqa: S310 - local moto
        data = json.load(response)
    published = json.dumps(data.get("sns", {}))
    assert "+61412345678" in published
    assert "Through SNS" in published
