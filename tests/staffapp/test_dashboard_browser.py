"""The dashboard updates live: staff look at the portal index (desktop and phone), a customer books
through the public API, and the booking appears in "Bookings to schedule" without a reload; after
the staff socket drops and reconnects, the next booking appears too. Through daphne (HTTP and
WebSocket), as in production."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from autolab import clock
from bookings import seeds as booking_seeds
from tests.staffapp.portal_sweep import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A customer's booking as the website sends it: register, then POST /api/appointments.
BOOK_JS = """
async ([day, name]) => {
  const post = (url, body) => fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify(body)}).then((r) => r.json());
  const user = await post('/api/users/register', {userName: name, userEmail: 'cara@example.com'});
  const booked = await post('/api/appointments', {userId: user.userId, appointmentData: {
    serviceId: 1, planId: 2, isBuyer: true,
    buyerData: {name: name, email: 'cara@example.com', phoneNumber: '+61 412 345 678'},
    carData: {make: 'Toyota', model: 'Corolla', year: 2015, location: '12 Hay St, Perth WA 6000'},
    selectedSlots: [{date: day, start: '09:00', end: '12:00', priority: 1}]}});
  return booked.appointmentId;
}
"""


@pytest.fixture
def plans() -> None:
    """The catalogue, stored before ``chromium`` opens (its event loop runs in this thread)."""
    list(booking_seeds.seed())


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_booking_appears_on_the_open_dashboard_without_a_reload(
    viewport: dict[str, int],
    daphne_server: Any,
    plans: None,
    chromium: Any,
) -> None:
    context = chromium.new_context(viewport=viewport)
    customer = chromium.new_context()
    try:
        staff = context.new_page()
        staff.set_default_timeout(15_000)
        errors: list[str] = []
        staff.on("pageerror", lambda error: errors.append(str(error)))
        staff.goto(f"{daphne_server.url}/admin/login/")
        staff.fill("#id_username", daphne_server.email)
        staff.fill("#id_password", daphne_server.password)
        staff.click("input[type=submit]")
        staff.wait_for_load_state()
        staff.wait_for_selector("body[data-live-ready='1']")
        panel = staff.locator("#panel-to-schedule")
        panel.get_by_text("No bookings waiting to be scheduled.").wait_for()
        staff.evaluate("() => { window.notReloaded = true; }")

        website = customer.new_page()
        website.goto(f"{daphne_server.url}/api/health")
        day = (clock.business_today() + dt.timedelta(days=3)).isoformat()
        first = website.evaluate(BOOK_JS, [day, "Cara Buyer"])
        assert first
        panel.locator(f"#to-schedule-unpaid li[data-appointment-id='{first}']").wait_for()
        assert "Cara Buyer · Toyota Corolla" in panel.inner_text()

        # The socket drops (a network blip); live.js reconnects and the dashboard catches up.
        staff.evaluate("() => window.autolabLive.state.socket.close()")
        staff.wait_for_selector("body[data-live-ready='0']", state="attached")
        staff.wait_for_selector("body[data-live-ready='1']")
        second = website.evaluate(BOOK_JS, [day, "Sam Seller"])
        panel.locator(f"#to-schedule-unpaid li[data-appointment-id='{second}']").wait_for()
        assert staff.evaluate("() => window.notReloaded") is True
        assert not errors
    finally:
        context.close()
        customer.close()
