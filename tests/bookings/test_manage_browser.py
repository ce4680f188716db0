"""The manage page in a phone's browser: view the booking, move it, see it moved; axe and tap targets."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from bookings import manage_links
from bookings.models import Appointment
from tests.bookings.conftest import future_day
from tests.bookings.test_manage_page import scheduled, two_places  # noqa: F401  (fixtures)
from tests.staffapp.portal_sweep import PHONE, Tab, audit, blocking, browser_context, small

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def appointment_id(scheduled):  # noqa: F811  (booked before the browser opens its event loop)
    return scheduled()


def test_a_customer_moves_their_booking_on_a_phone(appointment_id, live_server, chromium):
    url = live_server.url + urlsplit(manage_links.manage_url(appointment_id)).path
    context = browser_context(chromium)
    try:
        visits = audit(Tab(context), "manage", url)
        assert [v for visit in visits for v in visit.violations if blocking(v)] == []
        assert small(visits[1].targets) == []  # the phone layout: every tap target 44x44 px or more
        page = context.new_page()
        page.set_viewport_size(PHONE)
        page.goto(url)
        assert "09:00" in page.get_by_test_id("when").inner_text()
        page.select_option("#slot", f"{future_day(8)} 13:00-15:00")
        page.get_by_role("button", name="Move my booking").click()
        page.wait_for_load_state()
        assert "Your booking has been moved" in page.get_by_role("status").inner_text()
        assert page.get_by_test_id("when").inner_text() == f"{future_day(8)}, 13:00\u201315:00"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    finally:
        context.close()
    assert Appointment.get(appointment_id).scheduled_time_slot.start == "13:00"
