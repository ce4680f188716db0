"""Browser tests of money in the portal: an admin confirms a cash payment from the appointment
page (desktop and phone, steps counted), the payments page learns without a reload that the
invoice is ready, and analytics stays legible on a phone."""

from __future__ import annotations

import pytest

from billing.invoices.generation import invoice_generate_for_record
from bookings.models import Appointment

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CONFIRM_STEPS = 3  # open the appointment, open its payment, confirm (cash is preselected)


def _confirm_cash_from_the_appointment_page(page, base_url: str, appointment, viewport: dict[str, int]) -> int:
    """The admin's flow on ``viewport``; returns the steps taken."""
    page.set_viewport_size(viewport)
    steps = 0
    page.goto(f"{base_url}/admin/bookings/appointments/{appointment.appointment_id}/")
    steps += 1
    page.click("#payments-link")
    steps += 1
    assert page.is_checked("#id_payment_method_0")  # Cash
    if viewport is PHONE:
        assert page.locator("#confirm-payment").bounding_box()["height"] >= 44
    page.click("#confirm-payment")
    steps += 1

    page.wait_for_selector("text=Cash payment confirmed successfully")
    assert page.inner_text("#payment-status") == "Paid"
    assert page.inner_text("#payment-method") == "Cash"
    assert page.inner_text("#confirmed-by") == "Ada Admin"
    assert page.inner_text("#invoice-status") == "Generated"
    invoice_id = Appointment.get(appointment.appointment_id).invoice_id
    assert page.get_attribute("#invoice-link", "href") == f"/admin/billing/invoices/{invoice_id}/"
    pdf = page.request.get(base_url + page.get_attribute("#invoice-pdf", "href"))  # shares the session
    assert pdf.ok
    assert pdf.body().startswith(b"%PDF-")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    return steps


@pytest.mark.django_db(transaction=True)
def test_an_admin_confirms_a_cash_payment_from_the_appointment_page(
    portal_login, live_server, settings, admin, customer, make_appointment
):
    """On a desktop, then on a phone (one browser: each launch costs seconds)."""
    settings.PUBLIC_BASE_URL = live_server.url  # the PDF route redirects to a file link absolute on it
    page = portal_login(admin)
    for viewport in (DESKTOP, PHONE):
        appointment = make_appointment(created_user_id=customer.user_id)
        steps = _confirm_cash_from_the_appointment_page(page, live_server.url, appointment, viewport)
        assert steps <= CONFIRM_STEPS


@pytest.mark.django_db(transaction=True)
def test_the_payments_page_learns_the_invoice_is_ready_then_analytics_is_legible_on_a_phone(
    portal_login, live_server, admin, customer, make_appointment
):
    # Paid, its invoice not yet produced: the state between the confirmation and the worker's task.
    appointment = make_appointment(
        created_user_id=customer.user_id,
        payment_status="paid",
        payment_method="cash",
        payment_confirmed_by=admin.user_id,
    )
    page = portal_login(admin)
    page.goto(f"{live_server.url}/admin/billing/payments/appointment/{appointment.appointment_id}/")
    assert "being generated" in page.inner_text("#invoice-live")
    page.evaluate("window.sameDocument = true")

    invoice = invoice_generate_for_record(reference_type="appointment", reference_number=appointment.appointment_id)

    page.wait_for_selector("#invoice-live[data-state=ready]")
    assert page.evaluate("window.sameDocument") is True  # no reload
    assert page.inner_text("#invoice-link") == f"Tax invoice {invoice.invoice_number}"
    assert page.inner_text("#invoice-status") == "Generated"
    assert page.get_attribute("#invoice-pdf", "href") == f"/admin/billing/invoices/{invoice.invoice_id}/pdf/"

    # The same revenue on the owner's phone: the figure, and chart text of at least 12 px.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/admin/billing/analytics/")
    page.click("text=This financial year")
    page.wait_for_selector("#total-revenue")
    assert page.inner_text("#total-revenue") == "$280.00"
    smallest = page.evaluate(
        """() => {
          const sizes = [];
          for (const el of document.querySelectorAll('#analytics-summary *, #analytics-charts *')) {
            const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
            if (own && el.getClientRects().length) sizes.push(parseFloat(getComputedStyle(el).fontSize));
          }
          return Math.min(...sizes);
        }"""
    )
    assert smallest >= 12
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for selector in ("#analytics-presets a", "#csv-export"):
        assert page.locator(selector).first.bounding_box()["height"] >= 44
