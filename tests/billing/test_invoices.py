from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from pypdf import PdfReader
from rest_framework.test import APIClient

from autolab import storage
from billing.invoices.generation import invoice_generate_for_record
from billing.models import BillingKey, Invoice
from bookings.models import Appointment
from emails.models import EmailMetadata
from shop.models import Order


def _confirm(persona, ref: str, kind: str = "appointment", method: str = "cash", revert: bool = False):
    body = {"referenceNumber": ref, "type": kind, "paymentMethod": method, "revert": revert}
    return persona.api().post("/api/payments/confirm", body, format="json")


def _pdf_text(invoice: Invoice) -> str:
    reader = PdfReader(io.BytesIO(storage.read(invoice.s3_key)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    print(text)  # shown when an assertion fails
    return " ".join(text.split())


def _emails(email_type: str) -> list[EmailMetadata]:
    return [m for m in EmailMetadata.scan() if m.email_type == email_type]


def test_cash_confirm_records_who_and_when_and_issues_a_tax_invoice(admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id, scheduled_date="2030-03-04")
    response = _confirm(admin, appointment.appointment_id)
    assert response.status_code == 200
    assert response.json()["message"] == "Cash payment confirmed successfully"
    stored = Appointment.get(appointment.appointment_id)
    assert stored.payment_status == "paid"
    assert stored.payment_method == "cash"
    assert stored.payment_confirmed_by == admin.user_id
    assert stored.payment_confirmed_at
    invoice = Invoice.get(stored.invoice_id)
    assert invoice.invoice_number == 1
    assert stored.invoice_url == f"/api/payments/invoices/{invoice.invoice_id}/pdf"
    text = _pdf_text(invoice)
    assert "Tax invoice" in text
    assert "ABN: 51 824 753 556" in text
    assert "Invoice number: 1" in text
    assert "Pre Purchase Inspection" in text
    assert "Toyota Camry 2020 | Comprehensive Pre Purchase Inspection" in text
    assert "Item Qty Unit price Net price GST (10%) Total" in text  # the original's columns, plus unit price
    assert "1 $280.00 $254.55 $25.45 $280.00" in text  # qty, unit price, net, GST (280 / 11), line total
    assert "Net amount $254.55 Total GST $25.45 Total (incl. GST) $280.00" in text
    assert "CANCELLED" not in text
    assert "Cash" in text
    assert invoice.payment_intent_id in text
    data = invoice.analytics_data.as_dict()["operation_data"]
    assert data["effectiveDate"] == "04/03/2030"
    assert data["paymentDetails"]["amount"] == "280"
    assert data["services"] == [{"service_name": "Comprehensive Pre Purchase Inspection", "price": "280"}]
    assert data["bookingDetails"]["bookedBy"] == customer.user_id
    sent = _emails("payment_confirmed")
    assert len(sent) == 1
    assert sent[0].attachments == [invoice.s3_key]


def test_confirm_twice_is_refused_and_methods_are_checked(admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    assert _confirm(admin, appointment.appointment_id, method="bank_transfer").json()["message"] == (
        "Bank Transfer payment confirmed successfully"
    )
    again = _confirm(admin, appointment.appointment_id)
    assert again.status_code == 400
    assert again.json()["message"] == "Payment already confirmed for this record"
    assert _confirm(admin, appointment.appointment_id, method="cheque").status_code == 400
    assert _confirm(admin, "nope").status_code == 404


def test_cancelled_records_cannot_be_confirmed(admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id, status="CANCELLED")
    response = _confirm(admin, appointment.appointment_id)
    assert response.status_code == 400
    assert response.json()["message"] == "Cannot confirm payment for cancelled appointment"


def test_cash_paid_order_records_its_real_amount_and_unit_prices(admin, customer, make_order):
    order = make_order(created_user_id=customer.user_id)
    _confirm(admin, order.order_id, kind="order", method="card")
    invoice = Invoice.get(Order.get(order.order_id).invoice_id)
    data = invoice.analytics_data.as_dict()["operation_data"]
    assert data["paymentDetails"]["amount"] == "399.95"
    assert data["orders"] == [
        {"item_name": "V8 Engine", "unit_price": "150", "quantity": "2", "total_price": "300"},
        {"item_name": "Winter Tyres", "unit_price": "99.95", "quantity": "1", "total_price": "99.95"},
    ]
    text = _pdf_text(invoice)
    # Real net and GST per order line (the original printed a net of 0.00 for every order line).
    assert "V8 Engine Honda Civic 2019 | Engines & Parts 2 $150.00 $272.73 $27.27 $300.00" in text
    assert "Winter Tyres Honda Civic 2019 | Tyres & Wheels 1 $99.95 $90.86 $9.09 $99.95" in text
    assert "Net amount $363.59 Total GST $36.36 Total (incl. GST) $399.95" in text  # 399.95 / 11


def test_staff_booking_without_customer_is_booked_by_staff(admin, make_staff, make_appointment):
    support = make_staff("CUSTOMER_SUPPORT")
    appointment = make_appointment(created_user_id=support.user_id)
    _confirm(admin, appointment.appointment_id)
    invoice = Invoice.get(Appointment.get(appointment.appointment_id).invoice_id)
    booking = invoice.analytics_data.as_dict()["operation_data"]["bookingDetails"]
    assert booking["bookedBy"] == "STAFF"
    assert booking["bookedAt"] == str(appointment.created_at)


def test_revert_clears_payment_fields_and_repay_gives_a_new_invoice(admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    _confirm(admin, appointment.appointment_id)
    first = Appointment.get(appointment.appointment_id).invoice_id
    reverted = _confirm(admin, appointment.appointment_id, revert=True)
    assert reverted.status_code == 200
    assert reverted.json()["paymentStatus"] == "pending"
    stored = Appointment.get(appointment.appointment_id)
    assert stored.payment_status == "pending"
    assert stored.payment_method is None
    assert stored.payment_confirmed_by is None
    assert stored.payment_confirmed_at is None
    assert stored.invoice_id is None
    assert stored.payment_reverted_by == admin.user_id
    assert Invoice.get(first).status == "cancelled"
    assert len(_emails("payment_cancelled")) == 1
    assert _confirm(admin, appointment.appointment_id, revert=True).status_code == 400
    _confirm(admin, appointment.appointment_id, method="card")
    second = Appointment.get(appointment.appointment_id).invoice_id
    assert second != first
    assert Invoice.get(second).status == "generated"
    assert Invoice.get(second).invoice_number == 2
    assert Invoice.get(first).status == "cancelled"


def test_cancel_and_reactivate_keep_record_and_metadata_in_sync(admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    _confirm(admin, appointment.appointment_id)
    invoice_id = Appointment.get(appointment.appointment_id).invoice_id
    cancelled = admin.api().patch("/api/payments/invoices", {"invoice_id": invoice_id}, format="json")
    assert cancelled.status_code == 200
    body = cancelled.json()
    assert body["invoice"]["previousStatus"] == "generated"
    assert body["invoice"]["newStatus"] == "cancelled"
    assert body["performedBy"]["staffId"] == admin.user_id
    assert Appointment.get(appointment.appointment_id).payment_status == "cancelled"
    assert Invoice.get(invoice_id).metadata["paymentStatus"] == "cancelled"
    twice = admin.api().patch("/api/payments/invoices", {"invoice_id": invoice_id, "action": "CANCEL"}, format="json")
    assert twice.status_code == 400
    back = admin.api().patch(
        "/api/payments/invoices", {"invoice_id": invoice_id, "action": "reactivate"}, format="json"
    )
    assert back.status_code == 200
    assert Invoice.get(invoice_id).status == "generated"
    assert Invoice.get(invoice_id).metadata["paymentStatus"] == "completed"
    assert Invoice.get(invoice_id).cancelled_at is None
    assert Appointment.get(appointment.appointment_id).payment_status == "paid"
    assert {m.email_type for m in EmailMetadata.scan()} >= {"payment_cancelled", "payment_reactivated"}
    bad = admin.api().patch("/api/payments/invoices", {"invoice_id": invoice_id, "action": "delete"}, format="json")
    assert bad.status_code == 400
    missing = admin.api().patch("/api/payments/invoices", {"invoice_id": "INV-NOPE"}, format="json")
    assert missing.status_code == 404


def _served_pdf_text(persona, invoice_id: str) -> str:
    """The PDF a staff member downloads through the API, as text."""
    link = persona.api().get(f"/api/payments/invoices/{invoice_id}/pdf")
    assert link.status_code == 302
    served = APIClient().get(link["Location"])
    assert served.status_code == 200
    reader = PdfReader(io.BytesIO(b"".join(served.streaming_content) if served.streaming else served.content))
    return " ".join("\n".join(page.extract_text() for page in reader.pages).split())


def test_a_cancelled_invoice_pdf_says_it_is_cancelled(admin, customer, make_appointment):
    from autolab import clock

    appointment = make_appointment(created_user_id=customer.user_id)
    _confirm(admin, appointment.appointment_id)
    invoice_id = Appointment.get(appointment.appointment_id).invoice_id
    assert "CANCELLED" not in _served_pdf_text(admin, invoice_id)
    cancelled = admin.api().patch("/api/payments/invoices", {"invoice_id": invoice_id}, format="json")
    assert cancelled.status_code == 200
    today = clock.analytics_date(clock.from_epoch(Invoice.get(invoice_id).cancelled_at))
    text = _served_pdf_text(admin, invoice_id)
    assert f"CANCELLED on {today}: this invoice is void and no longer payable." in text
    assert f"Status: Cancelled on {today}" in text
    assert "Total (incl. GST) $280.00" in text  # the amounts stay as issued
    assert "CANCELLED" not in _pdf_text(Invoice.get(invoice_id))  # the issued PDF itself is kept unchanged
    back = admin.api().patch(
        "/api/payments/invoices", {"invoice_id": invoice_id, "action": "reactivate"}, format="json"
    )
    assert back.status_code == 200
    assert "CANCELLED" not in _served_pdf_text(admin, invoice_id)


def test_reactivating_is_refused_while_another_invoice_is_active(admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    _confirm(admin, appointment.appointment_id)
    old = Appointment.get(appointment.appointment_id).invoice_id
    _confirm(admin, appointment.appointment_id, revert=True)
    _confirm(admin, appointment.appointment_id)
    response = admin.api().patch("/api/payments/invoices", {"invoice_id": old, "action": "reactivate"}, format="json")
    assert response.status_code == 409
    assert Invoice.get(old).status == "cancelled"


def test_the_invoice_task_running_twice_keeps_one_invoice(admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    _confirm(admin, appointment.appointment_id)
    again = invoice_generate_for_record(reference_type="appointment", reference_number=appointment.appointment_id)
    assert again.invoice_id == Appointment.get(appointment.appointment_id).invoice_id
    assert len(list(Invoice.reference_index.query(appointment.appointment_id))) == 1
    assert len(_emails("payment_confirmed")) == 1


def test_concurrent_invoices_of_different_records_get_gap_free_numbers(admin, customer, make_appointment):
    appointments = [make_appointment(created_user_id=customer.user_id) for _ in range(4)]
    for appointment in appointments:
        Appointment.get(appointment.appointment_id).update(
            actions=[Appointment.payment_status.set("paid"), Appointment.payment_method.set("cash")]
        )
    barrier = threading.Barrier(len(appointments))

    def run(ref: str) -> None:
        barrier.wait()
        invoice_generate_for_record(reference_type="appointment", reference_number=ref)

    threads = [threading.Thread(target=run, args=(a.appointment_id,)) for a in appointments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = sorted(Invoice.get(Appointment.get(a.appointment_id).invoice_id).invoice_number for a in appointments)
    assert numbers == [1, 2, 3, 4]
    assert BillingKey.get("counter", "invoiceNumber").value == 4


def test_reconciler_invoices_paid_records_whose_enqueue_was_lost(admin, customer, make_appointment, monkeypatch):
    from billing import tasks
    from billing.services import payments

    appointment = make_appointment(created_user_id=customer.user_id)
    monkeypatch.setattr(payments, "_enqueue_invoice", lambda *args: None)  # the broker "lost" the message
    _confirm(admin, appointment.appointment_id)
    assert Appointment.get(appointment.appointment_id).invoice_id is None
    assert tasks.invoice_reconcile_task() == 0  # still inside the grace period
    monkeypatch.setattr(tasks, "RECONCILE_GRACE_SECONDS", -5)
    assert tasks.invoice_reconcile_task() == 1
    assert Appointment.get(appointment.appointment_id).invoice_id
    assert list(BillingKey.query("pending-invoice")) == []


def test_manual_invoice_is_validated_numbered_and_emailed(admin):
    body = {
        "payment_method": "cash",
        "customer_data": {"name": "Walk In", "email": "walk@example.com", "phone": "0400000000"},
        "transaction_data": {"payment_date": "15/01/2030"},
        "vehicle_data": {"make": "Mazda", "model": "3", "year": "2015"},
        "items": [
            {"name": "Standard Pre Purchase Inspection", "totalAmount": 220},
            {"name": "Winter Tyres", "unitPrice": 99.5, "quantity": 2},
        ],
    }
    response = admin.api().post("/api/payments/invoices", body, format="json")
    assert response.status_code == 200, response.json()
    result = response.json()
    assert result["reference_number"].startswith("cash_inv_")
    assert result["reference_number"] == result["payment_intent_id"]
    invoice = Invoice.get(result["invoice_id"])
    assert invoice.reference_type == "invoice_id"
    data = invoice.analytics_data.as_dict()["operation_data"]
    assert data["paymentDetails"] == {
        "payment_method": "cash",
        "amount": "419",
        "date": "15/01/2030",
        "paid_before_operation": 0,
    }
    assert data["bookingDetails"] == {"bookedBy": "NONE", "bookedDate": "", "bookedAt": ""}
    assert data["orders"] == [
        {"item_name": "Winter Tyres", "unit_price": "99.5", "quantity": "2", "total_price": "199"}
    ]
    assert data["effectiveDate"] == "15/01/2030"
    text = _pdf_text(invoice)
    assert "Tax invoice" in text
    assert "Winter Tyres Mazda 3 2015 2 $99.50 $180.91 $18.09 $199.00" in text
    assert "Net amount $380.91 Total GST $38.09 Total (incl. GST) $419.00" in text  # 419 / 11
    assert len(_emails("payment_confirmed")) == 1


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"payment_method": "bitcoin"}, "payment_method must be 'cash', 'bank_transfer', or 'card'"),
        ({"customer_data": {}}, "customer_data.name"),
        ({"items": [{"name": "x"}]}, "totalAmount or both unitPrice and quantity"),
        ({"items": [{"name": "x", "totalAmount": "220"}]}, "must be a JSON number"),
        ({"items": [{"name": "x", "totalAmount": -5}]}, "more than 0"),
        ({"items": []}, "items"),
        ({"transaction_data": {"payment_date": "someday"}}, "payment_date"),
    ],
)
def test_manual_invoice_bad_input_is_400_and_writes_nothing(admin, patch, message):
    body = {
        "payment_method": "card",
        "customer_data": {"name": "A"},
        "vehicle_data": {"make": "Mazda", "model": "3"},
        "items": [{"name": "Inspection", "totalAmount": 220}],
        **patch,
    }
    response = admin.api().post("/api/payments/invoices", body, format="json")
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert list(Invoice.scan()) == []
    assert list(BillingKey.scan()) == []


def test_invoice_list_by_date_range_with_cursor(admin, support, customer, make_appointment):
    days = ["2030-01-31", "2030-02-01", "2030-02-15", "2030-03-01"]
    for day in days:
        appointment = make_appointment(created_user_id=customer.user_id, scheduled_date=day)
        _confirm(admin, appointment.appointment_id)
    seen, cursor = [], ""
    while True:
        response = support.api().get(
            "/api/payments/invoices",
            {"start_date": "2030-01-01", "end_date": "2030-02-28", "limit": 2, "cursor": cursor},
        )
        assert response.status_code == 200
        body = response.json()
        seen += [i["analyticsData"]["operation_data"]["effectiveDate"] for i in body["invoices"]]
        cursor = body["nextCursor"]
        if not cursor:
            break
    assert seen == ["15/02/2030", "01/02/2030", "31/01/2030"]
    too_long = support.api().get("/api/payments/invoices", {"start_date": "2030-01-01", "end_date": "2030-06-01"})
    assert too_long.status_code == 400
    assert admin.api().get("/api/payments/invoices", {"start_date": "2030-01-01"}).status_code == 400


def test_pdf_link_is_authorised_and_expiring(admin, customer, make_appointment, anon, mechanic):
    appointment = make_appointment(created_user_id=customer.user_id)
    _confirm(admin, appointment.appointment_id)
    url = Appointment.get(appointment.appointment_id).invoice_url
    staff_link = admin.api().get(url)
    assert staff_link.status_code == 302
    pdf = APIClient().get(staff_link["Location"])
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")
    assert anon.get(url).status_code == 404
    assert mechanic.api().get(url).status_code == 404
    assert anon.get(url, {"userId": customer.user_id}).status_code == 302
    assert APIClient().get("/api/files/forged-token").status_code == 404


def test_cancelling_an_appointment_cancels_its_active_invoice(admin, support, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    _confirm(admin, appointment.appointment_id)
    invoice_id = Appointment.get(appointment.appointment_id).invoice_id
    body = {"status": "CANCELLED"}
    response = support.api().patch(f"/api/appointments/{appointment.appointment_id}", body, format="json")
    assert response.status_code == 200, response.json()
    assert Invoice.get(invoice_id).status == "cancelled"
    assert list(BillingKey.query("active-invoice")) == []
    assert _emails("payment_cancelled") == []  # automatic cancellation sends no invoice email


def test_cancelling_an_order_cancels_its_active_invoice(admin, support, customer, make_order):
    order = make_order(created_user_id=customer.user_id)
    _confirm(admin, order.order_id, kind="order")
    invoice_id = Order.get(order.order_id).invoice_id
    response = support.api().patch(f"/api/orders/{order.order_id}", {"status": "CANCELLED"}, format="json")
    assert response.status_code == 200, response.json()
    assert Invoice.get(invoice_id).status == "cancelled"
    assert list(BillingKey.query("active-invoice")) == []


def test_rescheduling_a_paid_record_moves_its_active_invoice(admin, customer, make_appointment):
    from billing.invoices import invoice_effective_date_update
    from billing.selectors import invoices_in_range

    appointment = make_appointment(created_user_id=customer.user_id, scheduled_date="2030-01-10")
    _confirm(admin, appointment.appointment_id)
    invoice_id = invoice_effective_date_update(
        reference_type="appointment", reference_number=appointment.appointment_id, scheduled_date="2030-02-20"
    )
    invoice = Invoice.get(invoice_id)
    assert invoice.analytics_data.as_dict()["operation_data"]["effectiveDate"] == "20/02/2030"
    assert [i.invoice_id for i in invoices_in_range(dt.date(2030, 2, 1), dt.date(2030, 2, 28))] == [invoice_id]
    assert list(invoices_in_range(dt.date(2030, 1, 1), dt.date(2030, 1, 31))) == []


def _downloaded_pdf(persona, invoice_id: str) -> tuple[str, list]:
    """The invoice as staff download it: its text (whitespace folded) and its link annotations."""
    link = persona.api().get(f"/api/payments/invoices/{invoice_id}/pdf")
    assert link.status_code == 302
    data = APIClient().get(link["Location"]).content
    reader = PdfReader(io.BytesIO(data))
    text = " ".join("\n".join(page.extract_text() for page in reader.pages).split())
    annotations = [a.get_object() for page in reader.pages for a in page.get("/Annots") or []]
    links = [a for a in annotations if "/URI" in (a.get("/A") or {})] + ([b"/URI"] if b"/URI" in data else [])
    return text, links


def test_customer_text_is_printed_literally_not_as_pdf_markup(admin, customer, make_appointment):
    """#20.5: a name with markup neither breaks the invoice nor adds a clickable link."""
    link = '<a href="https://evil.example">x</a>'
    appointment = make_appointment(created_user_id=customer.user_id, buyer_name=link, car_make="Dan <b>unclosed")
    assert _confirm(admin, appointment.appointment_id).status_code == 200
    text, links = _downloaded_pdf(admin, Appointment.get(appointment.appointment_id).invoice_id)
    assert f"Billed to {link}" in text
    assert "Dan <b>unclosed Camry 2020" in text
    assert links == []


def test_a_manual_invoice_for_a_name_with_an_unclosed_tag_renders(admin):
    body = {
        "payment_method": "cash",
        "customer_data": {"name": "Dan <b>unclosed", "email": "dan@example.com", "phone": "0400000000"},
        "transaction_data": {"payment_date": "15/01/2030"},
        "vehicle_data": {"make": "Mazda", "model": "3", "year": "2015"},
        "items": [{"name": 'Tyres <a href="https://evil.example">x</a> & <font size=40>', "totalAmount": 110}],
    }
    response = admin.api().post("/api/payments/invoices", body, format="json")
    assert response.status_code == 200, response.json()
    text, links = _downloaded_pdf(admin, response.json()["invoice_id"])
    assert "Billed to Dan <b>unclosed dan@example.com" in text
    assert 'Tyres <a href="https://evil.example">x</a> & <font size=40>' in text
    assert links == []


def test_a_business_not_registered_for_gst_issues_a_plain_invoice(admin, customer, make_appointment, settings):
    """#17.4: without GST registration the document is an "Invoice" with no GST column or totals."""
    settings.GST_REGISTERED = False
    appointment = make_appointment(created_user_id=customer.user_id)
    assert _confirm(admin, appointment.appointment_id).status_code == 200
    text = _pdf_text(Invoice.get(Appointment.get(appointment.appointment_id).invoice_id))
    assert text.startswith("Invoice ")
    assert "Tax invoice" not in text
    for gst_text in ("GST (10%)", "Total GST", "Prices include GST"):
        assert gst_text not in text
    assert "Total $280.00" in text
    assert "Not registered for GST: no GST is included." in text
