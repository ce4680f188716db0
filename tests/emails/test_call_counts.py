"""DynamoDB calls per request of the mailbox and analytics reads (issue #11.5), on real data written
through the public surface, with answers checked as well as counts."""

from __future__ import annotations

import threading

import pytest

from autolab import clock
from bench.harness import count_dynamodb_calls
from chat.emails import services
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
