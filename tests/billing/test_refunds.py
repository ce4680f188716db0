"""Refunds through the API and Stripe's webhooks: card against the fake Stripe, cash, exactly once,
each with its adjustment note (PDF read back, emailed once)."""

from __future__ import annotations

import io
import threading
import time

import pytest
from pypdf import PdfReader
from rest_framework.test import APIClient

from autolab import storage
from billing.models import AdjustmentNote, Invoice, Refund
from bookings.models import Appointment
from emails.models import EmailMetadata
from tests.billing.test_stripe import _intent


def _paid_by_card(fake_stripe, customer, make_appointment, send_webhook) -> tuple[str, str]:
    appointment = make_appointment(created_user_id=customer.user_id)
    intent_id = _intent(APIClient(), customer.user_id, appointment.appointment_id).json()["paymentIntentId"]
    assert send_webhook("payment_intent.succeeded", fake_stripe.succeed(intent_id)).status_code == 200
    return appointment.appointment_id, intent_id


def _refund(persona, ref: str, method: str = "card", key: str | None = None, **body: object):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    payload = {"referenceNumber": ref, "type": "appointment", "method": method, **body}
    return persona.api().post("/api/payments/refunds", payload, format="json", **headers)


def _notes(ref: str) -> list[AdjustmentNote]:
    return list(AdjustmentNote.reference_index.query(ref))


def test_partial_then_full_card_refund_through_stripe(admin, fake_stripe, customer, make_appointment, send_webhook):
    ref, intent_id = _paid_by_card(fake_stripe, customer, make_appointment, send_webhook)
    invoice = Invoice.get(Appointment.get(ref).invoice_id)
    first = _refund(admin, ref, amount=55, reason="Wiper blades not fitted", key="k-1")
    assert first.status_code == 201, first.json()
    assert (first.json()["status"], first.json()["amount"]) == ("succeeded", 55)
    assert [r["amount"] for r in fake_stripe.refunds.values()] == [5500]
    assert Appointment.get(ref).payment_status == "paid"  # partly refunded: still paid
    rest = _refund(admin, ref, key="k-2")  # no amount: all that is left
    assert (rest.status_code, rest.json()["amount"]) == (201, 225)
    assert Appointment.get(ref).payment_status == "refunded"
    notes = sorted(_notes(ref), key=lambda n: n.note_number)
    assert [(n.note_number, n.amount_cents, n.gst_cents) for n in notes] == [(1, 5500, 500), (2, 22500, 2045)]
    assert {n.invoice_number for n in notes} == {invoice.invoice_number}
    assert Invoice.get(invoice.invoice_id).status == "generated"  # the original is never edited
    # Stripe's own webhooks for them change nothing more.
    assert send_webhook("charge.refunded", fake_stripe.charge_of(intent_id)).status_code == 200
    assert (len(list(Refund.reference_index.query(ref))), len(_notes(ref))) == (2, 2)
    too_much = _refund(admin, ref, amount=1, key="k-3")
    assert too_much.status_code == 400
    assert "left to refund" in too_much.json()["message"]


def test_cash_refund_records_who_and_how_and_mails_the_note_pdf(admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    ref = appointment.appointment_id
    body = {"referenceNumber": ref, "type": "appointment", "paymentMethod": "cash"}
    assert admin.api().post("/api/payments/confirm", body, format="json").status_code == 200
    invoice = Invoice.get(Appointment.get(ref).invoice_id)
    response = _refund(admin, ref, method="cash", amount=110, notes="Cash at the counter", reason="Goodwill")
    assert response.status_code == 201, response.json()
    refund = Refund.get(response.json()["refundId"])
    assert (refund.method, refund.status, refund.refunded_by, refund.notes) == (
        "cash",
        "succeeded",
        admin.identity.user_id,
        "Cash at the counter",
    )
    note = AdjustmentNote.get(refund.adjustment_note_id)
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(storage.read(note.s3_key))).pages).split())
    assert "Adjustment note" in text
    assert f"Adjustment note number: {note.note_number}" in text
    assert f"Original invoice: Tax invoice {invoice.invoice_number}" in text
    assert "GST adjusted (10%) $10.00" in text
    assert "Total adjusted (incl. GST) $110.00" in text
    mails = [m for m in EmailMetadata.scan() if m.email_type == "payment_refunded"]
    assert len(mails) == 1
    card = _refund(admin, ref, method="card", amount=1)
    assert (card.status_code, "Stripe payment" in card.json()["message"]) == (400, True)


