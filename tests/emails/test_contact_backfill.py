"""Emails stored before ``contactEmail`` existed get it from ``manage.py emails_backfill``, so the
customer record and privacy requests find them; a second run changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from emails import services
from emails.models import EmailMetadata
from emails.selectors import emails_with

pytestmark = pytest.mark.django_db


def test_old_emails_are_given_their_contact_address() -> None:
    services.email_customer(
        email_type="order_created",
        to_email="Old.Customer@Example.com",
        to_name="Old Customer",
        context={},
        dedupe_key="backfill-test",
    )
    (sent,) = emails_with("old.customer@example.com")
    sent.update(actions=[EmailMetadata.contact_email.remove()])  # as a restored backup stores it
    assert emails_with("old.customer@example.com") == []

    output = io.StringIO()
    call_command("emails_backfill", stdout=output)
    assert "1 email(s)" in output.getvalue()
    assert [email.message_id for email in emails_with("old.customer@example.com")] == [sent.message_id]
    call_command("emails_backfill", stdout=output)
    assert "0 email(s)" in output.getvalue()
