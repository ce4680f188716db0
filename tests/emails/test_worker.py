"""End to end through the broker: a real Celery worker process renders and sends a queued email."""

from __future__ import annotations

import pytest

from emails import selectors, services
from emails.models import EmailAnalytics
from tests.waiting import wait_until

pytestmark = pytest.mark.worker


def test_a_real_worker_sends_a_queued_email_once(celery_worker):
    message_id = services.email_customer(
        email_type="appointment_created",
        to_email="Real@Example.com",
        to_name="Rae",
        context={"appointmentId": "APT-9"},
        dedupe_key="real-worker",
    )

    # The worker settles the record first, then counts the send in analytics.
    wait_until(lambda: list(EmailAnalytics.query("real@example.com")), "the send to be counted in analytics")

    record = selectors.email_get(message_id)
    assert (record.status, record.attempts) == ("sent", 1)
    assert record.subject == "Your Appointment Request Has Been Received"
    assert "APT-9" in record.body_text
    assert [event.event_type for event in EmailAnalytics.query("real@example.com")] == ["send"]
