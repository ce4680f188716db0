"""DynamoDB calls per request of the mailbox and analytics reads (issue #11.5), on real data written
through the public surface, with answers checked as well as counts."""

from __future__ import annotations

import threading

import pytest

from autolab import clock
from bench.harness import count_dynamodb_calls
from emails import services
from tests.emails.conftest import EVENT_DAY, bounce, complaint, delivery
from tests.emails.test_ses_webhook import post

pytestmark = pytest.mark.django_db

ANALYTICS = "/api/email-suppression/analytics"


def test_thirty_days_of_suppression_analytics_take_at_most_three_calls(support, anon, sns_server):
    for number in range(3):
        services.email_customer(
            email_type="order_created", to_email=f"c{number}@example.com", context={}, dedupe_key=f"n{number}"
        )
    post(anon, sns_server.notification(delivery("d@example.com")))
    post(anon, sns_server.notification(bounce("b@example.com")))
    post(anon, sns_server.notification(complaint("c@example.com")))
    client = support.api()

    with count_dynamodb_calls() as calls:
        response = client.get(ANALYTICS)

    assert response.status_code == 200
    body = response.json()
    assert len(body["daily"]) == 30
    assert body["totals"] == {"sent": 3, "delivered": 1, "bounced": 1, "complained": 1, "suppressed": 0}
    today = clock.business_today().isoformat()
    by_day = {day["date"]: day for day in body["daily"]}
    assert by_day[today]["sent"] == 3
    assert (by_day[EVENT_DAY.isoformat()]["bounced"], by_day[EVENT_DAY.isoformat()]["delivered"]) == (1, 1)
    assert sum(calls.values()) <= 3, calls
    assert calls["Query"] == 0


def test_concurrent_events_of_one_day_are_each_counted_once(support):
    """Twenty sends racing on one day's counter: every one counted, none twice."""
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def send(number: int) -> None:
        try:
            barrier.wait()
            services.email_customer(
                email_type="order_created", to_email=f"r{number}@example.com", context={}, dedupe_key=f"race{number}"
            )
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=send, args=(number,)) for number in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The same messages again (a retried caller): deduplicated, so counted nothing more.
    for number in range(20):
        services.email_customer(
            email_type="order_created", to_email=f"r{number}@example.com", context={}, dedupe_key=f"race{number}"
        )

    assert errors == []
    today = clock.business_today().isoformat()
    body = support.api().get(ANALYTICS, {"start_date": today, "end_date": today}).json()
    assert body["totals"]["sent"] == 20


def _received_reply(parent: dict, sender: str, number: int) -> dict:
    raw = (
        f"From: Customer <{sender}>\r\n"
        "To: mail@autolabsolutions.com\r\n"
        "Subject: Re: Thread - urgent question\r\n"
        f"Message-ID: <reply{number}@mail.example.com>\r\n"
        f"In-Reply-To: <{parent['messageId']}@autolabsolutions.com>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Can you do Friday instead?\r\n"
    )
    return {
        "notificationType": "Received",
        "receipt": {"action": {"type": "SNS", "encoding": "UTF8"}},
        "mail": {"messageId": f"ses-in-{number}", "source": sender},
        "content": raw,
    }


def test_a_page_of_twenty_threads_takes_at_most_three_calls_and_matches_the_messages(support, anon, sns_server):
    client = support.api()
    sent = [
        client.post(
            "/api/emails", {"to": f"t{n}@example.com", "subject": f"Thread {n}", "text": "Hi"}, format="json"
        ).json()
        for n in range(22)
    ]
    services.email_customer(email_type="order_created", to_email="order@example.com", context={}, dedupe_key="o")
    for n in (2, 5):  # replies from customers: unread, one flagged important by its words
        message = sns_server.notification(_received_reply(sent[n], f"t{n}@example.com", n))
        post(anon, message)
        post(anon, message)  # SNS redelivery: counted once
    reply = {"to": "t7@example.com", "subject": "Thread 7", "text": "More", "in_reply_to_message_id": ""}
    client.post("/api/emails", {**reply, "in_reply_to_message_id": sent[7]["messageId"]}, format="json")
    client.patch(f"/api/emails/{sent[9]['messageId']}", {"isRead": False, "isImportant": True}, format="json")
    client.patch(f"/api/emails/{sent[11]['messageId']}", {"isRead": False}, format="json")
    client.get(f"/api/emails/{sent[11]['messageId']}")  # opening it marks it read again

    with count_dynamodb_calls() as calls:
        response = client.get("/api/emails", {"view": "threads", "limit": 20})

    assert response.status_code == 200
    threads = response.json()["threads"]
    assert len(threads) == 20
    assert sum(calls.values()) <= 3, calls
    by_customer = {thread["primaryCustomerEmail"]: thread for thread in threads}
    assert (by_customer["t2@example.com"]["messageCount"], by_customer["t2@example.com"]["unreadCount"]) == (2, 1)
    assert by_customer["t2@example.com"]["isImportant"] is True
    assert (by_customer["t9@example.com"]["unreadCount"], by_customer["t9@example.com"]["isImportant"]) == (1, True)
    assert by_customer["t11@example.com"]["unreadCount"] == 0
    assert by_customer["t7@example.com"]["messageCount"] == 2
    # Each thread as its own messages tell it (the per-customer list reads them, not the head).
    for thread in threads:
        [own] = client.get("/api/emails", {"view": "threads", "customer_email": thread["primaryCustomerEmail"]}).json()[
            "threads"
        ]
        assert own == thread
