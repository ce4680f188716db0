from __future__ import annotations

import threading
import uuid

import pytest
from rest_framework.test import APIClient

from chat import selectors, services

pytestmark = pytest.mark.django_db


def test_register_issues_a_uuid4_with_profile(anon):
    response = anon.post("/api/users/register", {"userName": "Ann", "userEmail": "Ann@Example.com"}, format="json")
    assert response.status_code == 201
    user_id = response.json()["userId"]
    assert uuid.UUID(user_id).version == 4
    stored = selectors.customer_get(user_id)
    assert stored.user_name == "Ann"
    assert stored.user_email == "ann@example.com"


def test_register_refuses_an_invalid_email_and_writes_nothing(anon):
    response = anon.post("/api/users/register", {"userEmail": "not-an-email"}, format="json")
    assert response.status_code == 400
    assert "userEmail" in response.json()["message"]
    assert selectors.customer_list(limit=10, cursor=None).items == []


def test_check_answers_valid_for_a_known_id_and_404_for_unknown(anon, new_customer):
    user_id = new_customer()
    known = anon.get("/api/users/check", {"userId": user_id})
    assert known.status_code == 200
    assert known.json() == {"success": True, "valid": True, "message": "User ID is valid", "userId": user_id}
    unknown_id = str(uuid.uuid4())
    unknown = anon.get("/api/users/check", {"userId": unknown_id})
    assert unknown.status_code == 404
    assert unknown.json()["valid"] is False
    assert selectors.customer_get(unknown_id) is None  # never created by a check


def test_check_without_user_id_is_400(anon):
    assert anon.get("/api/users/check").status_code == 400


def test_users_list_pages_with_a_cursor_and_searches(admin, new_customer):
    for number in range(3):
        new_customer(user_name=f"Customer {number}", user_email=f"c{number}@example.com")
    new_customer(user_name="Zed Target", user_email="zed@example.com")
    client = admin.api()
    first = client.get("/api/users", {"limit": 2}).json()
    assert len(first["customerUsers"]) == 2
    assert any(row["userEmail"] == admin.email for row in first["staffUsers"])
    second = client.get("/api/users", {"limit": 2, "cursor": first["nextCursor"]}).json()
    assert len(second["customerUsers"]) == 2
    assert second["staffUsers"] == []
    ids = {row["userId"] for row in first["customerUsers"] + second["customerUsers"]}
    assert len(ids) == 4
    found = client.get("/api/users", {"search": "ZED@"}).json()["customerUsers"]
    assert [row["userName"] for row in found] == ["Zed Target"]


def test_users_list_needs_staff(anon):
    assert anon.get("/api/users").status_code in (401, 403)


def test_profile_update_changes_only_given_fields(support, new_customer):
    user_id = new_customer(user_name="Ann", user_email="ann@example.com", user_device="iPhone")
    services.customer_take(client_id=user_id, staff=support.identity)
    response = support.api().post(
        "/api/users", {"userId": user_id, "contactNumber": "0412 345 678", "userName": " "}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["updatedFields"] == ["contactNumber"]
    stored = selectors.customer_get(user_id)
    assert (stored.user_name, stored.user_email, stored.user_device) == ("Ann", "ann@example.com", "iPhone")
    assert stored.contact_number == "0412 345 678"
    assert stored.assigned_to == support.user_id  # an edit never erases what it did not set


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"userId": "x"}, 400, "At least one valid field"),
        ({"userId": "missing", "userName": "A"}, 404, "not found"),
        ({"userName": "A"}, 400, "userId"),
        ({"userId": "x", "userEmail": "bad"}, 400, "userEmail"),
        ({"userId": "x", "contactNumber": "12"}, 400, "contactNumber"),
    ],
)
def test_profile_update_refuses_bad_input(admin, body, status, text):
    response = admin.api().post("/api/users", body, format="json")
    assert response.status_code == status
    assert text in response.json()["message"]


def test_profile_update_needs_admin_or_support(clerk, new_customer):
    user_id = new_customer()
    assert clerk.api().post("/api/users", {"userId": user_id, "userName": "X"}, format="json").status_code == 403


def test_take_then_second_staff_gets_409_and_release_frees(make_staff, new_customer):
    first, second = make_staff("CUSTOMER_SUPPORT"), make_staff("CUSTOMER_SUPPORT")
    user_id = new_customer()
    assert first.api().post("/api/users/take", {"clientId": user_id}, format="json").status_code == 200
    again = first.api().post("/api/users/take", {"clientId": user_id}, format="json")
    assert again.status_code == 409
    assert "already taken" in again.json()["message"]
    other = second.api().post("/api/users/take", {"clientId": user_id}, format="json")
    assert other.status_code == 409
    assert first.user_id in other.json()["message"]
    assert second.api().post("/api/users/release", {"clientId": user_id}, format="json").status_code == 403
    assert first.api().post("/api/users/release", {"clientId": user_id}, format="json").status_code == 200
    assert selectors.customer_get(user_id).assigned_to is None
    assert second.api().post("/api/users/take", {"clientId": user_id}, format="json").status_code == 200
    assert first.api().post("/api/users/release", {"clientId": user_id}, format="json").status_code == 403


def test_take_unknown_customer_is_404_and_mechanic_403(support, mechanic):
    assert support.api().post("/api/users/take", {"clientId": "nobody"}, format="json").status_code == 404
    assert support.api().post("/api/users/take", {}, format="json").status_code == 400
    assert mechanic.api().post("/api/users/take", {"clientId": "x"}, format="json").status_code == 403


def test_release_of_an_unassigned_customer_is_409(admin, new_customer):
    user_id = new_customer()
    assert admin.api().post("/api/users/release", {"clientId": user_id}, format="json").status_code == 409


@pytest.mark.django_db(transaction=True)
def test_take_race_has_exactly_one_winner(make_staff, new_customer):
    staff = [make_staff("CUSTOMER_SUPPORT") for _ in range(4)]
    user_id = new_customer()
    clients = [persona.api() for persona in staff]
    statuses: list[int] = []
    barrier = threading.Barrier(len(clients))

    def take(client: APIClient) -> None:
        barrier.wait()
        statuses.append(client.post("/api/users/take", {"clientId": user_id}, format="json").status_code)

    threads = [threading.Thread(target=take, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409, 409, 409]
    winner = selectors.customer_get(user_id).assigned_to
    assert winner in {persona.user_id for persona in staff}
