"""Every inspection page fits a 375 px wide phone: no horizontal scrolling, and the fill page's
buttons are at least 48 px both ways (one-handed use on site)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from inspections import services
from inspections.checklist import TEMPLATE_ID
from inspections.services import InspectionChanges, ItemAnswer
from inspections.types import Rating

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
VIN = "JTDBR32E720123456"

# Each visible control of the fill page: its box (buttons, inputs, summaries).
CONTROLS = """() => Array.from(document.querySelectorAll(
  '#insp-fill button, #insp-fill input, #insp-fill textarea, #insp-fill summary'))
  .map((el) => { const box = el.getBoundingClientRect();
                 return {id: el.id || el.className, width: box.width, height: box.height}; })
  .filter((box) => box.width > 0 && box.height > 0)"""


@pytest.fixture
def inspected(mechanic, make_job) -> list[str]:
    """Two jobs of one car, inspections started (made before ``chromium`` opens)."""
    jobs = [make_job(), make_job()]
    for job in jobs:
        inspection = services.inspection_start(actor=mechanic.identity, appointment_id=job).inspection
        services.inspection_update(
            actor=mechanic.identity,
            appointment_id=job,
            version=inspection.version,
            changes=InspectionChanges(given=frozenset({"vin"}), vin=VIN),
        )
        services.item_save(
            actor=mechanic.identity,
            appointment_id=job,
            item_id="brakes-01",
            template_version=1,
            version=0,
            answer=ItemAnswer(value=Decimal("4.5"), rating=None),
        )
        services.item_save(
            actor=mechanic.identity,
            appointment_id=job,
            item_id="body-03",
            template_version=1,
            version=0,
            answer=ItemAnswer(rating=Rating.FAIL, text="A long note about the rear door gap " * 4),
        )
    return jobs


def _fits(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url


def test_the_inspection_pages_fit_a_phone(inspected, admin, live_server, portal_login) -> None:
    page = portal_login(admin)
    page.set_viewport_size(PHONE)
    first, second = inspected
    base = live_server.url
    _fits(page, f"{base}/admin/inspections/{first}/")
    small = [box for box in page.evaluate(CONTROLS) if box["height"] < 48 or box["width"] < 48]
    assert small == [], small[:5]
    _fits(page, f"{base}/admin/bookings/appointments/{first}/")
    page.locator("#inspection-results details").first.locator("summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _fits(page, f"{base}/admin/inspections/vehicles/{VIN}/")
    _fits(page, f"{base}/admin/inspections/compare/?a={first}&b={second}")
    _fits(page, f"{base}/admin/inspections/templates/")
    _fits(page, f"{base}/admin/inspections/templates/{TEMPLATE_ID}/")
    _fits(page, f"{base}/admin/inspections/templates/new/")
    _fits(page, f"{base}/admin/inspections/review/")
