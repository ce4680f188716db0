"""The inspection pages of the staff portal: the fill page (start, cards of every item kind), the
inspection's section of the appointment page, a car's inspections and their comparison. A mechanic
sees their own jobs only (the same 404 as the appointment page)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from inspections import selectors, services
from inspections.services import InspectionChanges, ItemAnswer
from inspections.types import Rating, Verdict
from tests.inspections.conftest import jpeg

VIN = "JTDBR32E720123456"


def fill_url(appointment_id: str) -> str:
    return f"/admin/inspections/{appointment_id}/"


def started(persona, appointment_id: str, *, vin: str | None = None):
    inspection = services.inspection_start(actor=persona.identity, appointment_id=appointment_id).inspection
    if vin:
        inspection = services.inspection_update(
            actor=persona.identity,
            appointment_id=appointment_id,
            version=inspection.version,
            changes=InspectionChanges(given=frozenset({"vin"}), vin=vin),
        )
    return inspection


def save(persona, appointment_id: str, item_id: str, version: int = 0, **answer):
    return services.item_save(
        actor=persona.identity,
        appointment_id=appointment_id,
        item_id=item_id,
        template_version=1,
        version=version,
        answer=ItemAnswer(**answer),
    )


@pytest.mark.django_db
def test_the_mechanic_starts_the_inspection_from_the_fill_page(mechanic, job) -> None:
    client = mechanic.portal()
    page = client.get(fill_url(job))
    assert page.status_code == 200
    assert b'id="inspection-start"' in page.content
    assert b'id="insp-fill"' not in page.content

    response = client.post(f"/admin/inspections/{job}/start/")
    assert response.status_code == 302
    assert response["Location"] == fill_url(job)
    assert selectors.inspection_get(job) is not None
    again = client.post(f"/admin/inspections/{job}/start/")  # a second tap answers the one started
    assert again.status_code == 302


@pytest.mark.django_db
def test_the_fill_page_has_a_card_for_every_item_with_its_kind_controls(mechanic, job, checklist) -> None:
    started(mechanic, job)
    save(mechanic, job, "brakes-01", value=Decimal("4.5"))
    save(mechanic, job, "body-03", rating=Rating.FAIL, text="Door gap uneven")
    services.photo_add(
        actor=mechanic.identity, appointment_id=job, item_id="body-01", photo_id="p1", data=jpeg(800, 600)
    )

    page = mechanic.portal().get(fill_url(job))
    assert page.status_code == 200
    html = page.content.decode()
    items = selectors.template_items(checklist)
    assert html.count('class="insp-card insp-item"') == len(items)
    assert html.count('data-rating="pass"') == sum(1 for item in items.values() if item.kind == "rating")
    assert html.count('capture="environment"') == len(items)  # every card can take a photo
    assert 'accept="image/*"' in html
    assert 'id="insp-odometer"' in html
    assert 'id="insp-vin"' in html
    assert 'id="insp-registration"' in html
    assert html.count('class="insp-verdict-choice') == len(Verdict)
    assert "inspections/fill.js" in html

    state = json.loads(html.split('id="insp-state" type="application/json">')[1].split("</script>")[0])
    assert state["inspection"]["templateVersion"] == 1
    assert state["items"]["brakes-01"] == {
        "kind": "measurement",
        "version": 1,
        "rating": None,
        "value": "4.5",
        "text": None,
        "photos": [],
    }
    assert state["items"]["body-03"]["rating"] == "fail"
    assert state["items"]["body-03"]["text"] == "Door gap uneven"
    assert state["items"]["body-02"]["version"] == 0
    photos = state["items"]["body-01"]["photos"]
    assert [photo["photoId"] for photo in photos] == ["p1"]
    assert photos[0]["thumbUrl"] in html  # the thumbnail is shown


@pytest.mark.django_db
def test_a_mechanic_cannot_open_another_mechanics_inspection(make_staff, mechanic, make_job) -> None:
    other = make_staff("MECHANIC", name="Olly Other")
    job = make_job(assigned=other)
    client = mechanic.portal()
    assert client.get(fill_url(job)).status_code == 404
    assert client.post(f"/admin/inspections/{job}/start/").status_code == 404
    assert selectors.inspection_get(job) is None
    assert other.portal().get(fill_url(job)).status_code == 200


@pytest.mark.django_db
def test_who_may_open_the_fill_page(admin, support, clerk, mechanic, job) -> None:
    assert admin.portal().get(fill_url(job)).status_code == 200
    assert support.portal().get(fill_url(job)).status_code == 403
    assert clerk.portal().get(fill_url(job)).status_code == 403
    assert admin.portal().get(fill_url("no-such-appointment")).status_code == 404
    assert Client().get(fill_url(job)).status_code == 302  # to the login page


@pytest.mark.django_db
def test_a_submitted_inspection_shows_its_results_read_only(mechanic, job, checklist) -> None:
    inspection = started(mechanic, job)
    page = mechanic.portal().get(fill_url(job))
    assert b'id="insp-fill"' in page.content
    from tests.inspections.test_filling import answer_everything

    answer_everything(mechanic, job, checklist)
    inspection = services.inspection_update(
        actor=mechanic.identity,
        appointment_id=job,
        version=inspection.version,
        changes=InspectionChanges(
            given=frozenset({"verdict", "summary"}), verdict=Verdict.RECOMMENDED, summary="A tidy car."
        ),
    )
    services.inspection_submit(actor=mechanic.identity, appointment_id=job, version=inspection.version)
    page = mechanic.portal().get(fill_url(job))
    assert page.status_code == 200
    assert b'id="insp-fill"' not in page.content
    assert b"fill.js" not in page.content
    assert b'id="inspection-verdict">Recommended<' in page.content


@pytest.mark.django_db
def test_the_appointment_page_shows_the_inspection_beside_it(support, mechanic, job) -> None:
    appointment_page = f"/admin/bookings/appointments/{job}/"
    before = mechanic.portal().get(appointment_page)
    assert b'id="inspection-panel"' in before.content
    assert b"Not started" in before.content
    assert b'id="inspection-fill-link"' in before.content
    # Support sees the section but cannot fill (no link to the fill page).
    support_page = support.portal().get(appointment_page)
    assert b'id="inspection-panel"' in support_page.content
    assert b'id="inspection-fill-link"' not in support_page.content

    started(mechanic, job, vin=VIN)
    save(mechanic, job, "body-03", rating=Rating.FAIL, text="Door gap uneven")
    save(mechanic, job, "body-04", rating=Rating.ATTENTION)
    save(mechanic, job, "body-05", rating=Rating.PASS)
    page = support.portal().get(appointment_page)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="inspection-status">In progress<' in html
    assert "3 of " in html
    defects = html.split('id="inspection-defects">')[1].split("</ul>")[0]
    assert defects.index("Panel alignment") < defects.index("Paint condition")  # fails first
    assert "Door gap uneven" in defects
    assert f'href="/admin/inspections/vehicles/{VIN}/"' in html


@pytest.mark.django_db
def test_a_plan_without_a_checklist_has_no_inspection_section(support, make_job) -> None:
    job = make_job(service_id=2, plan_id=1)
    page = support.portal().get(f"/admin/bookings/appointments/{job}/")
    assert page.status_code == 200
    assert b'id="inspection-panel"' not in page.content


@pytest.mark.django_db
def test_a_cars_inspections_and_their_comparison(support, mechanic, make_staff, make_job) -> None:
    first, second = make_job(), make_job()
    started(mechanic, first, vin=VIN)
    started(mechanic, second, vin=VIN)
    save(mechanic, first, "brakes-01", value=Decimal("6"))
    save(mechanic, second, "brakes-01", value=Decimal("3.5"))
    save(mechanic, first, "body-03", rating=Rating.PASS)
    save(mechanic, second, "body-03", rating=Rating.PASS)

    listing = support.portal().get(f"/admin/inspections/vehicles/{VIN.lower()}/")
    assert listing.status_code == 200
    assert listing.content.count(b"<tr data-appointment-id=") == 2
    assert b'id="compare-form"' in listing.content

    compare = support.portal().get(f"/admin/inspections/compare/?a={first}&b={second}")
    assert compare.status_code == 200
    html = compare.content.decode()
    changed = [row for row in html.split("<tr") if 'data-changed="1"' in row]
    assert len(changed) == 1
    assert "Front brake pad thickness" in changed[0]
    assert '<td data-label="A">6</td>' in changed[0]
    assert '<td data-label="B">3.5</td>' in changed[0]
    assert 'id="compare-changed"><strong>1</strong>' in html

    # Another mechanic sees neither job.
    other = make_staff("MECHANIC", name="Olly Other")
    assert other.portal().get(f"/admin/inspections/compare/?a={first}&b={second}").status_code == 404
    listing = other.portal().get(f"/admin/inspections/vehicles/{VIN}/")
    assert listing.status_code == 200
    assert b"<tr data-appointment-id=" not in listing.content
    assert support.portal().get("/admin/inspections/vehicles/not-a-vin/").status_code == 404
    no_choice = support.portal().get("/admin/inspections/compare/")
    assert no_choice.status_code == 200
    assert b'id="compare-message"' in no_choice.content


def test_the_vehicle_page_lists_the_cars_inspections(support, mechanic, make_staff, make_job) -> None:
    first, second = make_job(), make_job()
    started(mechanic, first, vin=VIN)  # the VIN recorded in the inspection names the appointment's car
    started(mechanic, second, vin=VIN)

    html = support.portal().get(f"/admin/bookings/vehicles/{VIN}/").content.decode()
    section = html[html.index('id="vehicle-inspections"') :]
    assert section.count("<tr data-appointment-id=") == 2
    assert first[:8].upper() in section
    assert second[:8].upper() in section
    assert f'href="/admin/inspections/vehicles/{VIN}/"' in section
    assert "All inspections and compare" in section
    # A mechanic sees the inspections of their own jobs only, as on the car's inspections page.
    own = mechanic.portal().get(f"/admin/bookings/vehicles/{VIN}/")
    assert own.content.count(b"<tr data-appointment-id=") == 2
    other = make_staff("MECHANIC", name="Olly Other").portal().get(f"/admin/bookings/vehicles/{VIN}/")
    assert other.status_code == 200
    assert other.content.count(b"<tr data-appointment-id=") == 0
