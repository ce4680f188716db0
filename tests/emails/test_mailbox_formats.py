"""The email pages in the portal's one format: moments as ``Wed 2 Dec, 15:58``, days as ``Wed 2 Dec``,
statuses, types and tags as labels, staff by name; never an ISO date or a raw enum."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.test import Client

from autolab import clock
from emails import selectors, services, suppression
from staffapp.templatetags.staff_format import day, when
from tests.emails.test_sending import ORDER

ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d")
RAW = ("admin_message", "order_created", ">sent<", ">transactional<", ">manual<", "MANUAL")


def portal(persona) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=persona.email))
    return client


def _content(html: str) -> str:
    """The page's own content (the header and the scripts are not the page's formats)."""
    return html.split('id="content"', 1)[1].split("<footer", 1)[0]


def test_mailbox_and_thread_show_moments_labels_and_staff_names(support):
    client = portal(support)
    composed = client.post(
        "/admin/emails/compose/", {"to": "jane@example.com", "cc": "", "subject": "Your quote", "text": "Hello"}
    )
    services.email_customer(email_type="order_created", to_email="bob@example.com", context=ORDER, dedupe_key="f1")
    [staff_email] = selectors.thread_messages(composed["Location"].split("/")[-2])
    moment = when(clock.from_epoch(staff_email.created_at / 1000))

    mailbox = _content(client.get("/admin/emails/").content.decode())
    thread = _content(client.get(composed["Location"]).content.decode())

    assert f'<td data-label="Last activity">{moment}</td>' in mailbox
    assert '<span class="badge status-sent">Sent</span>' in mailbox
    assert f"{moment} · Admin message · by {support.identity.name}" in thread
    assert '<span class="badge">Sent</span>' in thread  # the tag
    for page in (mailbox, thread):
        assert not ISO_DATE.search(page), ISO_DATE.search(page)
        assert not any(raw in page for raw in RAW)
    assert support.email not in thread  # the author by name, not their login


def test_suppressions_and_analytics_use_days_labels_and_names(support):
    suppression.suppression_add(email="stop@example.com", notes="Asked us to stop", actor=support.identity)
    services.email_customer(email_type="order_created", to_email="bob@example.com", context=ORDER, dedupe_key="f2")
    client = portal(support)

    listing = _content(client.get("/admin/emails/suppressions/").content.decode())
    remove = _content(
        client.get(
            "/admin/emails/suppressions/remove/", {"email": "stop@example.com", "type": "manual"}
        ).content.decode()
    )
    analytics = _content(client.get("/admin/emails/analytics/").content.decode())

    assert '<td data-label="Type"><span class="badge ">Manual</span></td>' in listing
    assert f"({support.identity.name})" in listing
    assert "(Manual: " in remove
    assert f'<td data-label="Day">{day(clock.business_today())}</td>' in analytics
    for page in (listing, remove, analytics):
        assert not ISO_DATE.search(page.replace('type="date"', "")), ISO_DATE.search(page)
        assert not any(raw in page for raw in RAW)
