"""POST /api/webhooks/ses: SNS signatures verified, bounces and complaints suppress, events recorded."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.core import mail

from emails import selectors, services
from emails.models import EmailAnalytics, EmailSuppression
from tests.emails.conftest import EVENT_DAY, bounce, complaint, delivery, event_moment

URL = "/api/webhooks/ses"


def post(client, message: dict) -> object:
    # SNS sends JSON with Content-Type text/plain.
    return client.post(URL, data=json.dumps(message), content_type="text/plain; charset=UTF-8")


def _analytics(address: str) -> list[EmailAnalytics]:
    return list(EmailAnalytics.query(address))


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_signed_permanent_bounce_suppresses_the_address(anon, sns_server, version):
    response = post(anon, sns_server.notification(bounce("Gone@Example.com"), version=version))

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Notification processed", "bounced": 1, "suppressed": 1}
    entry = EmailSuppression.get("gone@example.com", "bounce")
    assert (entry.status, entry.reason, entry.bounce_type) == ("active", "Bounce: Permanent/General", "Permanent")
    assert entry.ttl == event_moment(1) + dt.timedelta(days=365)
    assert selectors.email_is_suppressed("GONE@example.com")
    [event] = _analytics("gone@example.com")
    assert (event.event_type, event.suppressed, event.date_partition) == ("bounce", True, EVENT_DAY.isoformat())


def test_after_a_bounce_the_customer_receives_nothing(anon, sns_server):
    post(anon, sns_server.notification(bounce("gone@example.com", "Undetermined", "Undetermined")))

    message_id = services.email_customer(
        email_type="order_created", to_email="Gone@Example.com", context={}, dedupe_key="b"
    )

    assert mail.outbox == []
    assert selectors.email_get(message_id).status == "suppressed"


def test_a_transient_bounce_is_recorded_but_not_suppressed(anon, sns_server):
    response = post(anon, sns_server.notification(bounce("full@example.com", "Transient", "General")))

    assert response.json()["suppressed"] == 0
    assert not selectors.email_is_suppressed("full@example.com")
    [event] = _analytics("full@example.com")
    assert (event.event_type, event.suppressed, event.bounce_subtype) == ("bounce", False, "General")


def test_a_complaint_suppresses_for_two_years(anon, sns_server):
    response = post(anon, sns_server.notification(complaint("Angry@Example.com"), version="2"))

    assert response.json()["complained"] == 1
    entry = EmailSuppression.get("angry@example.com", "complaint")
    assert (entry.status, entry.reason, entry.complaint_feedback_type) == ("active", "Complaint: abuse", "abuse")
    assert entry.user_agent == "Yahoo!-Mail-Feedback/2.0"
    assert entry.ttl == event_moment(2) + dt.timedelta(days=730)
    [event] = _analytics("angry@example.com")
    assert (event.event_type, event.suppressed, event.feedback_id) == ("complaint", True, "0100-complaint")
    services.email_customer(email_type="order_created", to_email="angry@example.com", context={}, dedupe_key="c")
    assert mail.outbox == []


def test_a_delivery_is_recorded(anon, sns_server):
    post(anon, sns_server.notification(delivery("ok@example.com")))

    [event] = _analytics("ok@example.com")
    assert (event.event_type, event.processing_time_millis, event.smtp_response) == ("delivery", 512, "250 ok")
    assert not selectors.email_is_suppressed("ok@example.com")


def test_the_same_notification_delivered_twice_is_counted_once(anon, sns_server):
    message = sns_server.notification(bounce("twice@example.com"), message_id="sns-fixed-id")
    post(anon, message)
    post(anon, message)

    assert len(_analytics("twice@example.com")) == 1
    [row] = selectors.analytics_daily(EVENT_DAY, EVENT_DAY)
    assert row["bounced"] == 1


def _nothing_written(address: str) -> bool:
    return list(EmailSuppression.query(address)) == [] and _analytics(address) == []


def test_a_tampered_message_is_refused_and_changes_nothing(anon, sns_server):
    message = sns_server.notification(bounce("victim@example.com", "Transient"))
    message["Message"] = json.dumps(bounce("victim@example.com", "Permanent"))

    response = post(anon, message)

    assert response.status_code == 403
    assert response.json()["success"] is False
    assert "Invalid SNS signature" in response.json()["message"]
    assert _nothing_written("victim@example.com")


def test_a_message_signed_with_another_key_is_refused(anon, sns_server):
    message = sns_server.sign(
        {**sns_server.notification(complaint("victim@example.com")), "SignatureVersion": "2"},
        version="2",
        key=sns_server.other_key,
    )

    assert post(anon, message).status_code == 403
    assert _nothing_written("victim@example.com")


def test_a_certificate_outside_the_allowed_pattern_is_never_fetched(anon, sns_server):
    message = sns_server.sign(
        {**sns_server.notification(complaint("victim@example.com")), "SigningCertURL": "http://127.0.0.1:9/evil.pem"},
        key=sns_server.other_key,
    )

    assert post(anon, message).status_code == 403
    assert _nothing_written("victim@example.com")


def test_an_unsigned_or_unknown_version_is_refused(anon, sns_server):
    message = sns_server.notification(complaint("victim@example.com"))
    message["SignatureVersion"] = "3"
    assert post(anon, message).status_code == 403
    del message["Signature"]
    message["SignatureVersion"] = "1"
    assert post(anon, message).status_code == 403
    assert _nothing_written("victim@example.com")


@pytest.mark.parametrize("body", ["not json", "[]", '{"no": "type"}'])
def test_a_body_that_is_not_an_sns_message_is_a_400(anon, sns_server, body):
    response = anon.post(URL, data=body, content_type="text/plain")
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_a_subscription_confirmation_visits_the_allowed_subscribe_url(anon, sns_server):
    url = f"{sns_server.base_url}/confirm?Action=ConfirmSubscription&TopicArn=arn:aws:sns:x&Token=token-123"

    response = post(anon, sns_server.subscription(url))

    assert response.status_code == 200
    assert response.json()["message"] == "Subscription confirmed"
    assert "/confirm?Action=ConfirmSubscription&TopicArn=arn:aws:sns:x&Token=token-123" in sns_server.hits


def test_a_subscribe_url_elsewhere_is_not_visited(anon, sns_server):
    url = f"{sns_server.base_url}/elsewhere?Action=ConfirmSubscription&Token=1"

    response = post(anon, sns_server.subscription(url))

    assert response.status_code == 403
    assert not any(hit.startswith("/elsewhere") for hit in sns_server.hits)


def _received(raw: str, encoding: str = "UTF8") -> dict:
    content = base64.b64encode(raw.encode()).decode() if encoding == "BASE64" else raw
    return {
        "notificationType": "Received",
        "receipt": {"action": {"type": "SNS", "encoding": encoding}},
        "mail": {"messageId": "ses-in-1", "source": "jane@example.com"},
        "content": content,
    }


@pytest.mark.parametrize("encoding", ["UTF8", "BASE64"])
def test_a_received_reply_joins_the_thread_of_our_email(anon, sns_server, support, encoding):
    sent = (
        support.api()
        .post("/api/emails", {"to": "jane@example.com", "subject": "Your quote", "text": "Hi"}, format="json")
        .json()
    )
    raw = (
        "From: Jane Buyer <Jane@Example.com>\r\n"
        "To: mail@autolabsolutions.com\r\n"
        "Subject: Re: Your quote - urgent question\r\n"
        "Message-ID: <CAF123@mail.example.com>\r\n"
        f"In-Reply-To: <{sent['messageId']}@autolabsolutions.com>\r\n"
        f"References: <{sent['messageId']}@autolabsolutions.com>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Can you do Friday instead?\r\n"
    )

    response = post(anon, sns_server.notification(_received(raw, encoding)))
    post(anon, sns_server.notification(_received(raw, encoding)))  # SNS redelivery

    assert response.json()["received"] == 1
    thread = support.api().get(f"/api/emails/{sent['threadId']}").json()
    assert [e["messageId"] for e in thread["emails"]] == [sent["messageId"], "CAF123@mail.example.com"]
    inbound = thread["emails"][1]
    assert (inbound["fromEmail"], inbound["isRead"], inbound["isImportant"]) == ("jane@example.com", False, True)
    assert inbound["bodyText"].strip() == "Can you do Friday instead?"
    assert inbound["tags"] == ["inquiry", "urgent"]
    assert inbound["inReplyToMessageId"] == sent["messageId"]


def test_a_received_email_without_content_is_a_400(anon, sns_server):
    response = post(anon, sns_server.notification({"notificationType": "Received", "mail": {}}))
    assert response.status_code == 400
