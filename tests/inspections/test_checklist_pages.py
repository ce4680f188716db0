"""Checklist management in the portal (ADMIN): the list, a new checklist, and an edit that publishes
the next version while started inspections keep theirs; refused input is said plainly, kept, 400."""

from __future__ import annotations

import pytest

from inspections import selectors, services
from inspections.checklist import TEMPLATE_ID


def new_checklist_form(**overrides) -> dict[str, str]:
    form = {
        "name": "Brake check",
        "version": "0",
        "sections": "2",
        "plan": "2:1",
        "s0-id": "",
        "s0-title": "Brakes",
        "s0-items": "3",
        "s0-i0-label": "Front pads",
        "s0-i0-kind": "measurement",
        "s0-i0-unit": "mm",
        "s0-i1-label": "Brake fluid",
        "s0-i1-kind": "rating",
        "s0-i2-label": "",  # a blank row: ignored
        "s0-i2-kind": "rating",
        "s1-title": "",  # the blank section: ignored
        "s1-items": "1",
        "s1-i0-label": "",
    }
    form.update(overrides)
    return form


@pytest.mark.django_db
def test_the_list_shows_each_checklist_with_its_latest_version_and_plans(admin) -> None:
    page = admin.portal().get("/admin/inspections/templates/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/admin/inspections/templates/{TEMPLATE_ID}/"' in html
    assert '<td data-label="Latest version">1</td>' in html
    assert "Pre Purchase Inspection - " in html


@pytest.mark.django_db
def test_only_admins_manage_checklists(support, mechanic, clerk) -> None:
    for persona in (support, mechanic, clerk):
        client = persona.portal()
        assert client.get("/admin/inspections/templates/").status_code == 403
        assert client.get(f"/admin/inspections/templates/{TEMPLATE_ID}/").status_code == 403
        assert client.post("/admin/inspections/templates/new/", new_checklist_form()).status_code == 403


@pytest.mark.django_db
def test_an_admin_creates_a_checklist_for_a_plan(admin) -> None:
    client = admin.portal()
    assert client.get("/admin/inspections/templates/new/").status_code == 200
    response = client.post("/admin/inspections/templates/new/", new_checklist_form())
    assert response.status_code == 302
    template = selectors.template_for_plan(2, 1)
    assert template is not None
    assert response["Location"] == f"/admin/inspections/templates/{template.template_id}/"
    assert template.version == 1
    assert [(i.label, i.kind, i.unit) for i in template.sections[0].items] == [
        ("Front pads", "measurement", "mm"),
        ("Brake fluid", "rating", ""),
    ]
    assert len(template.sections) == 1


@pytest.mark.django_db
def test_refused_input_is_explained_and_kept(admin) -> None:
    client = admin.portal()
    response = client.post("/admin/inspections/templates/new/", new_checklist_form(**{"s0-i0-unit": ""}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The measurement &#x27;Front pads&#x27; needs a unit (mm, kPa, V…)" in html
    assert 'value="Front pads"' in html  # the input is kept
    taken = client.post("/admin/inspections/templates/new/", new_checklist_form(plan="1:2"))
    assert taken.status_code == 409
    assert f"already has another checklist ({TEMPLATE_ID})" in taken.content.decode()
    assert selectors.template_for_plan(2, 1) is None


@pytest.mark.django_db
def test_editing_publishes_the_next_version_and_a_started_inspection_keeps_its_own(admin, mechanic, job) -> None:
    services.inspection_start(actor=mechanic.identity, appointment_id=job)
    client = admin.portal()
    page = client.get(f"/admin/inspections/templates/{TEMPLATE_ID}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Editing <strong>version 1</strong>, the latest" in html
    assert 'value="Front of the vehicle (photo)"' in html

    form = {key: values[-1] for key, values in _form_fields(html).items()}
    form["plan"] = ["1:1", "1:2", "1:3"]
    form["s0-i0-label"] = "Front of the car (photo)"
    form["s0-i1-remove"] = "1"
    form["s0-i9-label"] = "Tow bar and wiring"  # the first blank row under section 1
    response = client.post(f"/admin/inspections/templates/{TEMPLATE_ID}/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = selectors.template_latest(TEMPLATE_ID)
    assert latest.version == 2
    labels = [item.label for item in latest.sections[0].items]
    assert labels[0] == "Front of the car (photo)"
    assert "Rear of the vehicle (photo)" not in labels
    assert labels[-1] == "Tow bar and wiring"
    assert latest.sections[0].items[0].item_id == "body-01"  # ids kept
    assert selectors.inspection_get(job).template_version == 1

    stale = client.post(f"/admin/inspections/templates/{TEMPLATE_ID}/", form)  # the page saw version 1
    assert stale.status_code == 409
    assert "This checklist is at version 2, not 1; reload it" in stale.content.decode()
    assert client.get("/admin/inspections/templates/no-such/").status_code == 404


def _form_fields(html: str) -> dict[str, list[str]]:
    """The editor's inputs and selects as a browser would send them (checkboxes unticked)."""
    import re

    fields: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="checkbox"' in tag or name.group(1) == "csrfmiddlewaretoken":
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields.setdefault(name.group(1), []).append(value.group(1) if value else "")
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]+)" selected>', body) or re.search(r'<option value="([^"]+)"', body)
        fields[name] = [chosen.group(1)]
    return fields
