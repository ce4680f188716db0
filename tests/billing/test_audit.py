"""Audit trail of billing's staff writes: manual payment confirm and revert, invoice cancel and
reactivate, manual invoices; the invoice page shows its History."""

from __future__ import annotations

from autolab import audit
from bookings.models import Appointment


def _confirm(persona, ref: str, revert: bool = False):
    body = {"referenceNumber": ref, "type": "appointment", "paymentMethod": "cash", "revert": revert}
    response = persona.api().post("/api/payments/confirm", body, format="json")
    assert response.status_code == 200, response.json()


def _latest(record_type: str, record_id: str):
    return audit.history(record_type, record_id).entries[0]


def test_manual_payment_confirm_and_revert(admin, customer, make_appointment):
    appointment_id = make_appointment(created_user_id=customer.user_id).appointment_id
    _confirm(admin, appointment_id)
    paid = _latest("appointment", appointment_id)
    assert (paid.actor_id, paid.action) == (admin.user_id, "payment.confirm")
    assert paid.changed["paymentStatus"] == ["pending", "paid"]
    assert paid.changed["paymentMethod"] == [None, "cash"]
    _confirm(admin, appointment_id, revert=True)
    reverted = _latest("appointment", appointment_id)
    assert reverted.action == "payment.revert"
    assert reverted.changed["paymentStatus"] == ["paid", "pending"]
    assert reverted.changed["paymentMethod"] == ["cash", None]


def test_invoice_cancel_and_reactivate_and_the_invoice_page(admin, customer, make_appointment):
    appointment_id = make_appointment(created_user_id=customer.user_id).appointment_id
    _confirm(admin, appointment_id)
    invoice_id = Appointment.get(appointment_id).invoice_id
    assert admin.api().patch("/api/payments/invoices", {"invoice_id": invoice_id}, format="json").status_code == 200
    cancel = _latest("invoice", invoice_id)
    assert (cancel.actor_id, cancel.action, cancel.changed) == (
        admin.user_id,
        "invoice.cancel",
        {"status": ["generated", "cancelled"]},
    )
    body = {"invoice_id": invoice_id, "action": "reactivate"}
    assert admin.api().patch("/api/payments/invoices", body, format="json").status_code == 200
    back = _latest("invoice", invoice_id)
    assert (back.action, back.changed) == ("invoice.reactivate", {"status": ["cancelled", "generated"]})
    client = admin.portal()
    page = client.get(f"/admin/billing/invoices/{invoice_id}/")
    assert page.status_code == 200
    history = page.content.decode().split('id="audit-history"')[1]
    assert "invoice.reactivate" in history
    assert "invoice.cancel" in history


def test_manual_invoice_entry(admin):
    body = {
        "payment_method": "cash",
        "customer_data": {"name": "Walk In", "email": "walk@example.com", "phone": "0400000000"},
        "transaction_data": {},
        "vehicle_data": {"make": "Mazda", "model": "3", "year": "2015"},
        "items": [{"name": "Standard Pre Purchase Inspection", "totalAmount": 220}],
    }
    response = admin.api().post("/api/payments/invoices", body, format="json")
    assert response.status_code == 200, response.json()
    entry = _latest("invoice", response.json()["invoice_id"])
    assert (entry.actor_id, entry.action) == (admin.user_id, "invoice.create_manual")
    assert entry.changed["referenceNumber"] == [None, response.json()["reference_number"]]
    assert entry.changed["invoiceNumber"][0] is None
