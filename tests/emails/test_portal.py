"""Email section of the staff portal: mailbox, thread and reply, suppression list, analytics chart."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from emails import inbound, selectors, services, suppression
from emails.models import EmailMetadata
from tests.emails.test_sending import ORDER


def portal(persona) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=persona.email))
    return client


def test_mailbox_lists_threads_and_the_index_links_the_section(support):
    services.email_customer(email_type="order_created", to_email="buyer@example.com", context=ORDER, dedupe_key="p1")
    client = portal(support)

    page = client.get("/admin/emails/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Your Service Order Has Been Created" in html
    assert "buyer@example.com" in html
    assert 'class="badge status-sent">Sent' in html
    index = client.get("/admin/").content.decode()
    assert "Mailbox" in index
    assert "Suppression list" in index


@pytest.mark.parametrize("roles", [("MECHANIC",), ("CLERK",)])
def test_other_roles_cannot_open_the_email_pages(make_staff, roles):
    client = portal(make_staff(*roles))
    for path in ("/admin/emails/", "/admin/emails/suppressions/", "/admin/emails/analytics/", "/admin/emails/compose/"):
        assert client.get(path).status_code == 403


def test_compose_sends_and_shows_the_thread_then_reply_joins_it(support):
    client = portal(support)

    response = client.post(
        "/admin/emails/compose/", {"to": "Jane@Example.com", "cc": "", "subject": "Your quote", "text": "Hello <Jane>"}
    )

    assert response.status_code == 302
    thread_url = response["Location"]
    assert re.fullmatch(r"/admin/emails/thread/[0-9a-f-]+/", thread_url)
    [message] = mail.outbox
    assert message.to == ["jane@example.com"]
    thread_page = client.get(thread_url).content.decode()
    assert "Your quote" in thread_page
    assert "Hello &lt;Jane&gt;" in thread_page

    reply = client.post(thread_url, {"text": "Following up"})

    assert reply.status_code == 302
    assert mail.outbox[1].subject == "Re: Your quote"
    assert mail.outbox[1].to == ["jane@example.com"]
    assert "Following up" in client.get(thread_url).content.decode()


def test_compose_with_a_bad_address_shows_the_error_and_sends_nothing(support):
    page = portal(support).post("/admin/emails/compose/", {"to": "nobody", "subject": "x", "text": "y"})
    assert page.status_code == 200
    assert "Invalid email address: nobody" in page.content.decode()
    assert mail.outbox == []


def test_thread_warns_about_a_suppressed_customer(support):
    message_id = services.email_customer(
        email_type="order_created", to_email="gone@example.com", context=ORDER, dedupe_key="w"
    )
    suppression.suppression_add(email="gone@example.com", actor=support.identity)

    page = portal(support).get(f"/admin/emails/thread/{message_id}/").content.decode()

    assert "gone@example.com is on the suppression list" in page


def test_suppression_add_and_remove_with_confirmation(support):
    client = portal(support)

    added = client.post(
        "/admin/emails/suppressions/",
        {"email": "Stop@Example.com", "reason": "manual", "notes": "Phoned to unsubscribe"},
    )
    assert added.status_code == 302
    listing = client.get("/admin/emails/suppressions/").content.decode()
    assert "stop@example.com" in listing
    assert "Phoned to unsubscribe" in listing

    confirm = client.get("/admin/emails/suppressions/remove/", {"email": "stop@example.com", "type": "manual"})
    assert "Yes, remove" in confirm.content.decode()
    assert selectors.email_is_suppressed("stop@example.com")  # a GET changes nothing

    removed = client.post("/admin/emails/suppressions/remove/", {"email": "stop@example.com", "type": "manual"})
    assert removed.status_code == 302
    assert not selectors.email_is_suppressed("stop@example.com")
    assert "stop@example.com" not in client.get("/admin/emails/suppressions/").content.decode()


def test_adding_an_already_suppressed_address_shows_the_conflict(support):
    suppression.suppression_add(email="dup@example.com", actor=support.identity)
    page = portal(support).post("/admin/emails/suppressions/", {"email": "dup@example.com", "reason": "manual"})
    assert page.status_code == 200
    assert "dup@example.com is already suppressed (manual)" in page.content.decode()


def test_analytics_page_draws_the_chart(support):
    services.email_customer(email_type="order_created", to_email="a@example.com", context=ORDER, dedupe_key="a1")
    services.email_customer(email_type="order_created", to_email="b@example.com", context=ORDER, dedupe_key="a2")

    html = portal(support).get("/admin/emails/analytics/").content.decode()

    assert "<svg" in html
    assert html.count("<polyline") == 4
    assert "Sent: 2" in html
    assert "Bounced: 0" in html


def test_a_failed_email_can_be_sent_again(support):
    message_id = services.email_customer(
        email_type="order_created", to_email="a@example.com", context=ORDER, dedupe_key="f"
    )
    EmailMetadata(message_id=message_id).update(actions=[EmailMetadata.status.set("failed")])
    mail.outbox.clear()
    client = portal(support)

    assert "Send again" in client.get(f"/admin/emails/thread/{message_id}/").content.decode()
    client.post(f"/admin/emails/message/{message_id}/resend/")

    assert len(mail.outbox) == 1
    assert selectors.email_get(message_id).status == "sent"
    assert client.post(f"/admin/emails/message/{message_id}/resend/").status_code == 302
    assert len(mail.outbox) == 1  # a sent email is not sent again


def test_replying_to_a_received_email_answers_its_sender(support):
    raw = b"From: Bob <bob@example.com>\r\nTo: mail@autolabsolutions.com\r\nSubject: Brake pads?\r\nMessage-ID: <q1@example.com>\r\n\r\nDo you stock them?\r\n"
    record = inbound.email_record_inbound(raw=raw)
    client = portal(support)

    page = client.get(f"/admin/emails/thread/{record.thread_id}/").content.decode()
    assert "Do you stock them?" in page
    client.post(f"/admin/emails/thread/{record.thread_id}/", {"text": "Yes we do."})

    [reply] = mail.outbox
    assert (reply.to, reply.subject) == (["bob@example.com"], "Re: Brake pads?")
    assert reply.extra_headers["In-Reply-To"] == "<q1@example.com>"
    assert reply.extra_headers["References"] == "<q1@example.com>"
    assert selectors.email_get("q1@example.com").is_read is True


def test_sending_again_and_lifting_a_suppression_are_audited(support):
    from autolab import audit
    from emails import suppression

    message_id = services.email_customer(
        email_type="order_created", to_email="a@example.com", context=ORDER, dedupe_key="audit"
    )
    EmailMetadata(message_id=message_id).update(actions=[EmailMetadata.status.set("failed")])
    portal(support).post(f"/admin/emails/message/{message_id}/resend/")
    resent = audit.history("email", message_id).entries[0]
    assert (resent.actor_id, resent.action, resent.changed) == (
        support.user_id,
        "email.resend",
        {"status": ["failed", "queued"]},
    )
    suppression.suppression_add(email="Bounced@Example.com", notes="Full", actor=support.identity)
    suppression.suppression_remove(email="bounced@example.com", actor=support.identity)
    lifted = audit.history("suppression", "bounced@example.com").entries[0]
    assert (lifted.actor_id, lifted.action, lifted.changed) == (
        support.user_id,
        "suppression.remove",
        {"suppressed": [["manual"], []]},
    )
