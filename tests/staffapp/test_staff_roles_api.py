"""POST /api/users/staff (original-backend-behaviour.md §1.6): an ADMIN changes another member's roles."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from staffapp.models import Staff


def change(persona, email: str, roles: list) -> tuple[int, dict]:
    response = persona.api().post("/api/users/staff", {"user_email": email, "roles": roles}, format="json")
    return response.status_code, response.json()


def test_admin_changes_roles_upper_cased_and_deduplicated_in_order(admin, clerk) -> None:
    status, body = change(admin, clerk.email.upper(), ["mechanic", "CLERK", "Mechanic", " clerk "])
    assert status == 200
    assert body["success"] is True
    assert body["message"] == "Staff roles updated successfully"
    assert body["updatedStaff"] == {
        "userEmail": clerk.email,
        "userName": "Cleo Clerk",
        "previousRoles": ["CLERK"],
        "newRoles": ["MECHANIC", "CLERK"],
    }
    assert body["updatedBy"]["adminEmail"] == admin.email
    assert body["updatedBy"]["adminId"] == admin.user_id
    assert body["updatedBy"]["adminName"] == "Ada Admin"
    assert Staff.get(clerk.email).roles == ["MECHANIC", "CLERK"]


def test_the_new_roles_apply_at_once(admin, clerk) -> None:
    assert clerk.api().get("/api/analytics").status_code == 403
    assert change(admin, clerk.email, ["CUSTOMER_SUPPORT"])[0] == 200
    assert clerk.api().get("/api/auth/me").json()["roles"] == ["CUSTOMER_SUPPORT"]


def test_changing_your_own_roles_is_403(admin) -> None:
    status, body = change(admin, admin.email.upper(), ["CLERK"])
    assert status == 403
    assert body == {"success": False, "message": "You cannot change your own roles or access"}
    assert Staff.get(admin.email).roles == ["ADMIN"]


def test_an_unknown_role_is_400_and_changes_nothing(admin, clerk) -> None:
    status, body = change(admin, clerk.email, ["CLERK", "MANAGER"])
    assert status == 400
    assert "MANAGER" in body["message"]
    assert Staff.get(clerk.email).roles == ["CLERK"]


def test_an_unknown_email_is_404(admin) -> None:
    status, body = change(admin, "nobody@autolab.test", ["CLERK"])
    assert status == 404
    assert body["message"] == "Staff member not found"


def test_bad_bodies_are_400_naming_the_field(admin, clerk) -> None:
    for payload, field in (
        ({"roles": ["CLERK"]}, "user_email"),
        ({"user_email": "not-an-email", "roles": ["CLERK"]}, "user_email"),
        ({"user_email": clerk.email, "roles": []}, "roles"),
        ({"user_email": clerk.email, "roles": "CLERK"}, "roles"),
        ({"user_email": clerk.email}, "roles"),
    ):
        response = admin.api().post("/api/users/staff", payload, format="json")
        assert response.status_code == 400, payload
        assert response.json()["message"].startswith(field), (payload, response.json())
    assert Staff.get(clerk.email).roles == ["CLERK"]


def test_only_an_admin_may_change_roles(make_staff, clerk, anon) -> None:
    for role in ("MECHANIC", "CLERK", "CUSTOMER_SUPPORT"):
        assert change(make_staff(role), clerk.email, ["ADMIN"])[0] == 403
    assert (
        anon.post("/api/users/staff", {"user_email": clerk.email, "roles": ["ADMIN"]}, format="json").status_code == 401
    )
    assert Staff.get(clerk.email).roles == ["CLERK"]


def test_the_portal_session_works_too(admin, clerk) -> None:
    client = admin.portal()
    response = client.post(
        "/api/users/staff", {"user_email": clerk.email, "roles": ["MECHANIC"]}, content_type="application/json"
    )
    assert response.status_code == 200
    assert Staff.get(clerk.email).roles == ["MECHANIC"]


@pytest.mark.django_db(transaction=True)
def test_two_admins_at_once_never_report_the_same_previous_roles(make_staff, clerk) -> None:
    admins = [make_staff("ADMIN") for _ in range(6)]
    # Six distinct targets, none the starting ["CLERK"]: a chain of successes never revisits a state, so
    # no two of them can honestly have seen the same roles (with ["CLERK"] among them, two could).
    targets = [
        ["MECHANIC"],
        ["CUSTOMER_SUPPORT"],
        ["ADMIN", "CLERK"],
        ["MECHANIC", "CLERK"],
        ["CUSTOMER_SUPPORT", "CLERK"],
        ["ADMIN"],
    ]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda pair: change(pair[0], clerk.email, pair[1]), zip(admins, targets, strict=True)))
    assert {status for status, _ in results} <= {200, 409}
    done = [body["updatedStaff"] for status, body in results if status == 200]
    assert done
    # Every success saw the roles the one before it wrote: one chain from CLERK to what is stored.
    previous = [entry["previousRoles"] for entry in done]
    assert len({tuple(p) for p in previous}) == len(previous)
    chain, roles = {tuple(e["previousRoles"]): e["newRoles"] for e in done}, ["CLERK"]
    for _ in done:
        roles = chain[tuple(roles)]
    assert Staff.get(clerk.email).roles == roles
    for status, body in results:
        if status == 409:
            assert body["message"] == "Someone else changed this member's roles just now; reload and try again"


def test_the_endpoint_is_in_the_openapi_schema(anon) -> None:
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/users/staff"]["post"]
    assert operation["operationId"] == "users_staff_roles_update"
    assert "200" in operation["responses"]
