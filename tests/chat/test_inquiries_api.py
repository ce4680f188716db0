from __future__ import annotations

import datetime as dt
import threading

import pytest

from autolab import clock
from chat import selectors
from chat.models import Inquiry

pytestmark = pytest.mark.django_db

VALID = {"firstName": "Ann", "lastName": "Lee", "email": "ann@example.com", "message": "Please quote a PPI."}


def create(client, user_id, **changes):
    return client.post("/api/inquiries", {"userId": user_id, "inquiryData": {**VALID, **changes}}, format="json")


def test_inquiry_is_stored_open(anon, new_customer):
    user_id = new_customer()
    response = create(anon, user_id)
    assert response.status_code == 200
    assert response.json()["message"] == "Inquiry submitted successfully"
    stored = selectors.inquiry_get(response.json()["inquiryId"])
    assert (stored.status, stored.user_id, stored.email) == ("OPEN", user_id, "ann@example.com")
    assert stored.created_date == clock.business_date_str()


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"firstName": ""}, "firstName is required"),
        ({"lastName": "x" * 51}, "lastName must be at most 50"),
        ({"email": "no-at-sign.com"}, "email"),
        ({"email": "a@" + "b" * 100 + ".com"}, "email must be at most 100"),
        ({"message": "  too short  "}, "at least 10"),
        ({"message": "x" * 1001}, "at most 1000"),
    ],
)
def test_inquiry_validation(anon, new_customer, changes, text):
    response = create(anon, new_customer(), **changes)
    assert response.status_code == 400
    assert text in response.json()["message"]
    assert list(selectors.inquiry_list(limit=10, cursor=None).items) == []


def test_inquiry_needs_user_and_data(anon, new_customer):
    assert anon.post("/api/inquiries", {"inquiryData": VALID}, format="json").status_code == 400
    assert anon.post("/api/inquiries", {"userId": new_customer()}, format="json").status_code == 400
    assert create(anon, "unknown-user").status_code == 404


def test_staff_list_filters_by_status_and_dates_with_cursor(support, anon, new_customer):
    user_id = new_customer()
    ids = [create(anon, user_id).json()["inquiryId"] for _ in range(3)]
    old = Inquiry.get(ids[0])
    old.update(actions=[Inquiry.created_at.set(old.created_at - 5 * 86400)])
    client = support.api()
    page = client.get("/api/inquiries", {"limit": 2}).json()
    assert page["count"] == 2
    rest = client.get("/api/inquiries", {"limit": 2, "cursor": page["nextCursor"]}).json()
    assert {i["inquiryId"] for i in page["inquiries"] + rest["inquiries"]} == set(ids)
    today = clock.business_today()
    recent = client.get("/api/inquiries", {"startDate": (today - dt.timedelta(days=1)).isoformat()}).json()
    assert {i["inquiryId"] for i in recent["inquiries"]} == set(ids[1:])
    client.patch(f"/api/inquiries/{ids[1]}", {"status": "IN_PROGRESS"}, format="json")
    in_progress = client.get("/api/inquiries", {"status": "IN_PROGRESS"}).json()["inquiries"]
    assert [i["inquiryId"] for i in in_progress] == [ids[1]]
    assert client.get("/api/inquiries", {"status": "WHATEVER"}).status_code == 400
    assert client.get("/api/inquiries", {"startDate": "2030-02-02", "endDate": "2030-01-01"}).status_code == 400


def test_status_workflow_records_who_and_when(support, anon, new_customer):
    inquiry_id = create(anon, new_customer()).json()["inquiryId"]
    client = support.api()
    assert client.patch(f"/api/inquiries/{inquiry_id}", {"status": "RESOLVED"}, format="json").status_code == 409
    for status in ("IN_PROGRESS", "RESOLVED", "CLOSED"):
        response = client.patch(f"/api/inquiries/{inquiry_id}", {"status": status}, format="json")
        assert response.status_code == 200
    body = client.get(f"/api/inquiries/{inquiry_id}").json()["inquiry"]
    assert body["status"] == "CLOSED"
    assert body["statusUpdatedBy"] == support.user_id
    assert [c["status"] for c in body["statusHistory"]] == ["OPEN", "IN_PROGRESS", "RESOLVED", "CLOSED"]
    assert client.patch(f"/api/inquiries/{inquiry_id}", {"status": "OPEN"}, format="json").status_code == 409


def test_status_change_permissions(clerk, mechanic, anon, new_customer):
    inquiry_id = create(anon, new_customer()).json()["inquiryId"]
    assert clerk.api().get("/api/inquiries").status_code == 200
    assert (
        clerk.api().patch(f"/api/inquiries/{inquiry_id}", {"status": "IN_PROGRESS"}, format="json").status_code == 403
    )
    assert anon.get("/api/inquiries").status_code in (401, 403)
    assert mechanic.api().get("/api/inquiries/unknown").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_status_moves_apply_once(make_staff, anon, new_customer):
    inquiry_id = create(anon, new_customer()).json()["inquiryId"]
    clients = [make_staff("CUSTOMER_SUPPORT").api() for _ in range(3)]
    statuses: list[int] = []
    barrier = threading.Barrier(len(clients))

    def move(client):
        barrier.wait()
        statuses.append(
            client.patch(f"/api/inquiries/{inquiry_id}", {"status": "IN_PROGRESS"}, format="json").status_code
        )

    threads = [threading.Thread(target=move, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409, 409]
    assert len(selectors.inquiry_get(inquiry_id).status_history) == 2
