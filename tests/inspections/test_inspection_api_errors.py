"""Bad input answers a clear 4xx {"message"}, never a 500 (docs/inspections.md, "API")."""

from __future__ import annotations

import io

import pytest

from inspections.models import InspectionItem
from tests.contract.schema_check import assert_documented
from tests.inspections.test_inspection_api import photo, url


@pytest.fixture
def started(job, mechanic) -> str:
    assert mechanic.api().post(url(job)).status_code == 201
    return job


def test_a_mechanic_on_another_mechanics_job_gets_403(make_job, mechanic, make_staff) -> None:
    other = make_staff("MECHANIC", name="Other Mechanic")
    theirs = make_job(assigned=other)
    assert other.api().post(url(theirs)).status_code == 201
    client = mechanic.api()
    for response in (
        client.post(url(theirs)),
        client.get(url(theirs)),
        client.put(
            url(theirs, "/items/body-03"), {"templateVersion": 1, "version": 0, "rating": "pass"}, format="json"
        ),
        client.patch(url(theirs), {"version": 1, "odometer": 5}, format="json"),
        photo(client, theirs, "body-01", "p1"),
        client.post(url(theirs, "/submit"), {"version": 1}, format="json"),
    ):
        assert response.status_code == 403, response.json()
        assert response.json()["message"]
    assert InspectionItem.get_or_none(theirs, "body-03") is None


def test_submit_with_missing_items_is_400_listing_them(started, mechanic, checklist) -> None:
    client = mechanic.api()
    client.put(url(started, "/items/body-03"), {"templateVersion": 1, "version": 0, "rating": "pass"}, format="json")
    response = client.post(url(started, "/submit"), {"version": 1}, format="json")
    assert response.status_code == 400
    assert_documented(response, "post", "/api/appointments/{appointment_id}/inspection/submit")
    body = response.json()
    assert len(body["missing"]) == 82
    assert "body-03" not in body["missing"]
    assert body["missing"][0] == "body-01"
    assert body["missingFields"] == ["verdict", "summary"]
    assert body["message"] == "Cannot submit: 82 items not answered yet; verdict and summary missing"


def test_a_stale_header_is_409_with_the_stored_inspection(started, mechanic) -> None:
    client = mechanic.api()
    assert client.patch(url(started), {"version": 1, "odometer": 1000}, format="json").status_code == 200
    stale = client.patch(url(started), {"version": 1, "odometer": 2000}, format="json")
    assert stale.status_code == 409
    assert_documented(stale, "patch", "/api/appointments/{appointment_id}/inspection")
    assert stale.json()["inspection"]["odometer"] == 1000


def test_a_stale_item_is_409_with_the_stored_item(started, mechanic) -> None:
    client = mechanic.api()
    client.put(url(started, "/items/tyres-01"), {"templateVersion": 1, "version": 0, "value": 6}, format="json")
    stale = client.put(url(started, "/items/tyres-01"), {"templateVersion": 1, "version": 0, "value": 2}, format="json")
    assert stale.status_code == 409
    assert_documented(stale, "put", "/api/appointments/{appointment_id}/inspection/items/{item_id}")
    assert (stale.json()["item"]["value"], stale.json()["item"]["version"]) == (6, 1)


@pytest.mark.parametrize(
    ("tail", "body", "status", "message"),
    [
        ("/items/body-03", {"version": 0, "rating": "pass"}, 400, "templateVersion"),
        ("/items/body-03", {"templateVersion": 1, "version": 0, "rating": "great"}, 400, "rating"),
        ("/items/body-03", {"templateVersion": 1, "version": -1, "rating": "pass"}, 400, "version"),
        (
            "/items/body-03",
            {"templateVersion": 1, "version": 0, "value": 3},
            400,
            "Only measurement items take a value",
        ),
        ("/items/tyres-01", {"templateVersion": 1, "version": 0, "value": "lots"}, 400, "value"),
        ("/items/tyres-01", {"templateVersion": 1, "version": 0, "value": "1e400"}, 400, "value"),
        ("/items/no-such-item", {"templateVersion": 1, "version": 0, "rating": "pass"}, 404, "No such item"),
        ("/items/body-03", {"templateVersion": 7, "version": 0, "rating": "pass"}, 409, "checklist version 1"),
        ("/items/body-03", ["not", "an", "object"], 400, ""),
    ],
)
def test_bad_item_saves(started, mechanic, tail, body, status, message) -> None:
    response = mechanic.api().put(url(started, tail), body, format="json")
    assert response.status_code == status, response.json()
    assert message in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"odometer": 5}, "version"),
        ({"version": 1, "odometer": -5}, "odometer"),
        ({"version": 1, "vin": "NOT-A-VIN"}, "VIN must be 17"),
        ({"version": 1, "registration": "TOO LONG 123"}, "Registration"),
        ({"version": 1, "verdict": "maybe"}, "verdict"),
        ({"version": 1, "summary": "x" * 5001}, "summary"),
    ],
)
def test_bad_header_changes(started, mechanic, body, message) -> None:
    response = mechanic.api().patch(url(started), body, format="json")
    assert response.status_code == 400, response.json()
    assert message in response.json()["message"]


