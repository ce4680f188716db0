"""The OpenAPI schema describes the bodies billing's endpoints really answer (success paths)."""

from __future__ import annotations

from rest_framework.test import APIClient

from autolab import clock
from tests.contract.schema_check import assert_documented


def _intent(customer_id: str, ref: str, kind: str = "appointment") -> object:
    body = {"userId": customer_id, "referenceNumber": ref, "type": kind, "currency": "aud"}
    return APIClient().post("/api/payments/stripe/intent", body, format="json")


def test_stripe_intent_confirm_and_webhook(fake_stripe, customer, make_appointment, make_order, send_webhook):
    appointment = make_appointment(created_user_id=customer.user_id)
    intent = _intent(customer.user_id, appointment.appointment_id)
    assert_documented(intent, "post", "/api/payments/stripe/intent")
    intent_id = intent.json()["paymentIntentId"]
    fake_stripe.succeed(intent_id)
    for _ in range(2):  # confirmed, then "already confirmed"
        confirmed = APIClient().post("/api/payments/stripe/confirm", {"paymentIntentId": intent_id}, format="json")
        assert_documented(confirmed, "post", "/api/payments/stripe/confirm")

    order = make_order(created_user_id=customer.user_id)
    order_intent = _intent(customer.user_id, order.order_id, kind="order").json()["paymentIntentId"]
    obj = fake_stripe.succeed(order_intent)
    for _ in range(2):  # processed, then a duplicate
        delivered = send_webhook("payment_intent.succeeded", obj, event_id="evt_schema")
        assert_documented(delivered, "post", "/api/payments/stripe/webhook")


def test_manual_payment_invoices_and_actions(admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    body = {"referenceNumber": appointment.appointment_id, "type": "appointment", "paymentMethod": "cash"}
    confirmed = admin.api().post("/api/payments/confirm", body, format="json")
    assert_documented(confirmed, "post", "/api/payments/confirm")

    today = clock.business_today().isoformat()
    listed = admin.api().get(f"/api/payments/invoices?start_date={today}&end_date={today}")
    assert listed.json()["count"] == 1
    assert_documented(listed, "get", "/api/payments/invoices")
    invoice_id = listed.json()["invoices"][0]["invoiceId"]
    for action in ("cancel", "reactivate"):
        changed = admin.api().patch(
            "/api/payments/invoices", {"invoice_id": invoice_id, "action": action}, format="json"
        )
        assert changed.status_code == 200, changed.json()
        assert_documented(changed, "patch", "/api/payments/invoices")

    reverted = admin.api().post("/api/payments/confirm", {**body, "revert": True}, format="json")
    assert_documented(reverted, "post", "/api/payments/confirm")


def test_manual_invoice(admin):
    body = {
        "payment_method": "card",
        "customer_data": {"name": "Walk In", "email": "walk@example.com"},
        "vehicle_data": {"make": "Mazda", "model": "3", "year": "2015"},
        "transaction_data": {"payment_date": "15/01/2030"},
        "items": [{"name": "Inspection", "totalAmount": 220}, {"name": "Tyre", "unitPrice": 99.5, "quantity": 2}],
    }
    created = admin.api().post("/api/payments/invoices", body, format="json")
    assert created.status_code == 200, created.json()
    assert_documented(created, "post", "/api/payments/invoices")
    listed = admin.api().get("/api/payments/invoices?start_date=2030-01-15&end_date=2030-01-15")
    assert_documented(listed, "get", "/api/payments/invoices")


def test_analytics_quick_and_comprehensive(admin):
    quick = admin.api().get("/api/analytics?quick_metrics=true&days_back=7")
    assert_documented(quick, "get", "/api/analytics")
    full = admin.api().get("/api/analytics?start_date=2030-01-01&end_date=2030-01-31&analytics_type=revenue")
    assert full.status_code == 200, full.json()
    assert_documented(full, "get", "/api/analytics")
