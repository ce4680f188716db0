"""Inquiries answered in place: the inquiry page emails the customer through the mailbox's own send
(eager Celery: the real worker task renders and sends it), links the inquiry and the thread both
ways, moves the inquiry on, and sends once however often the same form is posted."""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from chat import inquiries, selectors, services
from emails import selectors as email_selectors
from emails import suppression


def portal(persona) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=persona.email))
    return client


def _inquiry(email: str = "ann@example.com", message: str = "Do you service Subaru Foresters?\nMine is a 2019."):
    user_id = services.customer_register(user_name="Ann Lee", user_email=email).user_id
    request = inquiries.InquiryRequest(first_name="Ann", last_name="Lee", email=email, message=message)
    return inquiries.inquiry_create(user_id=user_id, inquiry=request)


def _reply(key: str | None = None, **fields: str) -> dict[str, str]:
    return {
        "action": "reply",
        "key": key or str(uuid.uuid4()),
        "subject": "Re: Do you service Subaru Foresters?",
        "text": "Yes, we do. Book any weekday.",
        "resolve": "on",
        **fields,
    }


def test_the_page_offers_a_prefilled_reply_and_sending_it_emails_links_and_resolves(support):
    inquiry = _inquiry()
    client = portal(support)
    url = f"/admin/chat/inquiries/{inquiry.inquiry_id}/"

    page = client.get(url).content.decode()
    assert 'value="Re: Do you service Subaru Foresters?"' in page
    key = re.search(r'name="key" value="([0-9a-f-]{36})"', page).group(1)

    sent = client.post(url, _reply(key))

    assert sent.status_code == 302
    assert sent["Location"] == url
    [message] = mail.outbox
    assert message.to == ["ann@example.com"]
    assert message.subject == "Re: Do you service Subaru Foresters?"
    assert "Yes, we do. Book any weekday." in message.body
    assert "> Do you service Subaru Foresters?" in message.body  # the customer's message is quoted
    stored = selectors.inquiry_get(inquiry.inquiry_id)
    assert stored.status == inquiries.RESOLVED
    assert [change.status for change in stored.status_history] == ["OPEN", "IN_PROGRESS", "RESOLVED"]
    assert stored.status_history[-1].by_name == support.identity.name
    [reply] = stored.replies
    email = email_selectors.email_get(reply.message_id)
    assert email.status == "sent"
    assert email.inquiry_id == inquiry.inquiry_id
    assert email.sent_by == support.email
    assert stored.email_thread_id == email.thread_id
    assert stored.reply_message_ids == {email.message_id}

    after = client.get(url).content.decode()
    assert "Reply emailed to ann@example.com; the inquiry is resolved." in after
    assert f'href="/admin/emails/thread/{stored.email_thread_id}/"' in after
    thread = client.get(f"/admin/emails/thread/{stored.email_thread_id}/").content.decode()
    assert f'href="/admin/chat/inquiries/{inquiry.inquiry_id}/"' in thread  # the thread links back
    assert f"by {support.identity.name}" in thread


def test_a_double_submit_of_the_same_form_sends_once(support):
    inquiry = _inquiry()
    client = portal(support)
    url = f"/admin/chat/inquiries/{inquiry.inquiry_id}/"
    form = _reply(str(uuid.uuid4()))

    first, second = client.post(url, form), client.post(url, form)

    assert (first.status_code, second.status_code) == (302, 302)
    assert len(mail.outbox) == 1
    stored = selectors.inquiry_get(inquiry.inquiry_id)
    assert len(stored.replies) == 1
    assert [change.status for change in stored.status_history] == ["OPEN", "IN_PROGRESS", "RESOLVED"]
    assert len(email_selectors.thread_messages(stored.email_thread_id)) == 1


def test_two_racing_submits_of_one_form_send_once(support):
    inquiry = _inquiry()
    reply = inquiries.Reply(subject="Re: Subaru", text="Yes.", key=str(uuid.uuid4()), resolve=False)

    def answer() -> inquiries.Answered:
        return inquiries.inquiry_answer(inquiry_id=inquiry.inquiry_id, reply=reply, staff=support.identity)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [future.result() for future in [pool.submit(answer), pool.submit(answer)]]

    assert results[0].email.message_id == results[1].email.message_id
    assert len(mail.outbox) == 1
    stored = selectors.inquiry_get(inquiry.inquiry_id)
    assert stored.status == inquiries.IN_PROGRESS
    assert len(stored.replies) == 1


