"""The seller's confirmation page in a phone's browser: see the booking, suggest another time,
confirm; axe and tap targets."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from bookings import seeds as booking_seeds
from bookings import seller_confirmation
from bookings.models import Appointment
from tests.bookings.conftest import future_day
from tests.bookings.test_seller_confirmation import SLOT, create, schedule, two_places  # noqa: F401
from tests.staffapp.portal_sweep import PHONE, Tab, audit, blocking, browser_context, small

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def appointment_id(support):  # booked before the browser opens its event loop
    appointment_id = create(support)
    schedule(support, appointment_id, SLOT)
    return appointment_id


def test_a_seller_answers_on_a_phone(appointment_id, live_server, chromium):
    key = f"{SLOT['date']} 09:00-11:00"
    url = live_server.url + urlsplit(seller_confirmation.url(appointment_id, key)).path
    context = browser_context(chromium)
    try:
        visits = audit(Tab(context), "seller", url)
        assert [v for visit in visits for v in visit.violations if blocking(v)] == []
        assert small(visits[1].targets) == []  # the phone layout: every tap target 44x44 px or more
        page = context.new_page()
        page.set_viewport_size(PHONE)
        page.goto(url)
        assert page.get_by_test_id("when").inner_text() == f"{SLOT['date']}, 09:00\u201311:00"
        page.select_option("#slot", f"{future_day(8)} 13:00-15:00")
        page.get_by_role("button", name="Suggest this time").click()
        page.wait_for_load_state()
        assert "passed your suggested time" in page.get_by_role("status").inner_text()
        assert page.get_by_test_id("answer").inner_text() == f"You suggested {future_day(8)} 13:00-15:00"
        page.get_by_role("button", name="Yes, the time and place work").click()
        page.wait_for_load_state()
        assert page.get_by_test_id("answer").inner_text() == "You confirmed this time"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    finally:
        context.close()
    stored = Appointment.get(appointment_id)
    assert (stored.seller_confirmation, stored.scheduled_time_slot.start) == ("CONFIRMED", "09:00")


@pytest.fixture
def plans() -> None:
    list(booking_seeds.seed())


@pytest.fixture
def asked(plans, support, capacity):
    capacity(2)
    appointment_id = create(support)
    schedule(support, appointment_id, SLOT)
    return appointment_id


@pytest.mark.browser
def test_staff_see_the_sellers_answer_live(asked, daphne_server, chromium):
    key = f"{SLOT['date']} 09:00-11:00"
    link = daphne_server.url + urlsplit(seller_confirmation.url(asked, key)).path
    staff_context, seller_context = chromium.new_context(viewport=PHONE), chromium.new_context(viewport=PHONE)
    try:
        staff = staff_context.new_page()
        staff.set_default_timeout(15_000)
        staff.goto(f"{daphne_server.url}/admin/login/")
        staff.fill("#id_username", daphne_server.email)
        staff.fill("#id_password", daphne_server.password)
        staff.click("input[type=submit]")
        staff.wait_for_load_state()
        staff.goto(f"{daphne_server.url}/admin/bookings/appointments/{asked}/")
        staff.wait_for_selector("body[data-live-ready='1']")
        state = staff.locator("#seller-confirmation")
        assert state.inner_text() == "Awaiting seller"
        staff.evaluate("() => { window.notReloaded = true; }")

        seller = seller_context.new_page()
        seller.goto(link)
        seller.get_by_role("button", name="Yes, the time and place work").click()
        seller.wait_for_load_state()
        staff.wait_for_function(
            "() => document.querySelector('#seller-confirmation').textContent === 'Seller confirmed'"
        )
        assert staff.evaluate("() => window.notReloaded") is True  # updated in place, not reloaded
    finally:
        staff_context.close()
        seller_context.close()
