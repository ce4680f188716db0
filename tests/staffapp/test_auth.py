from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from staffapp.services import staff_set_active


def _token(client: APIClient, email: str, password: str) -> tuple[int, dict]:
    response = client.post("/api/auth/token", {"email": email, "password": password}, format="json")
    return response.status_code, response.json()


def test_staff_exchange_email_and_password_for_a_bearer_token(admin, anon) -> None:
    status, body = _token(anon, admin.email, admin.password)
    assert status == 200
    assert body["success"] is True

    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    me = anon.get("/api/auth/me").json()
    assert me == {
        "success": True,
        "userId": admin.user_id,
        "email": admin.email,
        "userName": "Ada Admin",
        "roles": ["ADMIN"],
    }


def test_email_is_case_insensitive(admin, anon) -> None:
    assert _token(anon, admin.email.upper(), admin.password)[0] == 200


@pytest.mark.parametrize(
    ("email", "password"), [("ada@autolab.test", "wrong"), ("nobody@autolab.test", "correct-horse-battery")]
)
def test_a_wrong_login_is_401_with_a_message(admin, anon, email: str, password: str) -> None:
    status, body = _token(anon, email, password)
    assert status == 401
    assert body == {"success": False, "message": "Invalid email or password"}


def test_missing_fields_are_400(anon) -> None:
    response = anon.post("/api/auth/token", {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert "email" in response.json()["message"]


def test_a_staff_endpoint_without_credentials_is_401(anon) -> None:
    response = anon.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json()["success"] is False


def test_a_bad_token_is_401(db, anon) -> None:
    anon.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert anon.get("/api/auth/me").status_code == 401


def test_the_portal_session_authenticates_api_calls(admin, client) -> None:
    assert client.login(username=admin.email, password=admin.password)
    response = client.get("/api/auth/me")
    assert response.status_code == 200
    assert response.json()["roles"] == ["ADMIN"]


def test_a_deactivated_staff_member_loses_token_and_sign_in(make_staff, admin, anon, client) -> None:
    mechanic = make_staff("MECHANIC")
    api = mechanic.api()
    assert api.get("/api/auth/me").status_code == 200

    staff_set_active(actor=admin.identity, email=mechanic.email, active=False)

    assert api.get("/api/auth/me").status_code == 401
    assert _token(anon, mechanic.email, mechanic.password)[0] == 401
    assert not client.login(username=mechanic.email, password=mechanic.password)


def test_roles_come_from_the_staff_table_not_the_login(make_staff) -> None:
    from staffapp.models import Staff

    clerk = make_staff("CLERK")
    Staff.get(clerk.email).update(actions=[Staff.roles.set(["CLERK", "MECHANIC"])])
    assert clerk.api().get("/api/auth/me").json()["roles"] == ["CLERK", "MECHANIC"]


def test_a_login_without_a_staff_item_is_not_staff(db, anon) -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("ghost@autolab.test", "ghost@autolab.test", "pw-ghost-123", is_staff=True)
    assert _token(anon, "ghost@autolab.test", "pw-ghost-123")[0] == 401


def _delete_staff_item(persona) -> None:
    from staffapp.models import Staff

    Staff.get(persona.email).delete()  # the login and its token remain: only the Staff item is gone


def test_a_token_of_a_member_deleted_from_staff_is_401_and_writes_nothing(make_staff) -> None:
    from chat.models import Message
    from chat.services import customer_register

    customer = customer_register(user_email="cara@example.com", user_name="Cara")
    support = make_staff("CUSTOMER_SUPPORT")
    api = support.api()
    _delete_staff_item(support)

    me = api.get("/api/auth/me")
    assert me.status_code == 401
    assert me.json()["success"] is False
    # Without the fix this went on as the anonymous customer and stored the message as theirs.
    sent = api.post("/api/messages", {"clientId": customer.user_id, "message": "hello"}, format="json")
    assert sent.status_code == 401
    assert sent.json()["message"].startswith("Staff authentication required")
    assert list(Message.scan()) == []
    history = api.get("/api/messages", {"clientId": customer.user_id})
    assert history.status_code == 401


def test_a_portal_session_of_a_member_deleted_from_staff_is_401(make_staff, client) -> None:
    support = make_staff("CUSTOMER_SUPPORT")
    assert client.login(username=support.email, password=support.password)
    _delete_staff_item(support)
    assert client.get("/api/auth/me").status_code == 401
