from __future__ import annotations

import pytest

from shop.models import Order
from staffapp.templatetags.staff_format import day


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_order_is_scheduled_then_delivered(new_order, make_staff, portal_login, chromium, live_server) -> None:
    support = make_staff("CUSTOMER_SUPPORT", name="Sue Support")
    mechanic = make_staff("MECHANIC", name="Mia Mechanic")
    order = new_order()

    page = portal_login(support)
    page.click("text=Parts orders")
    page.click(f"text={order.order_id[:8].upper()}")
    page.fill("#schedule-form input[name=scheduledDate]", "2030-03-04")
    page.select_option("#schedule-form select[name=assignedMechanicId]", label="Mia Mechanic")
    page.click("#schedule-form input[type=submit]")
    page.wait_for_selector("text=Order saved; status SCHEDULED.")
    assert page.inner_text("#order-status") == "Scheduled"
    assert page.inner_text("#mechanic-name") == "Mia Mechanic"
    assert page.inner_text("#scheduled-date") == day("2030-03-04")

    # The mechanic delivers it from a phone.
    phone = chromium.new_context(viewport={"width": 390, "height": 844})
    try:
        tab = phone.new_page()
        tab.set_default_timeout(15_000)
        tab.goto(f"{live_server.url}/admin/login/")
        tab.fill("#id_username", mechanic.email)
        tab.fill("#id_password", mechanic.password)
        tab.click("input[type=submit]")
        tab.click("text=Parts orders")
        tab.click(f"text={order.order_id[:8].upper()}")
        assert not tab.is_visible("#schedule-form")
        tab.click("input[data-status=DELIVERED]")
        tab.wait_for_selector("text=Order saved; status DELIVERED.")
        assert tab.inner_text("#order-status") == "Delivered"
    finally:
        phone.close()

    stored = Order.get(order.order_id)
    assert (stored.status, stored.scheduled_date, stored.assigned_mechanic_id, stored.version) == (
        "DELIVERED",
        "2030-03-04",
        mechanic.user_id,
        3,
    )
