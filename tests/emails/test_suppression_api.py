"""/api/email-suppression/*: check, list, add, remove, analytics, cleanup — working, unlike the original."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail

from autolab import clock
from autolab.pagination import encode_cursor
from emails import selectors, services, suppression
from emails.models import EmailSuppression

BASE = "/api/email-suppression"


def test_add_check_list_remove_round_trip(support):
    client = support.api()

    added = client.post(
        f"{BASE}/add", {"email": "Person@Example.com", "notes": "Asked by phone to stop"}, format="json"
    )
    assert added.status_code == 200
    assert added.json()["suppression_type"] == "manual"

    check = client.get(f"{BASE}/check", {"email": "PERSON@example.com"}).json()
    assert check["email"] == "person@example.com"
    assert check["is_suppressed"] is True
    assert check["local_suppressions"][0]["type"] == "manual"
    assert check["local_suppressions"][0]["reason"] == "Asked by phone to stop"
    assert check["ses_suppressed"] is False

    listed = client.get(f"{BASE}/list").json()
    assert [(i["email"], i["suppression_type"], i["reason"]) for i in listed["items"]] == [
        ("person@example.com", "manual", "Asked by phone to stop")
    ]
    assert listed["count"] == 1

    services.email_customer(email_type="order_created", to_email="person@example.com", context={}, dedupe_key="x1")
    assert mail.outbox == []

    removed = client.delete(f"{BASE}/remove?email=person@example.com")
    assert removed.status_code == 200
    assert removed.json()["removed_types"] == ["manual"]
    assert client.get(f"{BASE}/check", {"email": "person@example.com"}).json()["is_suppressed"] is False
    assert client.get(f"{BASE}/list").json()["items"] == []
    entry = EmailSuppression.get("person@example.com", "manual")
    assert (entry.status, entry.removed_by) == ("removed", support.email)  # history is kept

    services.email_customer(email_type="order_created", to_email="person@example.com", context={}, dedupe_key="x2")
    assert len(mail.outbox) == 1


def test_adding_twice_is_a_conflict_and_re_adding_after_removal_works(support):
    client = support.api()
    assert client.post(f"{BASE}/add", {"email": "a@example.com"}, format="json").status_code == 200
    assert client.post(f"{BASE}/add", {"email": "A@example.com"}, format="json").status_code == 409
    client.delete(f"{BASE}/remove?email=a@example.com&type=manual")
    assert client.post(f"{BASE}/add", {"email": "a@example.com"}, format="json").status_code == 200


# Committed auth data: the racing threads read tokens on their own DB connections.
@pytest.mark.django_db(transaction=True)
def test_two_staff_adding_the_same_address_at_once_one_wins(make_staff):
    clients = [make_staff("CUSTOMER_SUPPORT").api() for _ in range(4)]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def add(client) -> None:
        barrier.wait()
        statuses.append(client.post(f"{BASE}/add", {"email": "race@example.com"}, format="json").status_code)

    threads = [threading.Thread(target=add, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 409, 409, 409]
    assert len(selectors.suppression_list_for("race@example.com")) == 1


def test_remove_one_type_keeps_the_others(support, anon, sns_server):
    from tests.emails.conftest import complaint
    from tests.emails.test_ses_webhook import post

    post(anon, sns_server.notification(complaint("both@example.com")))
    suppression.suppression_add(email="both@example.com", actor=support.identity)

    response = support.api().delete(f"{BASE}/remove?email=both@example.com&type=manual")

    assert response.json()["removed_types"] == ["manual"]
    assert [e.suppression_type for e in selectors.suppression_list_for("both@example.com")] == ["complaint"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", f"{BASE}/check", {"email": "nope"}),
        ("get", f"{BASE}/check", {}),
        ("post", f"{BASE}/add", {"email": "x@"}),
        ("post", f"{BASE}/add", {"email": "x@example.com", "reason": "because"}),
        ("get", f"{BASE}/list", {"limit": 0}),
        ("get", f"{BASE}/list", {"lastKey": "forged"}),
        ("get", f"{BASE}/analytics", {"start_date": "2026-13-01"}),
        ("get", f"{BASE}/analytics", {"start_date": "2026-01-01", "end_date": "2026-12-31"}),
        ("get", f"{BASE}/analytics", {"start_date": "2026-02-01", "end_date": "2026-01-01"}),
    ],
)
def test_bad_input_is_400(support, method, path, body):
    client = support.api()
    response = client.get(path, body) if method == "get" else client.post(path, body, format="json")
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_a_cursor_of_another_list_is_400_not_a_5xx(support):
    foreign = encode_cursor({"userId": {"S": "someone"}, "listKey": {"S": "CUSTOMER"}, "createdAt": {"N": "1"}})

    response = support.api().get(f"{BASE}/list", {"lastKey": foreign})

    assert response.status_code == 400
    assert response.json() == {"success": False, "message": "Invalid cursor"}


def test_removing_an_address_that_is_not_suppressed_is_404(support):
    assert support.api().delete(f"{BASE}/remove?email=clean@example.com").status_code == 404


@pytest.mark.parametrize(
    ("roles", "read", "write"), [(("CLERK",), 403, 403), (("MECHANIC",), 403, 403), (("ADMIN",), 200, 200)]
)
def test_roles(make_staff, roles, read, write):
    client = make_staff(*roles).api()
    assert client.get(f"{BASE}/list").status_code == read
    assert client.post(f"{BASE}/add", {"email": "r@example.com"}, format="json").status_code == write


def test_list_pages_by_cursor_and_filters_by_type(support, anon, sns_server):
    from tests.emails.conftest import bounce
    from tests.emails.test_ses_webhook import post

    for number in range(3):
        suppression.suppression_add(email=f"m{number}@example.com", actor=support.identity)
    post(anon, sns_server.notification(bounce("b@example.com")))
    client = support.api()

    first = client.get(f"{BASE}/list", {"limit": 2}).json()
    second = client.get(f"{BASE}/list", {"limit": 2, "lastKey": first["lastEvaluatedKey"]}).json()
    emails = {i["email"] for i in first["items"] + second["items"]}
    assert emails == {"m0@example.com", "m1@example.com", "m2@example.com", "b@example.com"}
    bounces = client.get(f"{BASE}/list", {"type": "bounce"}).json()
    assert [(i["email"], i["reason"]) for i in bounces["items"]] == [("b@example.com", "Bounce: Permanent/General")]


def test_analytics_counts_events_per_day(support, anon, sns_server):
    from tests.emails.conftest import EVENT_DAY, bounce, complaint, delivery
    from tests.emails.test_ses_webhook import post

    post(anon, sns_server.notification(delivery("d@example.com")))
    post(anon, sns_server.notification(bounce("b@example.com")))
    post(anon, sns_server.notification(complaint("c@example.com")))

    body = (
        support.api()
        .get(
            f"{BASE}/analytics",
            {"start_date": (EVENT_DAY - dt.timedelta(days=1)).isoformat(), "end_date": EVENT_DAY.isoformat()},
        )
        .json()
    )

    assert body["daily"][0] == {
        "date": (EVENT_DAY - dt.timedelta(days=1)).isoformat(),
        "sent": 0,
        "delivered": 0,
        "bounced": 0,
        "complained": 0,
        "suppressed": 0,
    }
    assert body["daily"][1] == {
        "date": EVENT_DAY.isoformat(),
        "sent": 0,
        "delivered": 1,
        "bounced": 1,
        "complained": 1,
        "suppressed": 0,
    }
    assert body["totals"]["bounced"] == 1


def test_cleanup_expires_entries_whose_ttl_passed(support, ttl_sweeper_paused):
    ttl_sweeper_paused(EmailSuppression)  # the entry stays, as on AWS until its lazy TTL deletion
    suppression._suppress(
        email="old@example.com",
        suppression_type="bounce",
        moment=clock.now() - dt.timedelta(days=400),
        ttl_days=365,
        reason="Bounce: old",
    )
    suppression.suppression_add(email="new@example.com", actor=support.identity)
    assert not selectors.email_is_suppressed("old@example.com")  # expired entries never block a send

    response = support.api().post(f"{BASE}/cleanup")

    assert response.json()["expired"] == 1
    assert EmailSuppression.get("old@example.com", "bounce").status == "expired"
    assert [i["email"] for i in support.api().get(f"{BASE}/list").json()["items"]] == ["new@example.com"]
