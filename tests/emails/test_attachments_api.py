"""/api/attachments (original-backend-behaviour.md §1.36): files of received and staff-sent emails."""

from __future__ import annotations

import base64
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage

import pytest
from django.conf import settings
from django.test import Client

from autolab import storage
from emails.models import EmailAttachment

PDF = b"%PDF-1.4\n" + b"x" * 2000 + b"\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 500


def _raw_email(message_id: str, files: list[tuple[str, bytes, str]]) -> str:
    message = EmailMessage()
    message["From"] = "Jane Buyer <jane@example.com>"
    message["To"] = "mail@autolabsolutions.com"
    message["Subject"] = "Photos of the car"
    message["Message-ID"] = f"<{message_id}>"
    message.set_content("See attached.")
    for name, data, content_type in files:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_string()


def receive(anon, sns_server, message_id: str, files: list[tuple[str, bytes, str]]) -> None:
    raw = _raw_email(message_id, files)
    notification = {
        "notificationType": "Received",
        "receipt": {"action": {"type": "SNS", "encoding": "BASE64"}},
        "mail": {"messageId": "ses-in-1", "source": "jane@example.com"},
        "content": base64.b64encode(raw.encode()).decode(),
    }
    body = json.dumps(sns_server.notification(notification))
    response = anon.post("/api/webhooks/ses", data=body, content_type="text/plain; charset=UTF-8")
    assert response.status_code == 200, response.content


def listing(persona, message_id: str, **extra) -> object:
    return persona.api().get("/api/attachments", {"messageId": message_id, **extra})


@pytest.fixture
def received(anon, sns_server) -> str:
    """One received email with a PDF, a PNG whose name tries to escape, and a refused .exe."""
    files = [
        ("report.pdf", PDF, "application/pdf"),
        ("../../etc/pass wd<script>.png", PNG, "image/png"),
        ("setup.exe", b"MZ" + b"\x00" * 100, "application/octet-stream"),
    ]
    receive(anon, sns_server, "CAF-photos@mail.example.com", files)
    return "CAF-photos@mail.example.com"


def test_received_attachments_are_stored_and_listed_with_stats(received, support) -> None:
    response = listing(support, received)
    assert response.status_code == 200
    body = response.json()
    names = [a["filename"] for a in body["attachments"]]
    assert names == ["report.pdf", "pass_wd_script_.png", "setup.exe"]
    pdf, png, exe = body["attachments"]
    assert (pdf["contentType"], pdf["sizeBytes"], pdf["direction"]) == ("application/pdf", len(PDF), "inbound")
    assert pdf["contentHash"] == hashlib.sha256(PDF).hexdigest()
    assert (pdf["downloadable"], pdf["rejectedReason"]) == (True, None)
    assert png["contentType"] == "image/png"
    assert (exe["downloadable"], exe["s3Key"]) == (False, None)
    assert "not accepted" in exe["rejectedReason"]
    assert body["stats"] == {
        "count": 3,
        "totalSizeBytes": len(PDF) + len(PNG) + 102,
        "totalSizeMB": 0.0,
        "types": {"application/pdf": 1, "image/png": 1, "application/octet-stream": 1},
    }
    email = support.api().get(f"/api/emails/{received}").json()
    assert (email["email"]["hasAttachments"], email["email"]["attachmentCount"]) == (True, 3)


def test_download_gives_the_file_itself(received, support) -> None:
    pdf = listing(support, received).json()["attachments"][0]
    response = support.api().get(f"/api/attachments/{pdf['attachmentId']}?download")
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_signed_url_serves_the_file_until_it_expires(received, support) -> None:
    png = listing(support, received).json()["attachments"][1]
    response = support.api().get(f"/api/attachments/{png['attachmentId']}?url&expires=120")
    assert response.status_code == 200
    body = response.json()
    assert body["expiresIn"] == 120
    assert body["downloadUrl"].startswith(f"{settings.PUBLIC_BASE_URL}/api/files/")  # absolute, as every link
    fetched = Client().get(body["downloadUrl"].removeprefix(settings.PUBLIC_BASE_URL))
    assert fetched.status_code == 200
    assert b"".join(fetched.streaming_content if fetched.streaming else [fetched.content]) == PNG
    assert support.api().get(f"/api/attachments/{png['attachmentId']}?url&expires=999999").status_code == 400


def test_the_record_of_one_attachment(received, support) -> None:
    pdf = listing(support, received).json()["attachments"][0]
    response = support.api().get(f"/api/attachments/{pdf['attachmentId']}")
    assert response.status_code == 200
    assert response.json()["attachment"] == pdf


def test_a_refused_file_was_never_stored_and_cannot_be_fetched(received, support) -> None:
    exe = listing(support, received).json()["attachments"][2]
    for suffix in ("?download", "?url"):
        response = support.api().get(f"/api/attachments/{exe['attachmentId']}{suffix}")
        assert response.status_code == 409
        assert response.json()["message"].startswith("This attachment was not stored")


