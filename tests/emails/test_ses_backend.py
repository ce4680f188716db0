"""The production SES backend, against a local moto server standing in for Amazon SES."""

from __future__ import annotations

import json
import urllib.request

import botocore.session
import pytest
from celery.exceptions import Retry
from django.test import override_settings

from emails import selectors, services
from emails.models import EmailMetadata
from tests.emails.test_sending import ORDER


@pytest.fixture
def ses(aws_stand_in: str):
    endpoint = aws_stand_in
    client = botocore.session.get_session().create_client("ses", region_name="ap-southeast-2", endpoint_url=endpoint)
    client.verify_email_identity(EmailAddress="mail@autolabsolutions.com")
    with override_settings(EMAIL_BACKEND="emails.ses_backend.SesEmailBackend", AWS_SES_ENDPOINT_URL=endpoint):
        yield client


def _raw_messages_to(endpoint: str, address: str) -> list[str]:
    """The raw messages the SES stand-in accepted for ``address`` (moto's model data)."""
    url = f"{endpoint}/moto-api/data.json"
    with urllib.request.urlopen(url) as response:  # noqa: S310 - the local moto server
        data = json.load(response)
    messages = data.get("ses", {}).get("RawMessage", [])
    return [m["raw_data"] for m in messages if any(address in d for d in m.get("destinations", []))]


def test_a_transactional_email_goes_out_through_ses(ses):
    message_id = services.email_customer(
        email_type="order_created", to_email="ses@example.com", context=ORDER, dedupe_key="ses"
    )

    assert selectors.email_get(message_id).status == "sent"
    [raw] = _raw_messages_to(ses.meta.endpoint_url, "ses@example.com")
    assert "Subject: Your Service Order Has Been Created" in raw
    assert f"Message-ID: <{message_id}@autolabsolutions.com>" in raw


def test_an_unreachable_ses_is_a_transient_failure_left_queued_for_a_retry(ses):
    with override_settings(AWS_SES_ENDPOINT_URL="http://127.0.0.1:9"), pytest.raises(Retry):
        services.email_customer(
            email_type="order_created", to_email="down@example.com", context=ORDER, dedupe_key="ses-down"
        )

    [record] = EmailMetadata.outbox_index.query("queued")
    assert record.status == "queued"
    assert "SES unreachable" in record.failure_reason
    assert _raw_messages_to(ses.meta.endpoint_url, "down@example.com") == []