def test_a_second_reply_joins_the_same_thread(support):
    inquiry = _inquiry()
    client = portal(support)
    url = f"/admin/chat/inquiries/{inquiry.inquiry_id}/"
    client.post(url, _reply(resolve=""))
    assert selectors.inquiry_get(inquiry.inquiry_id).status == inquiries.IN_PROGRESS

    page = client.get(url).content.decode()
    assert 'value="Re: Do you service Subaru Foresters?"' in page  # the thread's subject, not "Re: Re:"
    client.post(url, _reply(text="Following up: Thursday is free."))

    stored = selectors.inquiry_get(inquiry.inquiry_id)
    assert len(stored.replies) == 2
    assert stored.status == inquiries.RESOLVED
    thread = email_selectors.thread_messages(stored.email_thread_id)
    assert [email.message_id for email in thread] == [reply.message_id for reply in stored.replies]
    assert mail.outbox[1].subject == "Re: Do you service Subaru Foresters?"


def test_a_canned_reply_is_the_message_when_none_is_written(support):
    canned = services.canned_reply_create(title="Hours", text="We are open 8-5 weekdays.", staff=support.identity)
    inquiry = _inquiry()
    client = portal(support)
    url = f"/admin/chat/inquiries/{inquiry.inquiry_id}/"
    assert "We are open 8-5 weekdays." in client.get(url).content.decode()  # for the page's script

    client.post(url, _reply(text="", canned=canned.reply_id))

    [message] = mail.outbox
    assert "We are open 8-5 weekdays." in message.body


def test_bad_input_keeps_the_form_and_sends_nothing(support):
    services.canned_reply_create(title="Hours", text="We are open 8-5 weekdays.", staff=support.identity)
    inquiry = _inquiry()
    client = portal(support)
    url = f"/admin/chat/inquiries/{inquiry.inquiry_id}/"

    empty = client.post(url, _reply(text=""))
    no_key = client.post(url, {**_reply(), "key": "not-a-key"})
    no_subject = client.post(url, _reply(subject=""))
    unknown_canned = client.post(url, _reply(text="", canned="nope"))

    for response in (empty, no_key, no_subject, unknown_canned):
        assert response.status_code == 200
    assert "Write a message or choose a canned reply." in empty.content.decode()
    assert "This form is out of date: reload the page and send again." in no_key.content.decode()
    assert "This field is required." in no_subject.content.decode()
    assert "Select a valid choice." in unknown_canned.content.decode()
    assert "Yes, we do. Book any weekday." in no_subject.content.decode()  # the input is kept
    assert mail.outbox == []
    assert selectors.inquiry_get(inquiry.inquiry_id).status == inquiries.OPEN
    assert client.post("/admin/chat/inquiries/no-such-inquiry/", _reply()).status_code == 404


def test_a_suppressed_address_is_warned_about_before_sending_and_not_emailed(support):
    inquiry = _inquiry(email="gone@example.com")
    suppression.suppression_add(email="gone@example.com", actor=support.identity)
    client = portal(support)
    url = f"/admin/chat/inquiries/{inquiry.inquiry_id}/"

    assert "gone@example.com is on the suppression list" in client.get(url).content.decode()
    refused = client.post(url, _reply())

    assert refused.status_code == 200
    assert "Address on the suppression list: gone@example.com" in refused.content.decode()
    assert mail.outbox == []
    stored = selectors.inquiry_get(inquiry.inquiry_id)
    assert (stored.status, stored.replies) == (inquiries.OPEN, None)


def test_a_mechanic_reads_inquiries_but_cannot_answer_them(mechanic):
    inquiry = _inquiry()
    client = portal(mechanic)
    url = f"/admin/chat/inquiries/{inquiry.inquiry_id}/"

    assert 'id="inquiry-reply"' not in client.get(url).content.decode()
    refused = client.post(url, _reply(), follow=True)

    assert "Only Admin and Customer Support can answer an inquiry." in refused.content.decode()
    assert mail.outbox == []