def test_a_business_not_registered_for_gst_issues_a_credit_note_without_gst(
    admin, customer, make_appointment, settings
):
    settings.GST_REGISTERED = False
    ref = make_appointment(created_user_id=customer.user_id).appointment_id
    body = {"referenceNumber": ref, "type": "appointment", "paymentMethod": "cash"}
    assert admin.api().post("/api/payments/confirm", body, format="json").status_code == 200
    invoice = Invoice.get(Appointment.get(ref).invoice_id)
    response = _refund(admin, ref, method="cash", amount=110, reason="Goodwill")
    assert response.status_code == 201, response.json()
    note = AdjustmentNote.get(Refund.get(response.json()["refundId"]).adjustment_note_id)
    assert (note.amount_cents, note.gst_cents) == (11000, 0)
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(storage.read(note.s3_key))).pages).split())
    assert f"Credit note number: {note.note_number}" in text
    assert f"Original invoice: Invoice {invoice.invoice_number}" in text
    assert "Total credited $110.00" in text
    assert ("GST" in text, "Adjustment note" in text, "Tax invoice" in text) == (False, False, False)


def test_bad_amounts_and_roles_are_refused(admin, support, customer, make_appointment):
    ref = make_appointment(created_user_id=customer.user_id).appointment_id
    assert _refund(support, ref, method="cash", amount=10).status_code == 403
    unpaid = _refund(admin, ref, method="cash", amount=10)
    assert (unpaid.status_code, unpaid.json()["message"]) == (400, "Only a paid record can be refunded")
    for amount in (-5, 0, "10", 2_000_000):
        assert _refund(admin, ref, method="cash", amount=amount).status_code == 400


def test_dashboard_refund_lands_with_its_note(fake_stripe, customer, make_appointment, send_webhook):
    ref, intent_id = _paid_by_card(fake_stripe, customer, make_appointment, send_webhook)
    made = fake_stripe.refund(intent_id, 2800)
    for _ in range(2):  # refund.created, then charge.refunded: one refund
        send_webhook("refund.created", made)
        send_webhook("charge.refunded", fake_stripe.charge_of(intent_id))
    (refund,) = Refund.reference_index.query(ref)
    assert (refund.refund_id, refund.amount_cents, refund.refunded_by) == (f"RF-{made['id']}", 2800, "stripe-dashboard")
    assert [n.amount_cents for n in _notes(ref)] == [2800]


# Committed auth data: the racing threads read the admin's token on their own DB connections.
@pytest.mark.django_db(transaction=True)
def test_api_double_click_and_webhook_race_to_one_refund(admin, fake_stripe, customer, make_appointment, send_webhook):
    ref, intent_id = _paid_by_card(fake_stripe, customer, make_appointment, send_webhook)
    barrier = threading.Barrier(5)
    statuses: list[int] = []

    def api(key: str) -> None:
        client = admin.api()
        barrier.wait()
        body = {"referenceNumber": ref, "type": "appointment", "method": "card"}
        statuses.append(client.post("/api/payments/refunds", body, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code)

    def webhook() -> None:
        barrier.wait()
        deadline = time.monotonic() + 3
        while not fake_stripe.refunds and time.monotonic() < deadline:  # Stripe's event follows its refund
            time.sleep(0.002)
        for refund in list(fake_stripe.refunds.values()):
            send_webhook("refund.updated", refund, client=APIClient())

    # Two clicks of one form (same key), a second request for the full amount, and webhooks.
    threads = [threading.Thread(target=api, args=(key,)) for key in ("form-1", "form-1", "api-2")]
    threads += [threading.Thread(target=webhook) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    send_webhook("charge.refunded", fake_stripe.charge_of(intent_id))
    assert len(fake_stripe.refunds) == 1
    (refund,) = Refund.reference_index.query(ref)
    assert (refund.status, refund.amount_cents) == ("succeeded", 28000)
    assert len(_notes(ref)) == 1
    # The form's two clicks answer alike; whichever request lost the money is told so (400).
    assert sorted(statuses) in ([201, 201, 400], [201, 400, 400])
