"""The Email section in a real browser: compose, read the thread, suppress an address (also on a phone)."""

from __future__ import annotations

import pytest
from django.core import mail

from emails import selectors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_support_composes_reads_the_thread_and_suppresses_an_address(portal_login, support, live_server):
    page = portal_login(support)

    page.goto(f"{live_server.url}/admin/")
    page.click("text=Mailbox")
    page.click("text=Compose email")
    page.fill("#id_to", "jane@example.com")
    page.fill("#id_subject", "Your inspection")
    page.fill("#id_text", "Hi Jane, the report is on its way.")
    page.click("input[value='Send email']")

    page.wait_for_selector(".email-message")
    assert "Email to jane@example.com sent." in page.inner_text(".messagelist")
    assert "Hi Jane, the report is on its way." in page.inner_text(".email-message")
    assert [m.subject for m in mail.outbox] == ["Your inspection"]

    page.fill(".email-reply textarea", "One more thing.")
    page.click("input[value='Send reply']")
    page.wait_for_selector("text=Reply sent.")
    assert page.locator(".email-message").count() == 2

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{live_server.url}/admin/emails/suppressions/")
    page.fill("#id_email", "jane@example.com")
    page.fill("#id_notes", "Asked us to stop")
    page.click("input[value='Add to suppression list']")
    page.wait_for_selector(".suppression-list td[data-label='Address']")
    assert "jane@example.com" in page.inner_text(".suppression-list")
    assert selectors.email_is_suppressed("jane@example.com")

    page.click(".suppression-list a.button:has-text('Remove')")
    page.click("input[value='Yes, remove']")
    page.wait_for_selector("text=jane@example.com can receive email again.")
    assert not selectors.email_is_suppressed("jane@example.com")
