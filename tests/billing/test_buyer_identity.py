"""Tax invoice rule (ATO): an invoice of $1,000 or more (GST inclusive) shows the buyer's identity or
ABN. The name comes from the booking or order; staff are asked for the ABN on the payments page
before payment (validated; an issued invoice never changes), and the PDF prints both. A business
not registered for GST issues plain invoices, and the portal says so as its PDFs do."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from autolab import storage
from billing.models import Invoice
from bookings.models import Appointment
from shop.models import Order, OrderLine

ABN = "51 824 753 556"  # the ATO's own example, checksum-valid


def _pdf_text(invoice: Invoice) -> str:
    pages = PdfReader(io.BytesIO(storage.read(invoice.s3_key))).pages
    return " ".join("\n".join(page.extract_text() for page in pages).split())


@pytest.fixture
def big_order(customer, make_order) -> Order:
    """Eight V8 engines: $1,200, over the ATO's $1,000."""
    lines = [OrderLine(category_id=1, item_id=1, quantity=8, unit_price=Decimal("150"), total_price=Decimal("1200"))]
    return make_order(created_user_id=customer.user_id, items=lines, total_price=Decimal("1200"))


def test_an_invoice_of_1000_or_more_shows_the_buyer_and_the_abn_staff_gave_before_payment(admin, big_order):
    client = admin.portal()
    url = f"/admin/billing/payments/order/{big_order.order_id}/"
    page = client.get(url).content.decode()
    prompt = page.split('id="buyer-identity-prompt">')[1].split("</p>")[0]
    assert "$1,000 or more" in prompt
    assert "<strong>Oscar Orders</strong>" in prompt

    wrong = client.post(url, {"action": "buyer-abn", "buyer_abn": "51 824 753 557"})
    assert wrong.status_code == 200  # the form again, with the reason
    assert "fails the ABN checksum" in wrong.content.decode()
    assert Order.get(big_order.order_id).buyer_abn is None
    saved = client.post(url, {"action": "buyer-abn", "buyer_abn": ABN})
    assert (saved.status_code, saved["Location"]) == (302, url)
    assert Order.get(big_order.order_id).buyer_abn == "51824753556"

    assert client.post(url, {"payment_method": "cash"}).status_code == 302
    invoice = Invoice.get(Order.get(big_order.order_id).invoice_id)
    assert invoice.metadata.as_dict()["buyerAbn"] == "51824753556"
    text = _pdf_text(invoice)
    assert f"Billed to Oscar Orders oscar@example.com 0400111222 ABN: {ABN}" in text
    assert "Total (incl. GST) $1,200.00" in text
    detail = client.get(f"/admin/billing/invoices/{invoice.invoice_id}/").content.decode()
    assert f'ABN <span id="invoice-buyer-abn">{ABN}</span>' in detail

    late = client.post(url, {"action": "buyer-abn", "buyer_abn": ""}, follow=True)
    assert late.status_code == 200
    assert "can no longer change" in late.content.decode()
    assert Order.get(big_order.order_id).buyer_abn == "51824753556"  # the invoice's ABN stays
    assert f'ABN <span id="buyer-abn">{ABN}</span>' in late.content.decode()
    assert 'id="buyer-abn-form"' not in late.content.decode()


def test_an_invoice_under_1000_is_not_asked_for_an_abn(admin, customer, make_appointment):
    client = admin.portal()
    ref = make_appointment(created_user_id=customer.user_id).appointment_id
    url = f"/admin/billing/payments/appointment/{ref}/"
    page = client.get(url).content.decode()
    assert 'id="buyer-abn-form"' in page  # it may still be given
    assert 'id="buyer-identity-prompt"' not in page
    assert client.post(url, {"payment_method": "cash"}).status_code == 302
    text = _pdf_text(Invoice.get(Appointment.get(ref).invoice_id))
    buyer = text.split("Billed to")[1].split("Item")[0]
    assert "Jane Buyer" in buyer
    assert "ABN" not in buyer


def test_a_business_not_registered_for_gst_shows_plain_invoices_in_the_portal(
    admin, customer, make_appointment, settings
):
    settings.GST_REGISTERED = False
    client = admin.portal()
    ref = make_appointment(created_user_id=customer.user_id).appointment_id
    url = f"/admin/billing/payments/appointment/{ref}/"
    confirmed = client.post(url, {"payment_method": "cash"}, follow=True)
    assert confirmed.status_code == 200
    invoice = Invoice.get(Appointment.get(ref).invoice_id)
    detail = client.get(f"/admin/billing/invoices/{invoice.invoice_id}/")
    assert detail.status_code == 200
    for html in (confirmed.content.decode(), detail.content.decode()):
        main = html.split('id="content"')[1]
        assert f"Invoice {invoice.invoice_number}" in main
        assert ("Tax invoice" in main, "tax invoice" in main, "GST" in main) == (False, False, False)
    assert 'id="invoice-total"><strong>$280.00</strong>' in detail.content.decode()
    settings.GST_REGISTERED = True
    registered = client.get(f"/admin/billing/invoices/{invoice.invoice_id}/").content.decode()
    assert f"Tax invoice {invoice.invoice_number}" in registered
    assert 'id="invoice-gst">$25.45<' in registered
