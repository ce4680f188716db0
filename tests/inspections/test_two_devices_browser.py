"""Two devices, one item (#15): the tablet saves after the phone loaded the page, so the phone's save
answers 409; the phone shows the tablet's stored answer beside its own and the mechanic chooses
(Keep mine saves on the stored version, Use theirs takes it); nothing is overwritten silently."""

from __future__ import annotations

import pytest

from tests.inspections.phone import PHONE, phone_job  # noqa: F401  (the fixture)
from tests.inspections.phone import item_state as _state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_another_devices_answer_is_shown_beside_the_phones_and_the_mechanic_chooses(
    phone_job,  # noqa: F811
    mechanic,
    live_server,
    portal_login,
) -> None:
    appointment_id = phone_job["appointment_id"]
    rating, measurement = phone_job["items"][:2]
    tablet = mechanic.api()
    assert tablet.post(f"/api/appointments/{appointment_id}/inspection", format="json").status_code == 201
    page = portal_login(mechanic)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/admin/inspections/{appointment_id}/")
    page.wait_for_selector("#insp-fill[data-ready='1']")

    # The tablet saves both items after the phone loaded the page (the phone still saw version 0).
    item = f"/api/appointments/{appointment_id}/inspection/items"
    for item_id, body in ((rating, {"rating": "fail", "text": "Dark fluid"}), (measurement, {"value": "3"})):
        saved = tablet.put(f"{item}/{item_id}", {"templateVersion": 1, "version": 0, **body}, format="json")
        assert saved.status_code == 200, saved.json()

    page.click(f"#item-{rating} .insp-rating-pass")
    conflict = page.locator(f"#item-{rating} .insp-conflict")
    conflict.wait_for()
    assert _state(page, rating).inner_text() == "Conflict: choose below"
    assert conflict.locator(".insp-theirs").inner_text() == "Fail · “Dark fluid”"
    assert conflict.locator(".insp-mine").inner_text() == "Pass"  # the phone had no note
    conflict.get_by_role("button", name="Keep mine").click()
    _state(page, rating).get_by_text("Saved").wait_for()
    stored = tablet.get(f"/api/appointments/{appointment_id}/inspection").json()["items"]
    by_id = {entry["itemId"]: entry for entry in stored}
    assert by_id[rating]["rating"] == "pass"
    assert by_id[rating]["version"] == 2

    page.fill(f"#value-{measurement}", "5")
    page.locator(f"#value-{measurement}").press("Tab")
    conflict = page.locator(f"#item-{measurement} .insp-conflict")
    conflict.wait_for()
    assert conflict.locator(".insp-theirs").inner_text() == "3 mm"
    assert conflict.locator(".insp-mine").inner_text() == "5 mm"
    conflict.get_by_role("button", name="Use theirs").click()
    assert page.input_value(f"#value-{measurement}") == "3"
    assert page.inner_text("#insp-sync") == "All changes saved"
    stored = tablet.get(f"/api/appointments/{appointment_id}/inspection").json()["items"]
    assert {entry["itemId"]: entry for entry in stored}[measurement]["value"] == 3
