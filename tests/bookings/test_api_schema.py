"""The OpenAPI schema describes the bodies the bookings endpoints really answer (success paths)."""

from __future__ import annotations

import pytest

from tests.bookings.conftest import booking, future_day
from tests.contract.schema_check import assert_documented

pytestmark = pytest.mark.django_db

DETAIL = "/api/appointments/{appointment_id}"


def test_catalogue_and_availability(anon) -> None:
    assert_documented(anon.get("/api/services"), "get", "/api/services")
    day = future_day()
    availability = anon.get("/api/availability", {"serviceId": 1, "planId": 1, "date": day})
    assert availability.status_code == 200
    assert_documented(availability, "get", "/api/availability")


def test_unavailable_slots_reads_and_changes(anon, admin, book, support) -> None:
    schedule = {"scheduledTimeSlot": {"date": future_day(), "start": "09:00", "end": "11:00"}}
    support.api().patch(f"/api/appointments/{book()}", schedule, format="json")
    day, last = future_day(), future_day(9)
    client = admin.api()
    bodies = [
        {"date": day, "operation": "add", "timeSlots": ["12:00-13:00"]},
        {
            "startDate": day,
            "endDate": last,
            "operation": "add",
            "timeSlots": [{"startTime": "14:00", "endTime": "15:00"}],
        },
        {"date": day},
        {"startDate": day, "endDate": last, "operation": "get"},
    ]
    for body in bodies:
        response = client.post("/api/unavailable-slots", body, format="json")
        assert response.status_code == 200, response.json()
        assert_documented(response, "post", "/api/unavailable-slots")
    for query in ({"date": day}, {"startDate": day, "endDate": last}, {"date": day, "checkSlot": "09:00-10:00"}):
        response = anon.get("/api/unavailable-slots", query)
        assert response.status_code == 200, response.json()
        assert_documented(response, "get", "/api/unavailable-slots")


def test_appointment_create_read_list_and_update(anon, customer_id, support, mechanic) -> None:
    created = anon.post(
        "/api/appointments",
        {"userId": customer_id, "appointmentData": _booking()},
        format="json",
    )
    assert_documented(created, "post", "/api/appointments")
    appointment_id = created.json()["appointmentId"]
    body = {
        "scheduledTimeSlot": {"date": future_day(), "start": "09:00", "end": "11:00"},
        "assignedMechanicId": mechanic.user_id,
    }
    updated = support.api().patch(f"/api/appointments/{appointment_id}", body, format="json")
    assert updated.status_code == 200, updated.json()
    assert_documented(updated, "patch", DETAIL)
    for client, query in ((anon, {"userId": customer_id}), (support.api(), {})):
        detail = client.get(f"/api/appointments/{appointment_id}", query)
        assert "assignedMechanic" in detail.json()
        assert_documented(detail, "get", DETAIL)
        listed = client.get("/api/appointments", query)
        assert listed.json()["count"] == 1
        assert_documented(listed, "get", "/api/appointments")


def test_upload_url(book, support, mechanic) -> None:
    appointment_id = book()
    schedule = {"scheduledTimeSlot": {"date": future_day(), "start": "09:00", "end": "11:00"}}
    support.api().patch(f"/api/appointments/{appointment_id}", schedule, format="json")
    body = {
        "uploadType": "report",
        "referenceId": appointment_id,
        "fileName": "report.pdf",
        "fileType": "application/pdf",
        "fileSize": 2048,
    }
    response = support.api().post("/api/upload-urls", body, format="json")
    assert response.status_code == 200, response.json()
    assert_documented(response, "post", "/api/upload-urls")
    detail = support.api().get(f"/api/appointments/{appointment_id}")
    assert detail.json()["appointment"]["reports"]
    assert_documented(detail, "get", DETAIL)


def _booking() -> dict:
    return booking(sellerData={"name": "Sam", "email": "sam@example.com", "phoneNumber": "0412345678"})


def test_walk_in_by_staff(support) -> None:
    created = support.api().post("/api/appointments", {"appointmentData": _booking()}, format="json")
    assert created.status_code == 200, created.json()
    assert_documented(created, "post", "/api/appointments")
