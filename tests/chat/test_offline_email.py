"""Chat offline fallback (#16.6): a staff reply unseen for CHAT_OFFLINE_EMAIL_MINUTES is emailed
once, by the beat task, to the customer's known address, with a link back to the chat."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from bench.harness import count_dynamodb_calls
from chat.tasks import offline_emails_send_task
from emails.records import SUPPRESSED
from emails.selectors import emails_with
from emails.suppression import suppression_add

pytestmark = pytest.mark.django_db

MINUTE_MS = 60_000


def reply(support, client_id: str, text: str, message_id: str) -> None:
    body = {"clientId": client_id, "message": text, "messageId": message_id}
    response = support.api().post("/api/messages", body, format="json")
    assert response.status_code == 200, response.json()


def notify(anon, user_id: str, status: str, message_id: str) -> None:
    body = {"userId": user_id, "status": status, "messageId": message_id}
    assert anon.post("/api/messages/notify", body, format="json").status_code == 200


def run_in(minutes: float) -> dict[str, int]:
    return offline_emails_send_task(at_ms=time.time_ns() // 1_000_000 + int(minutes * MINUTE_MS))


def chat_emails(mailoutbox) -> list:
    return [m for m in mailoutbox if m.subject == "You have a reply from Auto Lab Solutions"]


def test_an_unseen_reply_is_emailed_once_after_the_delay_with_the_batch_and_a_link(
    settings, anon, support, new_customer, mailoutbox
):
    settings.CHAT_OFFLINE_EMAIL_MINUTES = 10
    settings.FRONTEND_ROOT_URL = "https://www.example.com.au"
    user_id = new_customer(user_name="Ann", user_email="Ann@Example.com")
    reply(support, user_id, "Your car is ready for pickup", "o1")
    reply(support, user_id, "We close at 5 pm", "o2")
    notify(anon, user_id, "MESSAGE_RECEIVED", "o2")  # delivered is not seen

    assert run_in(5) == {"emailed": 0, "seen": 0, "waiting": 0}  # not due yet: not even looked at
    assert chat_emails(mailoutbox) == []
    assert run_in(11) == {"emailed": 1, "seen": 0, "waiting": 0}
    [email] = chat_emails(mailoutbox)
    assert email.to == ['"Ann" <ann@example.com>']
    assert "Your car is ready for pickup" in email.body
    assert "We close at 5 pm" in email.body
    assert "Open the chat: https://www.example.com.au/?chat=open" in email.body
    html = email.alternatives[0][0]
    assert 'href="https://www.example.com.au/?chat=open"' in html

    assert run_in(30) == {"emailed": 0, "seen": 0, "waiting": 0}  # the batch is off the queue
    assert len(chat_emails(mailoutbox)) == 1

    reply(support, user_id, "Are you still coming?", "o3")  # a new batch: only the new reply
    assert run_in(11) == {"emailed": 1, "seen": 0, "waiting": 0}
    [_first, second] = chat_emails(mailoutbox)
    assert "Are you still coming?" in second.body
    assert "We close at 5 pm" not in second.body


def test_a_reply_the_customer_saw_is_not_emailed(anon, support, new_customer, mailoutbox):
    user_id = new_customer(user_email="seen@example.com")
    reply(support, user_id, "Hello!", "s1")
    notify(anon, user_id, "MESSAGE_VIEWED", "s1")
    with count_dynamodb_calls() as calls:
        assert run_in(11) == {"emailed": 0, "seen": 1, "waiting": 0}
    # The due-queue's Query, the conversation's Query, its receipts' BatchGetItem, the settle.
    assert calls == Counter({"Query": 2, "BatchGetItem": 1, "UpdateItem": 1})
    with count_dynamodb_calls() as idle:
        assert run_in(60) == {"emailed": 0, "seen": 0, "waiting": 0}
    assert idle == Counter({"Query": 1})
    assert chat_emails(mailoutbox) == []


def test_a_later_unseen_reply_waits_its_own_delay(anon, support, new_customer, mailoutbox):
    user_id = new_customer(user_email="later@example.com")
    reply(support, user_id, "First", "l1")
    notify(anon, user_id, "MESSAGE_VIEWED", "l1")
    reply(support, user_id, "Second", "l2")
    # Due by the first reply's clock; the unseen second is younger: it waits for its own 10 minutes
    # (both were sent within this test's second, so a run 10.5 minutes on sends it).
    assert run_in(10.5) == {"emailed": 1, "seen": 0, "waiting": 0}
    [email] = chat_emails(mailoutbox)
    assert "Second" in email.body
    assert "First" not in email.body


def test_no_address_no_email(support, new_customer, mailoutbox):
    user_id = new_customer(user_name="Anonymous visitor")
    reply(support, user_id, "Hi there", "n1")
    assert run_in(11) == {"emailed": 0, "seen": 1, "waiting": 0}
    assert chat_emails(mailoutbox) == []


def test_a_suppressed_address_is_not_sent_to(support, new_customer, mailoutbox):
    user_id = new_customer(user_email="bounced@example.com")
    suppression_add(email="BOUNCED@example.com", actor=support.identity)
    reply(support, user_id, "Hi there", "b1")
    assert run_in(11) == {"emailed": 1, "seen": 0, "waiting": 0}  # queued; the outbox refuses it
    assert chat_emails(mailoutbox) == []
    [record] = [r for r in emails_with("bounced@example.com") if r.email_type == "chat_offline_reply"]
    assert record.status == SUPPRESSED


def test_two_runs_at_once_email_once(support, new_customer, mailoutbox):
    user_id = new_customer(user_email="race@example.com")
    reply(support, user_id, "Race me", "r1")
    moment = time.time_ns() // 1_000_000 + 11 * MINUTE_MS
    barrier = threading.Barrier(3)
    results: list[dict[str, int]] = []

    def run() -> None:
        barrier.wait()
        results.append(offline_emails_send_task(at_ms=moment))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result["emailed"] for result in results) == 1
    assert len(chat_emails(mailoutbox)) == 1
