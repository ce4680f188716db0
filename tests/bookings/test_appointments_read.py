import pytest

from autolab.pagination import encode_cursor
from bookings.models import Appointment


def test_customer_reads_only_their_own(anon, book, customer_id, other_customer_id):
    appointment_id = book()
    own = anon.get(f"/api/appointments/{appointment_id}?userId={customer_id}")
    assert own.status_code == 200
    assert own.json()["appointment"]["appointmentId"] == appointment_id
    assert own.json()["appointment"]["price"] == 220
    assert anon.get(f"/api/appointments/{appointment_id}?userId={other_customer_id}").status_code == 404
    assert anon.get(f"/api/appointments/{appointment_id}").status_code == 400
    assert anon.get(f"/api/appointments/{appointment_id}?userId=guest").status_code == 404
    assert anon.get(f"/api/appointments/does-not-exist?userId={customer_id}").status_code == 404


def test_customer_list_is_their_own_only(anon, book, customer_id, other_customer_id):
    book()
    book()
    body = anon.get(f"/api/appointments?userId={customer_id}").json()
    assert body["count"] == 2
    assert {a["createdUserId"] for a in body["appointments"]} == {customer_id}
    assert anon.get(f"/api/appointments?userId={other_customer_id}").json()["count"] == 0
    assert anon.get("/api/appointments").status_code == 400


def test_staff_read_includes_the_assigned_mechanic(book, support, mechanic, clerk):
    appointment_id = book()
    from tests.bookings.conftest import future_day

    support.api().patch(
        f"/api/appointments/{appointment_id}",
        {
            "scheduledTimeSlot": {"date": future_day(), "start": "09:00", "end": "11:00"},
            "assignedMechanicId": mechanic.user_id,
        },
        format="json",
    )
    body = clerk.api().get(f"/api/appointments/{appointment_id}").json()
    assert body["assignedMechanic"] == {
        "userName": "Max Mechanic",
        "userEmail": mechanic.email,
        "contactNumber": "0451237048",
    }


def test_staff_lists_with_filters_and_cursor_paging(book, support, make_staff):
    ids = [book() for _ in range(3)]
    Appointment.get(ids[0]).update(actions=[Appointment.status.set("CANCELLED")])
    client = support.api()
    first = client.get("/api/appointments?limit=2").json()
    assert first["count"] == 2
    second = client.get(f"/api/appointments?limit=2&cursor={first['nextCursor']}").json()
    seen = [a["appointmentId"] for a in first["appointments"] + second["appointments"]]
    assert sorted(seen) == sorted(ids)
    assert second["nextCursor"] is None
    cancelled = client.get("/api/appointments?status=CANCELLED").json()
    assert [a["appointmentId"] for a in cancelled["appointments"]] == [ids[0]]
    assert client.get("/api/appointments?serviceId=2").json()["count"] == 0
    assert client.get("/api/appointments?status=WHATEVER").status_code == 400
    assert client.get("/api/appointments?cursor=forged").status_code == 400


def test_a_cursor_of_another_list_is_400_not_a_5xx(book, support):
    book(), book()
    client = support.api()
    pending = client.get("/api/appointments", {"status": "PENDING", "limit": 1}).json()
    rest = client.get("/api/appointments", {"status": "PENDING", "limit": 1, "cursor": pending["nextCursor"]})
    assert (rest.status_code, rest.json()["count"]) == (200, 1)
    foreign = encode_cursor({"userId": {"S": "someone"}, "listKey": {"S": "CUSTOMER"}, "createdAt": {"N": "1"}})
    for status, cursor in (("SCHEDULED", pending["nextCursor"]), ("PENDING", foreign)):
        response = client.get("/api/appointments", {"status": status, "cursor": cursor})
        assert response.status_code == 400
        assert response.json()["message"] == "Invalid cursor"


def test_mechanic_only_lists_their_assigned_jobs(book, support, make_staff):
    from tests.bookings.conftest import future_day

    first, second = make_staff("MECHANIC"), make_staff("MECHANIC")
    ids = [book(), book()]
    for appointment_id, mechanic, start in ((ids[0], first, "09:00"), (ids[1], second, "12:00")):
        support.api().patch(
            f"/api/appointments/{appointment_id}",
            {
                "scheduledTimeSlot": {"date": future_day(), "start": start, "end": f"{int(start[:2]) + 2}:00"},
                "assignedMechanicId": mechanic.user_id,
            },
            format="json",
        )
    body = first.api().get("/api/appointments").json()
    assert [a["appointmentId"] for a in body["appointments"]] == [ids[0]]


@pytest.mark.parametrize("path", ["/api/appointments", "/api/appointments/x"])
def test_bad_token_is_401(db, path):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer nope")
    assert client.get(path).status_code == 401
