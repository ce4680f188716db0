"""Message-IDs an outsider cannot guess, and received mail that can neither join someone else's
thread nor take an id (issue 20 item 3)."""

from __future__ import annotations

import json
import threading
import uuid

from django.core import mail

from emails import records, selectors, services
from emails.models import EmailMetadata

URL = "/api/webhooks/ses"
ORDER = {"order_id": "ORD-1", "items": [], "total": "10.00"}
# The namespace the first round's source used to derive ids from dedupe keys (uuid5): public.
OLD_NAMESPACE = uuid.UUID("6f1c8c52-3c1e-4b1a-9f6e-2f0b7d8f6a10")


def _inbound(anon, sns_server, *, sender: str, message_id: str, in_reply_to: str = "", subject: str = "Re: quote"):
    headers = [
        f"From: {sender}",
        "To: mail@autolabsolutions.com",
        f"Subject: {subject}",
        f"Message-ID: <{message_id}>",
    ]
    if in_reply_to:
        headers += [f"In-Reply-To: <{in_reply_to}>", f"References: <{in_reply_to}>"]
    raw = "\r\n".join([*headers, "Content-Type: text/plain; charset=utf-8", "", "Please reply to me.", ""])
    notification = {
        "notificationType": "Received",
        "receipt": {"action": {"type": "SNS", "encoding": "UTF8"}},
        "mail": {"messageId": "ses-in", "source": sender},
        "content": raw,
    }
    response = anon.post(URL, data=json.dumps(sns_server.notification(notification)), content_type="text/plain")
    assert response.status_code == 200
    return response


def _send(support, to: str, subject: str = "Your quote") -> dict:
    response = support.api().post("/api/emails", {"to": to, "subject": subject, "text": "Hi"}, format="json")
    assert response.status_code == 200
    return response.json()


def _thread_ids(support, thread_id: str) -> list[str]:
    return [email["messageId"] for email in support.api().get(f"/api/emails/{thread_id}").json()["emails"]]


def test_transactional_message_ids_are_random_not_derived_from_their_key():
    first = services.email_customer(
        email_type="order_created", to_email="a@example.com", context=ORDER, dedupe_key="order_created:ORD-1"
    )

    assert uuid.UUID(first).version == 4
    assert first != str(uuid.uuid5(OLD_NAMESPACE, "order_created:ORD-1"))
    [sent] = mail.outbox
    assert sent.extra_headers["Message-ID"] == f"<{first}@autolabsolutions.com>"


def test_the_same_key_still_queues_one_message_and_answers_its_id():
    ids = [
        services.email_customer(
            email_type="order_created", to_email="a@example.com", context=ORDER, dedupe_key="order_created:ORD-2"
        )
        for _ in range(3)
    ]

    assert len(set(ids)) == 1
    assert len(mail.outbox) == 1
    assert selectors.email_get(ids[0]).status == "sent"


def test_racing_requests_for_the_same_email_queue_it_once():
    barrier, ids, errors = threading.Barrier(6), [], []

    def request() -> None:
        barrier.wait()
        try:
            ids.append(
                services.email_customer(
                    email_type="order_created", to_email="r@example.com", context=ORDER, dedupe_key="race:ORD-3"
                )
            )
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(ids) == 6
    assert len(set(ids)) == 1
    assert len(mail.outbox) == 1


def test_a_reply_from_someone_we_did_not_write_to_starts_its_own_thread(anon, sns_server, support):
    sent = _send(support, "jane@example.com")

    _inbound(
        anon,
        sns_server,
        sender="Mallory <mallory@evil.example>",
        message_id="m1@evil.example",
        in_reply_to=f"{sent['messageId']}@autolabsolutions.com",
    )

    assert _thread_ids(support, sent["threadId"]) == [sent["messageId"]]
    planted = support.api().get("/api/emails/m1@evil.example").json()
    assert planted["threadId"] != sent["threadId"]
    assert planted["emails"][0]["fromEmail"] == "mallory@evil.example"
    assert planted["composeToEmail"] == "mallory@evil.example"


def test_the_customer_we_wrote_to_still_joins_our_thread(anon, sns_server, support):
    sent = _send(support, "jane@example.com")

    _inbound(
        anon,
        sns_server,
        sender="Jane <Jane@Example.com>",
        message_id="j1@mail.example.com",
        in_reply_to=f"{sent['messageId']}@autolabsolutions.com",
    )

    assert _thread_ids(support, sent["threadId"]) == [sent["messageId"], "j1@mail.example.com"]


def test_a_reply_to_a_received_email_is_not_a_way_into_its_thread(anon, sns_server, support):
    _inbound(anon, sns_server, sender="jane@example.com", message_id="j2@mail.example.com", subject="Booking")
    jane_thread = support.api().get("/api/emails/j2@mail.example.com").json()["threadId"]

    _inbound(
        anon, sns_server, sender="mallory@evil.example", message_id="m2@evil.example", in_reply_to="j2@mail.example.com"
    )

    assert _thread_ids(support, jane_thread) == ["j2@mail.example.com"]


def test_a_received_message_id_in_our_domain_never_blocks_a_later_send(anon, sns_server):
    guessed = str(uuid.uuid5(OLD_NAMESPACE, "order_created:ORD-4"))

    _inbound(anon, sns_server, sender="mallory@evil.example", message_id=f"{guessed}@autolabsolutions.com")
    message_id = services.email_customer(
        email_type="order_created", to_email="victim@example.com", context=ORDER, dedupe_key="order_created:ORD-4"
    )

    assert [m.to for m in mail.outbox] == [["victim@example.com"]]
    assert selectors.email_get(message_id).status == "sent"
    assert selectors.email_get(guessed) is None  # the planted mail kept its own id@host
    assert selectors.email_get(f"{guessed}@autolabsolutions.com").from_email == "mallory@evil.example"


def test_a_received_email_reusing_an_id_never_replaces_the_email_that_has_it(anon, sns_server, support):
    _inbound(anon, sns_server, sender="jane@example.com", message_id="same@mail.example.com", subject="Booking")

    _inbound(anon, sns_server, sender="mallory@evil.example", message_id="same@mail.example.com", subject="Hijack")

    original = selectors.email_get("same@mail.example.com")
    assert (original.from_email, original.subject) == ("jane@example.com", "Booking")
    month = selectors.month_of(records.now_ms())
    received = [r for r in EmailMetadata.mailbox_index.query(month) if r.content_type != records.SENT_CONTENT_TYPE]
    assert sorted(r.from_email for r in received) == ["jane@example.com", "mallory@evil.example"]
    hijack = next(r for r in received if r.from_email == "mallory@evil.example")
    assert hijack.message_id != "same@mail.example.com"
    assert hijack.thread_id != original.thread_id