def test_bad_photos(started, mechanic) -> None:
    client = mechanic.api()
    not_a_photo = photo(client, started, "body-01", "p1", b"%PDF-1.4 nope")
    assert not_a_photo.status_code == 400
    assert not_a_photo.json()["message"] == "The file is not a JPEG or PNG photo"
    bad_id = photo(client, started, "body-01", "has spaces")
    assert bad_id.status_code == 400
    assert "photoId" in bad_id.json()["message"]
    no_file = client.post(url(started, "/items/body-01/photos"), {"photoId": "p2"}, format="multipart")
    assert no_file.status_code == 400
    assert "photo" in no_file.json()["message"]
    as_json = client.post(url(started, "/items/body-01/photos"), {"photoId": "p3"}, format="json")
    assert as_json.status_code == 415
    assert as_json.json()["message"]
    missing = client.delete(url(started, "/items/body-01/photos/never"))
    assert missing.status_code == 404
    assert missing.json()["message"] == "Photo not found"


def test_bad_templates_and_lookups(admin, mechanic) -> None:
    client = admin.api()
    cases = [
        (
            client.post("/api/inspection-templates", {"name": "X", "plans": [], "sections": []}, format="json"),
            400,
            "at least one section",
        ),
        (
            client.post(
                "/api/inspection-templates",
                {"name": "X", "plans": [], "sections": [{"title": "S", "items": [{"label": "L", "kind": "colour"}]}]},
                format="json",
            ),
            400,
            "kind",
        ),
        (
            client.put(
                "/api/inspection-templates/pre-purchase", {"name": "X", "plans": [], "sections": []}, format="json"
            ),
            400,
            "version",
        ),
        (client.get("/api/inspection-templates/unknown"), 404, "Checklist not found"),
        (client.get("/api/inspection-templates/pre-purchase?version=9"), 404, "Checklist not found"),
        (client.get("/api/inspection-templates/pre-purchase?version=x"), 400, "version"),
        (client.get("/api/inspections"), 400, "vin"),
        (client.get("/api/inspections?vin=short"), 400, "VIN must be 17"),
        (client.get("/api/inspections/compare?a=x"), 400, "b"),
        (client.get("/api/appointments/unknown/inspection"), 404, "Appointment not found"),
        (mechanic.api().post("/api/appointments/unknown/inspection"), 404, "Appointment not found"),
    ]
    for response, status, message in cases:
        assert response.status_code == status, (response.status_code, response.json())
        assert message in response.json()["message"]


def test_no_inspection_yet_is_404_and_a_submitted_one_refuses_changes(job, mechanic, checklist) -> None:
    from tests.inspections.test_filling import answer_everything

    client = mechanic.api()
    assert client.get(url(job)).status_code == 404
    assert (
        client.put(
            url(job, "/items/body-03"), {"templateVersion": 1, "version": 0, "rating": "pass"}, format="json"
        ).status_code
        == 404
    )
    client.post(url(job))
    answer_everything(mechanic, job, checklist)
    client.patch(url(job), {"version": 1, "verdict": "not_recommended", "summary": "Flood damage"}, format="json")
    assert client.post(url(job, "/submit"), {"version": 2}, format="json").status_code == 202
    late = client.put(url(job, "/items/body-03"), {"templateVersion": 1, "version": 1, "rating": "fail"}, format="json")
    assert late.status_code == 409
    assert "submitted" in late.json()["message"]
    again = client.post(url(job, "/submit"), {"version": 3}, format="json")
    assert again.status_code == 409


def test_a_photo_too_big_is_refused_before_decoding(started, mechanic) -> None:
    upload = io.BytesIO(b"\xff\xd8\xff" + b"\x00" * (15 * 1024 * 1024 + 1))
    upload.name = "huge.jpg"
    response = mechanic.api().post(
        url(started, "/items/body-01/photos"), {"photo": upload, "photoId": "big"}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["message"] == "The photo is larger than 15 MB"
