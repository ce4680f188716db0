"""The payments page of a record: confirm with a method choice, the invoice with its status and
PDF, revert on a confirmation page naming who is emailed; and who may do what."""

from __future__ import annotations

import re

import pytest

from billing.models import Invoice
from bookings.models import Appointment
from shop.models import Order


def _payments(kind: str, record_id: str) -> str:
    return f"/admin/billing/payments/{kind}/{record_id}/"


def test_payments_page_confirm_shows_invoice_then_revert_names_recipient(admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    client = admin.portal()
    url = _payments("appointment", appointment.appointment_id)
    page = client.get(url).content.decode()
    assert 'id="confirm-payment-form"' in page
    assert "Confirm payment of $280.00" in page
    assert 'value="cash" required id="id_payment_method_0" checked' in page  # cash preselected: one click
    assert "No invoice yet" in page
    response = client.post(url, {"payment_method": "bank_transfer"}, follow=True)
    assert b"Bank Transfer payment confirmed successfully" in response.content
    stored = Appointment.get(appointment.appointment_id)
    invoice = Invoice.get(stored.invoice_id)
    html = response.content.decode()
    assert f'href="/admin/billing/invoices/{invoice.invoice_id}/">Tax invoice {invoice.invoice_number}</a>' in html
    assert '<span class="badge status-generated" id="invoice-status">Generated</span>' in html
    assert f'href="/admin/billing/invoices/{invoice.invoice_id}/pdf/">Download PDF</a>' in html
    assert "$280.00 (GST $25.45) · Bank transfer" in html
    assert 'confirmed by <span id="confirmed-by">Ada Admin</span>' in html
    assert admin.user_id[:8] not in html  # a name, never the staff id
    assert 'id="payment-method">Bank transfer<' in html
    assert "bank_transfer" not in html.replace('value="bank_transfer"', "")

    confirm_page = client.get(url + "revert/").content.decode()
    assert "no money is refunded" in confirm_page
    assert f"Tax invoice {invoice.invoice_number} is cancelled" in confirm_page
    assert "Jane Buyer (jane@example.com) is emailed that the payment was cancelled." in confirm_page
    assert Appointment.get(appointment.appointment_id).payment_status == "paid"  # GET changes nothing
    client.post(url + "revert/", follow=True)
    assert Appointment.get(appointment.appointment_id).payment_status == "pending"
    assert Invoice.get(stored.invoice_id).status == "cancelled"
    again = client.get(url + "revert/").content.decode()
    assert "there is nothing to revert" in again
    assert 'id="confirm-revert"' not in again


def test_revert_page_says_no_one_is_emailed_without_an_address(admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id, buyer_email="")
    client = admin.portal()
    url = _payments("appointment", appointment.appointment_id)
    client.post(url, {"payment_method": "cash"})
    page = client.get(url + "revert/").content.decode()
    assert "No one is emailed: the appointment has no email address." in page


def test_payments_bad_input(admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    client = admin.portal()
    url = _payments("appointment", appointment.appointment_id)
    refused = client.post(url, {"payment_method": "bitcoin"})
    assert refused.status_code == 200
    assert b"Select a valid choice" in refused.content
    assert Appointment.get(appointment.appointment_id).payment_status == "pending"
    assert client.get(_payments("appointment", "no-such-id")).status_code == 404
    assert client.get(_payments("invoice", appointment.appointment_id)).status_code == 404
    assert client.get(_payments("order", appointment.appointment_id) + "revert/").status_code == 404
    assert client.get(_payments("appointment", "no-such-id") + "invoice.json").status_code == 404


def test_payments_invoice_json_states(admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    client = admin.portal()
    url = _payments("appointment", appointment.appointment_id)
    assert client.get(url + "invoice.json").json() == {"state": "none"}
    client.post(url, {"payment_method": "cash"})
    invoice = Invoice.get(Appointment.get(appointment.appointment_id).invoice_id)
    assert client.get(url + "invoice.json").json() == {
        "state": "ready",
        "invoiceId": invoice.invoice_id,
        "number": invoice.invoice_number,
        "status": "generated",
        "statusLabel": "Generated",
        "statusClass": "status-generated",
        "detailUrl": f"/admin/billing/invoices/{invoice.invoice_id}/",
        "pdfUrl": f"/admin/billing/invoices/{invoice.invoice_id}/pdf/",
    }


def test_support_sees_payments_but_cannot_confirm(support, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    client = support.portal()
    url = _payments("appointment", appointment.appointment_id)
    assert client.get(url).status_code == 200
    assert b"confirm-payment-form" not in client.get(url).content
    assert client.post(url, {"payment_method": "cash"}).status_code == 403
    assert client.get(url + "revert/").status_code == 403
    assert Appointment.get(appointment.appointment_id).payment_status == "pending"


def test_mechanic_cannot_open_billing_pages(mechanic):
    client = mechanic.portal()
    for url in ("/admin/billing/invoices/", "/admin/billing/analytics/", "/admin/billing/invoices/new/"):
        assert client.get(url).status_code == 403


def test_manual_invoice_wizard(admin, catalogue):
    client = admin.portal()
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
    assert (invoice.list_key, invoice.search_name, invoice.search_email) == ("invoice", "walk in", "walk@example.com")
    html = done.content.decode()
    assert 'confirmed by <span id="issued-by">Ada Admin</span>' in html  # who created it, by name
    assert 'id="invoice-total"><strong>$331.00</strong>' in html


def _invoice_id(kind: str, record_id: str) -> str:
    return (Appointment.get(record_id) if kind == "appointment" else Order.get(record_id)).invoice_id


def _link(html: str, element_id: str) -> tuple[str, str] | None:
    """(href, text) of the element with ``element_id``, or None."""
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
    payments = _payments(kind, record_id)

    client = admin.portal()
    detail = client.get(page.format(record_id))
    assert detail.status_code == 200
    assert _link(detail.content.decode(), "payments-link") == (payments, "Confirm or revert payment")
    client.post(payments, {"payment_method": "cash"})
    paid = client.get(page.format(record_id)).content.decode()
    href, _ = _link(paid, "payments-link")
    assert href == payments
    invoice_id = Invoice.get(_invoice_id(kind, record_id)).invoice_id
    assert _link(paid, "record-invoice-link") == (f"/admin/billing/invoices/{invoice_id}/", "Invoice")
    payments_page = client.get(href).content.decode()
    assert _link(payments_page, "revert-link") == (payments + "revert/", "Revert payment…")
    assert _link(payments_page, "invoice-pdf")[1] == "Download PDF"  # the invoice, one click from the record

    support_page = support.portal().get(page.format(record_id)).content.decode()
    assert _link(support_page, "payments-link") == (payments, "Payments and invoices")
    clerk_page = clerk.portal().get(page.format(record_id))
    assert clerk_page.status_code == 200
    assert _link(clerk_page.content.decode(), "payments-link") is None  # a clerk may not open it
    assert clerk.portal().get(payments).status_code == 403
