"""The OpenAPI schema describes the bodies the email endpoints really answer (success paths)."""

from __future__ import annotations

import base64
import json

from tests.contract.schema_check import assert_documented
from tests.emails.conftest import bounce, delivery
from tests.emails.test_attachments_api import PDF, receive

SES = "/api/webhooks/ses"


def _ses(client, message: dict) -> object:
    return client.post(SES, data=json.dumps(message), content_type="text/plain; charset=UTF-8")


def test_mailbox_send_thread_and_flags(support) -> None:
    body = {
        "to": "jane@example.com",
        "subject": "Your report",
        "text": "Attached.",
        "cc": ["joe@example.com"],
        "attachments": [{"filename": "report.pdf", "content": base64.b64encode(PDF).decode()}],
    }
    sent = support.api().post("/api/emails", body, format="json")
    assert sent.status_code == 200, sent.content
    assert_documented(sent, "post", "/api/emails")
    message_id, thread_id = sent.json()["messageId"], sent.json()["threadId"]
    reply = {
        "to": ["jane@example.com"],
        "subject": "Your report",
        "text": "And more.",
        "in_reply_to_message_id": message_id,
    }
    assert support.api().post("/api/emails", reply, format="json").status_code == 200

    for view in ("list", "threads"):
        listed = support.api().get(f"/api/emails?view={view}")
        assert listed.json()["total"] >= 1
        assert_documented(listed, "get", "/api/emails")
    for email_id in (message_id, thread_id):
        shown = support.api().get(f"/api/emails/{email_id}")
        assert_documented(shown, "get", "/api/emails/{email_id}")
    flags = {"isRead": False, "isImportant": True, "tags": ["report"]}
    changed = support.api().patch(f"/api/emails/{message_id}", flags, format="json")
    assert changed.status_code == 200, changed.content
    assert_documented(changed, "patch", "/api/emails/{email_id}")


def test_suppression_endpoints(admin) -> None:
    client = admin.api()
    added = client.post("/api/email-suppression/add", {"email": "gone@example.com", "reason": "manual"}, format="json")
    assert added.status_code == 200, added.content
    assert_documented(added, "post", "/api/email-suppression/add")
    checked = client.get("/api/email-suppression/check?email=gone@example.com")
    assert checked.json()["is_suppressed"] is True
    assert_documented(checked, "get", "/api/email-suppression/check")
    listed = client.get("/api/email-suppression/list")
    assert listed.json()["count"] == 1
    assert_documented(listed, "get", "/api/email-suppression/list")
    assert_documented(client.get("/api/email-suppression/analytics"), "get", "/api/email-suppression/analytics")
    cleaned = client.post("/api/email-suppression/cleanup")
    assert_documented(cleaned, "post", "/api/email-suppression/cleanup")
    removed = client.delete("/api/email-suppression/remove?email=gone@example.com")
    assert removed.status_code == 200, removed.content
    assert_documented(removed, "delete", "/api/email-suppression/remove")


def test_ses_webhook(anon, sns_server) -> None:
    for event in (bounce("gone@example.com"), delivery("jane@example.com"), {"notificationType": "Other"}):
        processed = _ses(anon, sns_server.notification(event))
        assert processed.status_code == 200, processed.content
        assert_documented(processed, "post", SES)
    url = f"{sns_server.base_url}/confirm?Action=ConfirmSubscription&TopicArn=arn:aws:sns:x&Token=token-1"
    assert_documented(_ses(anon, sns_server.subscription(url)), "post", SES)


def test_attachment_endpoints(anon, sns_server, support) -> None:
    receive(anon, sns_server, "CAF-schema@mail.example.com", [("report.pdf", PDF, "application/pdf")])
    listed = support.api().get("/api/attachments", {"messageId": "CAF-schema@mail.example.com"})
    assert_documented(listed, "get", "/api/attachments")
    attachment_id = listed.json()["attachments"][0]["attachmentId"]
    path = "/api/attachments/{attachment_id}"
    assert_documented(support.api().get(f"/api/attachments/{attachment_id}"), "get", path)
    assert_documented(support.api().get(f"/api/attachments/{attachment_id}?url"), "get", path)
    deleted = support.api().delete(f"/api/attachments/{attachment_id}")
    assert deleted.status_code == 200, deleted.content
    assert_documented(deleted, "delete", path)
