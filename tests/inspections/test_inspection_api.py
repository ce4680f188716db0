from __future__ import annotations

import io

import pytest
from PIL import Image

from inspections import selectors
from tests.contract.schema_check import assert_documented
from tests.inspections.conftest import jpeg

BASE = "/api/appointments/{appointment_id}/inspection"


def url(appointment_id, tail=""):
    return BASE.format(appointment_id=appointment_id) + tail


def answer_body(kind, template_version=1, version=0):
    body = {"templateVersion": template_version, "version": version}
    if kind == "rating":
        body["rating"] = "pass"
    elif kind == "measurement":
        body.update(value="4.5", rating="attention")
    else:
        body["text"] = "All in order"
    return body


def photo(client, appointment_id, item_id, photo_id, data=None):
    upload = io.BytesIO(data if data is not None else jpeg(640, 480))
    upload.name = "camera.jpg"
    return client.post(
        url(appointment_id, f"/items/{item_id}/photos"), {"photo": upload, "photoId": photo_id}, format="multipart"
    )


def test_templates_are_listed_read_and_versioned_over_the_api(admin, mechanic) -> None:
    listed = mechanic.api().get("/api/inspection-templates")
    assert listed.status_code == 200
    assert_documented(listed, "get", "/api/inspection-templates")
    [head] = listed.json()["templates"]
    assert (head["templateId"], head["latestVersion"]) == ("pre-purchase", 1)
    assert {"serviceId": 1, "planId": 2} in head["plans"]

    read = mechanic.api().get("/api/inspection-templates/pre-purchase")
    assert read.status_code == 200
    assert_documented(read, "get", "/api/inspection-templates/{template_id}")
    body = read.json()
    assert sum(len(section["items"]) for section in body["sections"]) == 83

    body["sections"][0]["items"].append({"label": "Roof rails", "kind": "rating"})
    put = {"name": body["name"], "plans": body["plans"], "sections": body["sections"], "version": 1}
    published = admin.api().put("/api/inspection-templates/pre-purchase", put, format="json")
    assert published.status_code == 200, published.json()
    assert_documented(published, "put", "/api/inspection-templates/{template_id}")
    assert published.json()["version"] == 2
    again = admin.api().put("/api/inspection-templates/pre-purchase", put, format="json")
    assert again.status_code == 409
    assert again.json()["latestVersion"] == 2
    old = mechanic.api().get("/api/inspection-templates/pre-purchase?version=1")
    assert sum(len(section["items"]) for section in old.json()["sections"]) == 83

    created = admin.api().post(
        "/api/inspection-templates",
        {
            "name": "Battery check",
            "plans": [{"serviceId": 2, "planId": 1}],
            "sections": [{"title": "Battery", "items": [{"label": "Voltage", "kind": "measurement", "unit": "V"}]}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert_documented(created, "post", "/api/inspection-templates")
    assert created.json()["sections"][0]["items"][0]["unit"] == "V"


def test_a_whole_inspection_over_the_api(job, mechanic, admin, checklist) -> None:
    client = mechanic.api()
    started = client.post(url(job))
    assert started.status_code == 201
    assert_documented(started, "post", "/api/appointments/{appointment_id}/inspection")
    assert started.json()["inspection"]["status"] == "in_progress"
    again = client.post(url(job))
    assert again.status_code == 200
    assert again.json()["inspection"]["startedAt"] == started.json()["inspection"]["startedAt"]

    for item_id, item in selectors.template_items(checklist).items():
        if item.kind == "photo":
            response = photo(client, job, item_id, f"ph-{item_id}")
            assert response.status_code == 201, response.json()
        else:
            response = client.put(url(job, f"/items/{item_id}"), answer_body(item.kind), format="json")
            assert response.status_code == 200, response.json()
    assert_documented(response, "put", "/api/appointments/{appointment_id}/inspection/items/{item_id}")
    added = photo(client, job, "body-01", "extra-1")
    assert_documented(added, "post", "/api/appointments/{appointment_id}/inspection/items/{item_id}/photos")
    assert added.json()["photo"]["url"].startswith("http")
    thumb = client.get(added.json()["photo"]["thumbUrl"].split("testserver", 1)[-1])
    assert thumb.status_code == 200
    assert (
        max(Image.open(io.BytesIO(b"".join(thumb.streaming_content) if thumb.streaming else thumb.content)).size) == 400
    )
    retried = photo(client, job, "body-01", "extra-1")
    assert retried.status_code == 200
    deleted = client.delete(url(job, "/items/body-01/photos/extra-1"))
    assert deleted.status_code == 200
    assert_documented(
        deleted, "delete", "/api/appointments/{appointment_id}/inspection/items/{item_id}/photos/{photo_id}"
    )
    assert [p["photoId"] for p in deleted.json()["item"]["photos"]] == ["ph-body-01"]

    header = {
        "version": 1,
        "odometer": 84210,
        "vin": "JTDBZ3FH0K1234567",
        "registration": "1ABC234",
        "verdict": "recommended_with_repairs",
        "summary": "Front pads at 4.5 mm; otherwise sound.",
    }
    patched = client.patch(url(job), header, format="json")
    assert patched.status_code == 200, patched.json()
    assert_documented(patched, "patch", "/api/appointments/{appointment_id}/inspection")
    assert patched.json()["inspection"]["version"] == 2

    read = client.get(url(job))
    assert read.status_code == 200
    assert_documented(read, "get", "/api/appointments/{appointment_id}/inspection")
    body = read.json()
    assert len(body["items"]) == 83
    assert body["template"]["version"] == 1
    measured = next(i for i in body["items"] if i["itemId"] == "brakes-01")
    assert (measured["value"], measured["rating"], measured["version"]) == (4.5, "attention", 1)

    submitted = client.post(url(job, "/submit"), {"version": 2}, format="json")
    assert submitted.status_code == 202, submitted.json()
    assert_documented(submitted, "post", "/api/appointments/{appointment_id}/inspection/submit")
    assert (submitted.json()["inspection"]["status"], submitted.json()["inspection"]["submission"]) == ("submitted", 1)

    by_vin = admin.api().get("/api/inspections?vin=jtdbz3fh0k1234567")
    assert by_vin.status_code == 200
    assert_documented(by_vin, "get", "/api/inspections")
    assert [i["appointmentId"] for i in by_vin.json()["inspections"]] == [job]


def test_two_inspections_of_one_car_are_compared(make_job, mechanic, admin) -> None:
    first, second = make_job(), make_job()
    client = mechanic.api()
    for appointment_id, rating in ((first, "pass"), (second, "fail")):
        client.post(url(appointment_id))
        client.put(
            url(appointment_id, "/items/body-05"), {"templateVersion": 1, "version": 0, "rating": rating}, format="json"
        )
        client.put(
            url(appointment_id, "/items/body-03"), {"templateVersion": 1, "version": 0, "rating": "pass"}, format="json"
        )
    compared = admin.api().get(f"/api/inspections/compare?a={first}&b={second}")
    assert compared.status_code == 200
    assert_documented(compared, "get", "/api/inspections/compare")
    rows = {row["label"]: row for row in compared.json()["rows"]}
    dents = rows["Dents, scratches and stone chips"]
    assert (dents["a"]["rating"], dents["b"]["rating"], dents["changed"]) == ("pass", "fail", True)
    assert rows["Panel alignment and gaps"]["changed"] is False
    assert rows["Front of the vehicle (photo)"]["a"] is None
    assert compared.json()["a"]["appointmentId"] == first


@pytest.mark.parametrize("viewer", ["support", "clerk"])
def test_other_staff_read_inspections_but_do_not_fill_them(request, job, mechanic, viewer) -> None:
    mechanic.api().post(url(job))
    persona = request.getfixturevalue(viewer)
    assert persona.api().get(url(job)).status_code == 200
    assert (
        persona.api()
        .put(url(job, "/items/body-03"), {"templateVersion": 1, "version": 0, "rating": "pass"}, format="json")
        .status_code
        == 403
    )