def test_redelivery_stores_nothing_twice(anon, sns_server, received, support) -> None:
    receive(anon, sns_server, received, [("report.pdf", PDF, "application/pdf")])
    assert len(listing(support, received).json()["attachments"]) == 3
    assert EmailAttachment.message_index.count(received) == 3


def test_delete_is_soft_records_who_and_when_and_keeps_the_file(received, support, admin) -> None:
    pdf = listing(support, received).json()["attachments"][0]
    response = support.api().delete(f"/api/attachments/{pdf['attachmentId']}")
    assert response.status_code == 200
    body = response.json()
    assert (body["message"], body["attachmentId"], body["deletedBy"]) == (
        "Attachment deleted",
        pdf["attachmentId"],
        support.email,
    )
    assert body["deletedAt"]
    assert [a["filename"] for a in listing(admin, received).json()["attachments"]] == [
        "pass_wd_script_.png",
        "setup.exe",
    ]
    with_deleted = listing(admin, received, includeDeleted="true").json()["attachments"]
    assert (with_deleted[0]["isDeleted"], with_deleted[0]["deletedBy"]) == (True, support.email)
    assert support.api().get(f"/api/attachments/{pdf['attachmentId']}?download").status_code == 404
    record = support.api().get(f"/api/attachments/{pdf['attachmentId']}").json()["attachment"]
    assert (record["isDeleted"], record["deletedBy"], record["downloadable"]) == (True, support.email, False)
    assert storage.read(pdf["s3Key"]) == PDF  # kept: an undo is possible, nothing vanished

    again = support.api().delete(f"/api/attachments/{pdf['attachmentId']}")
    assert again.status_code == 409
    assert again.json()["message"].startswith(f"Attachment already deleted by {support.email}")


@pytest.mark.django_db(transaction=True)
def test_two_deletes_at_once_one_wins(received, make_staff) -> None:
    people = [make_staff("CUSTOMER_SUPPORT") for _ in range(6)]
    attachment_id = listing(people[0], received).json()["attachments"][0]["attachmentId"]
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda p: p.api().delete(f"/api/attachments/{attachment_id}"), people))
    assert sorted(r.status_code for r in statuses) == [200, 409, 409, 409, 409, 409]
    winner = next(p for p, r in zip(people, statuses, strict=True) if r.status_code == 200)
    assert EmailAttachment.get(attachment_id).deleted_by == winner.email


def test_unknown_and_missing_are_4xx(support) -> None:
    assert support.api().get("/api/attachments").status_code == 400
    assert support.api().get("/api/attachments", {"messageId": "nope"}).status_code == 404
    assert support.api().get("/api/attachments/nope").status_code == 404
    assert support.api().get("/api/attachments/nope?download").status_code == 404
    assert support.api().delete("/api/attachments/nope").status_code == 404


def test_staff_who_read_mail_only(received, anon, mechanic, clerk, admin) -> None:
    assert anon.get("/api/attachments", {"messageId": received}).status_code == 401
    for persona in (mechanic, clerk):
        assert listing(persona, received).status_code == 403
        assert persona.api().delete("/api/attachments/any").status_code == 403
    assert listing(admin, received).status_code == 200


def test_staff_sent_attachments_are_listed_and_downloadable(support) -> None:
    sent = support.api().post(
        "/api/emails",
        {
            "to": "jane@example.com",
            "subject": "Your report",
            "text": "Attached.",
            "attachments": [{"filename": "My Report.pdf", "content": base64.b64encode(PDF).decode()}],
        },
        format="json",
    )
    assert sent.status_code == 200, sent.content
    message_id = sent.json()["messageId"]
    rows = listing(support, message_id).json()["attachments"]
    assert [(a["filename"], a["direction"], a["sizeBytes"]) for a in rows] == [("My_Report.pdf", "outbound", len(PDF))]
    download = support.api().get(f"/api/attachments/{rows[0]['attachmentId']}?download")
    assert download.content == PDF


def test_staff_may_not_send_a_refused_type(support) -> None:
    response = support.api().post(
        "/api/emails",
        {
            "to": "jane@example.com",
            "subject": "x",
            "text": "x",
            "attachments": [{"filename": "run.exe", "content": base64.b64encode(b"MZ").decode()}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("Attachment 'run.exe': Files of this type are not accepted")


def test_a_delete_is_audited(received, support) -> None:
    from autolab import audit

    pdf = listing(support, received).json()["attachments"][0]
    assert support.api().delete(f"/api/attachments/{pdf['attachmentId']}").status_code == 200
    entry = audit.history("attachment", pdf["attachmentId"]).entries[0]
    assert (entry.actor_id, entry.action, entry.changed) == (
        support.user_id,
        "attachment.delete",
        {"isDeleted": [False, True]},
    )
