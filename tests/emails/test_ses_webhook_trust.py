"""What POST /api/webhooks/ses trusts: our own SNS topics only, recent messages only, and
certificates only from AWS's regional SNS hosts (issue 20, items 1 and 14)."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.test import override_settings

from autolab.settings import base as base_settings
from emails import sns
from emails.models import EmailAnalytics, EmailSuppression
from tests.emails.conftest import bounce

URL = "/api/webhooks/ses"
FOREIGN_TOPIC = "arn:aws:sns:us-east-1:999999999999:attacker-topic"


def post(client, message: dict) -> object:
    return client.post(URL, data=json.dumps(message), content_type="text/plain; charset=UTF-8")


def resigned(sns_server, message: dict, **changes: str) -> dict:
    """``message`` with ``changes`` applied and a valid signature over them (as SNS would sign)."""
    return sns_server.sign({**message, **changes})


def _sns_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _nothing_written(address: str) -> bool:
    return list(EmailSuppression.query(address)) == [] and list(EmailAnalytics.query(address)) == []


def test_a_correctly_signed_notification_from_another_topic_is_refused(anon, sns_server):
    message = resigned(sns_server, sns_server.notification(bounce("victim@example.com")), TopicArn=FOREIGN_TOPIC)

    response = post(anon, message)

    assert response.status_code == 403
    assert response.json() == {"success": False, "message": "SNS topic is not allowed"}
    assert _nothing_written("victim@example.com")
    assert sns_server.hits == []  # not even the certificate was fetched


@pytest.mark.parametrize(
    ("age", "reason"),
    [
        (dt.timedelta(hours=2), "SNS message is too old"),
        (dt.timedelta(days=365 * 7), "SNS message is too old"),
        (-dt.timedelta(minutes=30), "SNS message is dated in the future"),
    ],
)
def test_a_notification_outside_the_time_window_is_refused(anon, sns_server, age, reason):
    sent = dt.datetime.now(tz=dt.UTC) - age
    message = resigned(sns_server, sns_server.notification(bounce("replay@example.com")), Timestamp=_sns_time(sent))

    response = post(anon, message)

    assert response.status_code == 403
    assert response.json()["message"] == reason
    assert _nothing_written("replay@example.com")


@pytest.mark.parametrize("timestamp", ["", "yesterday", "2026-01-01T00:00:00"])
def test_a_notification_without_a_usable_timestamp_is_refused(anon, sns_server, timestamp):
    message = resigned(sns_server, sns_server.notification(bounce("when@example.com")), Timestamp=timestamp)

    assert post(anon, message).status_code == 403
    assert _nothing_written("when@example.com")


def test_a_notification_signed_a_few_minutes_ago_is_accepted(anon, sns_server):
    sent = dt.datetime.now(tz=dt.UTC) - dt.timedelta(minutes=20)
    message = resigned(sns_server, sns_server.notification(bounce("late@example.com")), Timestamp=_sns_time(sent))

    response = post(anon, message)

    assert response.status_code == 200
    assert response.json()["suppressed"] == 1


def test_a_subscription_from_a_foreign_topic_is_not_confirmed(anon, sns_server):
    url = f"{sns_server.base_url}/confirm?Action=ConfirmSubscription&TopicArn={FOREIGN_TOPIC}&Token=token-123"
    message = resigned(sns_server, sns_server.subscription(url), TopicArn=FOREIGN_TOPIC)

    response = post(anon, message)

    assert response.status_code == 403
    assert response.json()["message"] == "SNS topic is not allowed"
    assert not any(hit.startswith("/confirm") for hit in sns_server.hits)


def test_with_no_allowed_topic_every_message_is_refused_and_logged(anon, sns_server, caplog):
    url = f"{sns_server.base_url}/confirm?Action=ConfirmSubscription&Token=token-123"
    with override_settings(SNS_ALLOWED_TOPIC_ARNS=[]), caplog.at_level(logging.ERROR, logger="emails.sns"):
        refused = [
            post(anon, sns_server.notification(bounce("nobody@example.com"))),
            post(anon, sns_server.subscription(url)),
        ]

    assert [r.status_code for r in refused] == [403, 403]
    assert refused[0].json()["message"] == "No SNS topic is allowed (SNS_ALLOWED_TOPIC_ARNS is empty)"
    assert "SNS_ALLOWED_TOPIC_ARNS is empty" in caplog.text
    assert _nothing_written("nobody@example.com")
    assert sns_server.hits == []


@pytest.mark.parametrize(
    "cert_url",
    [
        "https://sns.s3.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem",
        "https://sns.s3-ap-southeast-2.amazonaws.com/SimpleNotificationService-0123.pem",
        "https://sns.ap-southeast-2.amazonaws.com.evil.example/SimpleNotificationService-0123.pem",
        "http://sns.ap-southeast-2.amazonaws.com/SimpleNotificationService-0123.pem",
        "https://sns.ap-southeast-2.amazonaws.com:8443/SimpleNotificationService-0123.pem",
        "https://sns.ap-southeast-2.amazonaws.com/SimpleNotificationService-0123.pem#x",
    ],
)
def test_a_certificate_url_off_the_regional_sns_hosts_is_refused_without_a_fetch(anon, sns_server, cert_url):
    message = sns_server.sign({**sns_server.notification(bounce("cert@example.com")), "SigningCertURL": cert_url})

    with override_settings(SNS_SIGNING_CERT_URL_PATTERN=base_settings.SNS_SIGNING_CERT_URL_PATTERN):
        response = post(anon, message)

    assert response.status_code == 403
    assert response.json()["message"] == (
        "Invalid SNS signature: SigningCertURL is not an allowed SNS certificate location"
    )
    assert _nothing_written("cert@example.com")


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        (
            "https://sns.ap-southeast-2.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem",
            True,
        ),
        ("https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-0123.pem", True),
        ("https://sns.s3.amazonaws.com/SimpleNotificationService-0123.pem", False),
        ("https://sns.ap-southeast-2.amazonaws.com/SimpleNotificationService-0123.pem?x=1", False),
        ("https://sns.ap-southeast-2.amazonaws.com/SimpleNotificationService-0123.txt", False),
        ("https://user@sns.ap-southeast-2.amazonaws.com/SimpleNotificationService-0123.pem", False),
        ("https://SNS.ap-southeast-2.amazonaws.com/SimpleNotificationService-0123.pem", False),
    ],
)
def test_the_default_certificate_rule_pins_the_regional_sns_host(url, allowed):
    with override_settings(SNS_SIGNING_CERT_URL_PATTERN=base_settings.SNS_SIGNING_CERT_URL_PATTERN):
        assert sns.certificate_url_allowed(url) is allowed


# --- Deep nesting (issue 20 item 13) ---


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_the_ses_webhook_refuses_a_deeply_nested_body(anon):
    response = anon.post("/api/webhooks/ses", data=_nested(100_000), content_type="text/plain")

    assert response.status_code == 400
    assert response.json() == {"success": False, "message": "Body is not JSON: JSON is nested deeper than 32 levels"}


def test_the_ses_webhook_refuses_a_signed_message_whose_content_is_deeply_nested(anon, sns_server):
    message = sns_server.sign(
        {**sns_server.notification({}), "Message": '{"notificationType": "Bounce", "x": ' + _nested(50_000) + "}"}
    )

    response = anon.post("/api/webhooks/ses", data=json.dumps(message), content_type="text/plain")

    assert response.status_code == 400
    assert response.json()["message"] == "Message is not JSON"
