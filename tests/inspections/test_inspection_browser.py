"""Done when (#15): on a 375x812 phone, a mechanic fills a checklist with every item kind, takes a
photo, loses the connection once while saving (the items say "Queued offline", then "Saved" when it
is back), and submits; the real worker renders the PDF; an admin approves it; the website's
appointment call lists the report for the customer with a link that opens the PDF."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bookings.models import Appointment
from tests.inspections.conftest import jpeg
from tests.inspections.phone import PHONE, phone_job  # noqa: F401  (the fixture)
from tests.inspections.phone import item_state as _state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _wait_report(appointment_id: str, timeout: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reports = Appointment.get(appointment_id, consistent_read=True).reports or []
        for report in reports:
            if str(report.get("s3Key", "")).endswith("inspection-1.pdf"):
                return dict(report)
        time.sleep(0.5)
    raise AssertionError("the worker added no inspection PDF to the appointment's reports")


def test_a_mechanic_fills_an_inspection_on_a_phone_and_the_customer_opens_its_pdf(
    phone_job,  # noqa: F811
    mechanic,
    admin,
    anon,
    celery_worker,
    live_server,
    portal_login,
    settings,
) -> None:
    settings.PUBLIC_BASE_URL = live_server.url
    appointment_id = phone_job["appointment_id"]
    rating, measurement, text, photo = phone_job["items"]
    page = portal_login(mechanic)
    context = page.context
    page.set_viewport_size(PHONE)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/admin/inspections/{appointment_id}/")
    with page.expect_navigation():
        page.click("#inspection-start")
    page.wait_for_selector("#insp-fill[data-ready='1']")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    pass_button = page.locator(f"#item-{rating} .insp-rating-pass")
    box = pass_button.bounding_box()
    assert box["height"] >= 48
    assert box["width"] >= 48

    page.fill("#insp-odometer", "84500")
    page.fill("#insp-vin", "JTDBR32E720123456")
    page.fill("#insp-registration", "1ABC234")
    page.locator("#insp-registration").press("Tab")
    pass_button.click()
    _state(page, rating).get_by_text("Saved").wait_for()

    # The connection drops while two items are saved: they wait in the queue, then go.
    context.set_offline(True)
    page.fill(f"#value-{measurement}", "4.5")
    page.locator(f"#value-{measurement}").press("Tab")
    page.fill(f"#text-{text}", "Pulls slightly left under braking")
    page.locator(f"#text-{text}").press("Tab")
    _state(page, measurement).get_by_text("Queued offline").wait_for()
    _state(page, text).get_by_text("Queued offline").wait_for()
    assert "queued" in page.inner_text("#insp-sync")
    context.set_offline(False)
    _state(page, measurement).get_by_text("Saved").wait_for()
    _state(page, text).get_by_text("Saved").wait_for()

    page.set_input_files(
        f"#photo-{photo}", files=[{"name": "dash.jpg", "mimeType": "image/jpeg", "buffer": jpeg(1200, 900)}]
    )
    page.wait_for_selector(f"#item-{photo} .insp-thumb img")
    _state(page, photo).get_by_text("Saved").wait_for()

    page.click(".insp-verdict-choice[data-verdict='recommended_with_repairs']")
    page.fill("#insp-summary", "Sound car; front pads due soon.")
    page.locator("#insp-summary").press("Tab")
    page.locator("#insp-header-state").get_by_text("Saved").wait_for()
    page.wait_for_selector("#insp-sync[data-pending='0']")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    with page.expect_navigation():
        page.click("#insp-submit")
    assert page.inner_text("#inspection-status") in ("Submitted", "Reported")
    assert errors == []

    report = _wait_report(appointment_id)  # rendered by the real worker
    completed = mechanic.api().patch(f"/api/appointments/{appointment_id}", {"status": "ONGOING"}, format="json")
    assert completed.status_code == 200, completed.json()
    completed = mechanic.api().patch(f"/api/appointments/{appointment_id}", {"status": "COMPLETED"}, format="json")
    assert completed.status_code == 200, completed.json()
    approve = {"reportApproval": {"reportS3Key": report["s3Key"], "action": "approve"}}
    approved = admin.api().patch(f"/api/appointments/{appointment_id}", approve, format="json")
    assert approved.status_code == 200, approved.json()

    seen = anon.get(f"/api/appointments/{appointment_id}?userId={phone_job['customer']}")
    assert seen.status_code == 200
    reports = seen.json()["appointment"]["reports"]
    assert [r["s3Key"] for r in reports] == [report["s3Key"]]
    pdf = page.request.get(reports[0]["fileUrl"])
    assert pdf.status == 200
    assert pdf.body().startswith(b"%PDF")
