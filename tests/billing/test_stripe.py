from __future__ import annotations

import threading
from decimal import Decimal

from rest_framework.test import APIClient

from billing.models import BillingKey, Invoice, Payment
from bookings.models import Appointment
from shop.models import Order


def _intent(client: APIClient, customer_id: str, ref: str, kind: str = "appointment", **extra: object):
    body = {"userId": customer_id, "referenceNumber": ref, "type": kind, "currency": "aud", **extra}
    return client.post("/api/payments/stripe/intent", body, format="json")


def _active_invoices(ref: str) -> list[Invoice]:
    return [i for i in Invoice.reference_index.query(ref) if i.status == "generated"]


def test_intent_uses_the_record_price_and_stores_a_pending_payment(fake_stripe, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    response = _intent(APIClient(), customer.user_id, appointment.appointment_id, amount=28000)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["success"] is True
    assert body["amount"] == 28000
    assert body["clientSecret"].startswith(body["paymentIntentId"])
    assert fake_stripe.intents[body["paymentIntentId"]]["amount"] == 28000
    payment = Payment.get(body["paymentIntentId"])
    assert (payment.status, payment.amount, payment.type) == ("pending", Decimal("280"), "appointment")
    stored = Appointment.get(appointment.appointment_id)
    assert stored.payment_intent_id == body["paymentIntentId"]
    assert stored.payment_status == "pending"


def test_intent_without_amount_is_computed_by_the_server(fake_stripe, customer, make_order):
    order = make_order(created_user_id=customer.user_id)
    body = _intent(APIClient(), customer.user_id, order.order_id, kind="order").json()
    assert body["amount"] == 39995


def test_a_different_client_amount_is_refused_and_nothing_is_written(fake_stripe, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    response = _intent(APIClient(), customer.user_id, appointment.appointment_id, amount=100)
    assert response.status_code == 400
    assert "28000" in response.json()["message"]
    assert fake_stripe.intents == {}
    assert Appointment.get(appointment.appointment_id).payment_intent_id is None


def test_someone_elses_record_is_not_found(fake_stripe, customer, make_appointment):
    from chat.services import customer_register

    other = customer_register(user_email="mallory@example.com")
    appointment = make_appointment(created_user_id=customer.user_id)
    response = _intent(APIClient(), other.user_id, appointment.appointment_id)
    assert response.status_code == 404
    assert _intent(APIClient(), "not-a-user", appointment.appointment_id).status_code == 404


def test_intent_refused_for_paid_or_cancelled_records(fake_stripe, customer, make_appointment):
    paid = make_appointment(created_user_id=customer.user_id, payment_status="paid")
    cancelled = make_appointment(created_user_id=customer.user_id, status="CANCELLED")
    assert (
        _intent(APIClient(), customer.user_id, paid.appointment_id).json()["message"]
        == "Payment already confirmed for this record"
    )
    response = _intent(APIClient(), customer.user_id, cancelled.appointment_id)
    assert response.status_code == 400
    assert response.json()["message"] == "Appointment is cancelled and cannot be paid"


def test_bad_input_is_a_clear_400(fake_stripe, customer):
    response = APIClient().post(
        "/api/payments/stripe/intent",
        {"userId": customer.user_id, "referenceNumber": "x", "type": "car"},
        format="json",
    )
    assert response.status_code == 400
    assert "type" in response.json()["message"]


def test_confirm_marks_paid_once_and_produces_one_invoice(fake_stripe, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    intent_id = _intent(APIClient(), customer.user_id, appointment.appointment_id).json()["paymentIntentId"]
    not_yet = APIClient().post("/api/payments/stripe/confirm", {"paymentIntentId": intent_id}, format="json")
    assert not_yet.status_code == 400
    assert not_yet.json()["message"] == "Payment has not been completed successfully"
    fake_stripe.succeed(intent_id)
    first = APIClient().post("/api/payments/stripe/confirm", {"paymentIntentId": intent_id}, format="json")
    assert first.status_code == 200
    assert first.json()["message"] == "Payment confirmed successfully"
    second = APIClient().post("/api/payments/stripe/confirm", {"paymentIntentId": intent_id}, format="json")
    assert second.json()["message"] == "Payment already confirmed for this record"
    stored = Appointment.get(appointment.appointment_id)
    assert (stored.payment_status, stored.payment_method, stored.payment_amount) == ("paid", "stripe", Decimal("280"))
    assert stored.paid_at
    assert stored.invoice_id
    assert Payment.get(intent_id).status == "paid"
    assert [i.invoice_id for i in _active_invoices(appointment.appointment_id)] == [stored.invoice_id]


def test_confirm_refuses_a_short_payment(fake_stripe, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    intent_id = _intent(APIClient(), customer.user_id, appointment.appointment_id).json()["paymentIntentId"]
    fake_stripe.succeed(intent_id, amount_received=100)
    response = APIClient().post("/api/payments/stripe/confirm", {"paymentIntentId": intent_id}, format="json")
    assert response.status_code == 400
    assert Appointment.get(appointment.appointment_id).payment_status == "pending"


def test_confirm_refuses_an_intent_that_is_not_the_records_current_one(fake_stripe, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    old = _intent(APIClient(), customer.user_id, appointment.appointment_id).json()["paymentIntentId"]
    _intent(APIClient(), customer.user_id, appointment.appointment_id)
    fake_stripe.succeed(old)
    response = APIClient().post("/api/payments/stripe/confirm", {"paymentIntentId": old}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "Payment intent ID does not match record"


def test_unknown_intent_is_a_400(fake_stripe):
    response = APIClient().post("/api/payments/stripe/confirm", {"paymentIntentId": "pi_nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid payment intent"


def test_webhook_signature_is_required_and_checked(fake_stripe, send_webhook):
    payload = b'{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {}}}'
    missing = APIClient().generic("POST", "/api/payments/stripe/webhook", payload, content_type="application/json")
    assert missing.status_code == 400
    forged = APIClient().generic(
        "POST",
        "/api/payments/stripe/webhook",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE="t=1,v1=deadbeef",
    )
    assert forged.status_code == 400
    assert forged.json()["message"] == "Invalid Stripe signature"


def test_webhook_succeeded_marks_paid_and_duplicates_are_ignored(fake_stripe, customer, make_order, send_webhook):
    order = make_order(created_user_id=customer.user_id)
    intent_id = _intent(APIClient(), customer.user_id, order.order_id, kind="order").json()["paymentIntentId"]
    obj = fake_stripe.succeed(intent_id)
    first = send_webhook("payment_intent.succeeded", obj, event_id="evt_same")
    assert first.status_code == 200
    assert first.json()["message"] == "Webhook processed successfully"
    again = send_webhook("payment_intent.succeeded", obj, event_id="evt_same", header="HTTP_STRIPE_SIGNATURE")
    assert again.json().get("duplicate") is True
    stored = Order.get(order.order_id)
    assert stored.payment_status == "paid"
    assert stored.payment_amount == Decimal("399.95")
    assert len(_active_invoices(order.order_id)) == 1
    assert BillingKey.get("stripe-event", "evt_same")


def test_webhook_header_name_is_case_insensitive(fake_stripe, customer, make_order):
    from tests.billing.conftest import WEBHOOK_SECRET
    from tests.billing.fake_stripe import event, sign

    payload = event("payment_intent.created", {"id": "pi_x"})
    client = APIClient()
    response = client.generic(
        "POST",
        "/api/payments/stripe/webhook",
        payload,
        content_type="application/json",
        **{"HTTP_stripe-signature".upper().replace("-", "_"): sign(payload, WEBHOOK_SECRET)},
    )
    assert response.status_code == 200


def test_late_canceled_never_moves_a_paid_record_backwards(fake_stripe, customer, make_appointment, send_webhook):
    appointment = make_appointment(created_user_id=customer.user_id)
    intent_id = _intent(APIClient(), customer.user_id, appointment.appointment_id).json()["paymentIntentId"]
    obj = fake_stripe.succeed(intent_id)
    send_webhook("payment_intent.succeeded", obj)
    send_webhook("payment_intent.canceled", {**obj, "status": "canceled"})
    send_webhook("payment_intent.payment_failed", {**obj, "status": "requires_payment_method"})
    assert Appointment.get(appointment.appointment_id).payment_status == "paid"
    assert Payment.get(intent_id).status == "paid"
    assert len(_active_invoices(appointment.appointment_id)) == 1


def test_failed_and_canceled_mark_an_unpaid_record(fake_stripe, customer, make_appointment, send_webhook):
    appointment = make_appointment(created_user_id=customer.user_id)
    intent_id = _intent(APIClient(), customer.user_id, appointment.appointment_id).json()["paymentIntentId"]
    send_webhook("payment_intent.payment_failed", {"id": intent_id, "status": "requires_payment_method"})
    assert Appointment.get(appointment.appointment_id).payment_status == "failed"
    send_webhook("payment_intent.canceled", {"id": intent_id, "status": "canceled"})
    assert Appointment.get(appointment.appointment_id).payment_status == "cancelled"
    assert Payment.get(intent_id).status == "cancelled"


def test_refund_marks_refunded_and_cancels_the_invoice(fake_stripe, customer, make_appointment, send_webhook):
    appointment = make_appointment(created_user_id=customer.user_id)
    intent_id = _intent(APIClient(), customer.user_id, appointment.appointment_id).json()["paymentIntentId"]
    send_webhook("payment_intent.succeeded", fake_stripe.succeed(intent_id))
    invoice_id = Appointment.get(appointment.appointment_id).invoice_id
    response = send_webhook(
        "charge.refunded", {"id": "ch_1", "object": "charge", "payment_intent": intent_id, "refunded": True}
    )
    assert response.status_code == 200
    assert Appointment.get(appointment.appointment_id).payment_status == "refunded"
    assert Payment.get(intent_id).status == "refunded"
    invoice = Invoice.get(invoice_id)
    assert invoice.status == "cancelled"
    assert invoice.metadata["paymentStatus"] == "cancelled"
    assert invoice.cancelled_at


def test_five_duplicate_webhooks_and_a_confirm_race_to_one_paid_record_and_one_invoice(
    fake_stripe, customer, make_appointment, send_webhook
):
    appointment = make_appointment(created_user_id=customer.user_id)
    intent_id = _intent(APIClient(), customer.user_id, appointment.appointment_id).json()["paymentIntentId"]
    obj = fake_stripe.succeed(intent_id)
    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def webhook() -> None:
        barrier.wait()
        statuses.append(
            send_webhook("payment_intent.succeeded", obj, event_id="evt_dup", client=APIClient()).status_code
        )

    def confirm() -> None:
        barrier.wait()
        response = APIClient().post("/api/payments/stripe/confirm", {"paymentIntentId": intent_id}, format="json")
        statuses.append(response.status_code)

    threads = [threading.Thread(target=webhook) for _ in range(5)] + [threading.Thread(target=confirm)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 6
    stored = Appointment.get(appointment.appointment_id)
    assert stored.payment_status == "paid"
    active = _active_invoices(appointment.appointment_id)
    assert len(active) == 1
    assert len(list(Invoice.reference_index.query(appointment.appointment_id))) == 1
    assert active[0].invoice_number == 1


def test_webhook_succeeded_records_receipt_url_and_payment_method(fake_stripe, customer, make_order, send_webhook):
    order = make_order(created_user_id=customer.user_id)
    intent_id = _intent(APIClient(), customer.user_id, order.order_id, kind="order").json()["paymentIntentId"]
    obj = fake_stripe.succeed(intent_id)  # names its charge by id, as events since 2022-11-15 do
    assert send_webhook("payment_intent.succeeded", obj).status_code == 200
    payment = Payment.get(intent_id)
    assert payment.status == "paid"
    assert payment.receipt_url == fake_stripe.charges[obj["latest_charge"]]["receipt_url"]
    assert payment.receipt_url.startswith("https://pay.stripe.com/receipts/")
    assert payment.stripe_payment_method_id == "pm_card_visa"


def test_webhook_of_an_older_api_version_reads_the_receipt_from_charges(
    fake_stripe, customer, make_appointment, send_webhook
):
    appointment = make_appointment(created_user_id=customer.user_id)
    intent_id = _intent(APIClient(), customer.user_id, appointment.appointment_id).json()["paymentIntentId"]
    obj = fake_stripe.succeed(intent_id)
    charge = fake_stripe.charges[obj.pop("latest_charge")]
    legacy = {**obj, "charges": {"object": "list", "data": [charge]}}  # the field the original read
    assert send_webhook("payment_intent.succeeded", legacy).status_code == 200
    payment = Payment.get(intent_id)
    assert (payment.receipt_url, payment.stripe_payment_method_id) == (charge["receipt_url"], "pm_card_visa")


def test_confirm_records_receipt_url_and_payment_method(fake_stripe, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    intent_id = _intent(APIClient(), customer.user_id, appointment.appointment_id).json()["paymentIntentId"]
    obj = fake_stripe.succeed(intent_id)
    confirmed = APIClient().post("/api/payments/stripe/confirm", {"paymentIntentId": intent_id}, format="json")
    assert confirmed.status_code == 200
    payment = Payment.get(intent_id)
    assert payment.receipt_url == fake_stripe.charges[obj["latest_charge"]]["receipt_url"]
    assert payment.stripe_payment_method_id == "pm_card_visa"
