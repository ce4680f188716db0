"""The record payments page's money history and its ADMIN refund action: a form, a confirmation
naming amount, method and recipient, then the refund service the API calls, exactly once."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.test import Client
from rest_framework.test import APIClient

from autolab.money import to_cents
from billing.adjustments.refunds import refunded_cents
from billing.models import AdjustmentNote, Invoice, Refund
from bookings.models import Appointment
from tests.billing.test_refunds import _paid_by_card


def _payments(record_id: str) -> str:
    return f"/admin/billing/payments/appointment/{record_id}/"


def _paid_in_cash(admin, customer, make_appointment) -> tuple[Client, str]:
    ref = make_appointment(created_user_id=customer.user_id).appointment_id
    client = admin.portal()
    assert client.post(_payments(ref), {"payment_method": "cash"}).status_code == 302
    return client, ref


def _form(client: Client, ref: str, **data: str) -> dict[str, str]:
    """The refund form as rendered (its idempotency key included), with ``data`` typed in."""
    page = client.get(_payments(ref) + "refund/").content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page).group(1)
    return {"amount": "280.00", "method": "cash", "reason": "Refund", "notes": "", "idempotency_key": key, **data}


def _refunds(ref: str) -> list[Refund]:
    return list(Refund.reference_index.query(ref))


def test_cash_refund_through_the_confirmation_then_history_lists_it_all(admin, customer, make_appointment):
    client, ref = _paid_in_cash(admin, customer, make_appointment)
    page = client.get(_payments(ref)).content.decode()
    assert 'id="refund-link"' in page
    assert "$280.00 left to refund" in page
    form_page = client.get(_payments(ref) + "refund/").content.decode()
    assert 'value="280.00"' in form_page  # all that is left, by default
    assert 'value="cash"' in form_page
    assert 'value="bank_transfer"' in form_page
    assert 'value="card"' not in form_page

    data = _form(client, ref, amount="80", reason="Wipers not fitted", notes="Cash at the counter")
    review = client.post(_payments(ref) + "refund/", data)
    assert review.status_code == 200
    html = review.content.decode()
    assert 'id="refund-amount">$80.00<' in html
    assert 'id="refund-method">Cash<' in html
    assert 'id="refund-recipient">Jane Buyer (jane@example.com)<' in html
    assert _refunds(ref) == []  # the review changes nothing

    done = client.post(_payments(ref) + "refund/", {**data, "confirm": "1"}, follow=True)
    assert done.redirect_chain == [(_payments(ref), 302)]
    assert b"Refund of $80.00 recorded." in done.content
    [refund] = _refunds(ref)
    assert (refund.amount_cents, refund.method, refund.status, refund.notes, refund.reason) == (
        8000,
        "cash",
        "succeeded",
        "Cash at the counter",
        "Wipers not fitted",
    )
    note = AdjustmentNote.get(refund.adjustment_note_id)
    invoice = Invoice.get(Appointment.get(ref).invoice_id)
    history = done.content.decode().split('id="money-history"')[1].split("</table>")[0]
    kinds = re.findall(r'data-label="What">([^<]+)<', history)
    assert sorted(kinds) == ["Adjustment note", "Invoice", "Payment", "Refund"]
    assert "Payment confirmed: Cash by Ada Admin" in history
    assert f">Tax invoice {invoice.invoice_number}</a>" in history
    assert "Refund by Cash by Ada Admin: Wipers not fitted" in history
    assert f'href="/admin/billing/notes/{note.note_id}/pdf/">Adjustment note {note.note_number}</a>' in history
    assert "$200.00 left to refund" in done.content.decode()
    pdf = client.get(f"/admin/billing/notes/{note.note_id}/pdf/")
    assert pdf.status_code == 302


def test_the_same_form_posted_twice_gives_one_refund_and_errors_are_messages(admin, customer, make_appointment):
    client, ref = _paid_in_cash(admin, customer, make_appointment)
    data = {**_form(client, ref, amount="100"), "confirm": "1"}
    first = client.post(_payments(ref) + "refund/", data)
    again = client.post(_payments(ref) + "refund/", data)  # a double click or a browser retry
    assert (first.status_code, again.status_code) == (302, 302)
    assert [r.amount_cents for r in _refunds(ref)] == [10000]
    assert len(list(AdjustmentNote.reference_index.query(ref))) == 1

    too_much = client.post(_payments(ref) + "refund/", {**_form(client, ref, amount="181"), "confirm": "1"})
    assert too_much.status_code == 200  # the service's refusal is a message, never a 500
    assert b"Amount is more than is left to refund ($180.00 of this payment)" in too_much.content
    assert [r.amount_cents for r in _refunds(ref)] == [10000]
    review = client.post(_payments(ref) + "refund/", _form(client, ref, amount="181"))
    assert b"That is more than is left to refund ($180.00)." in review.content


def test_support_neither_sees_nor_may_post_a_refund(admin, support, customer, make_appointment):
    _, ref = _paid_in_cash(admin, customer, make_appointment)
    client = support.portal()
    page = client.get(_payments(ref))
    assert page.status_code == 200
    assert b'id="refund-link"' not in page.content
    assert b'id="money-history"' in page.content  # the history is for whoever sees the payment
    assert client.get(_payments(ref) + "refund/").status_code == 403
    body = {"amount": "280", "method": "cash", "reason": "r", "idempotency_key": "k", "confirm": "1"}
    assert client.post(_payments(ref) + "refund/", body).status_code == 403
    assert _refunds(ref) == []


# Committed auth data: the racing threads read the admin's session and token on their own connections.
@pytest.mark.django_db(transaction=True)
def test_portal_refund_racing_an_api_refund_never_refunds_more_than_paid(admin, customer, make_appointment):
    client, ref = _paid_in_cash(admin, customer, make_appointment)
    data = {**_form(client, ref, amount="200"), "confirm": "1"}
    api = admin.api()
    barrier = threading.Barrier(3)
    statuses: list[int] = []

    def portal() -> None:
        barrier.wait()
        statuses.append(client.post(_payments(ref) + "refund/", data).status_code)

    def api_refund() -> None:
        barrier.wait()
        body = {"referenceNumber": ref, "type": "appointment", "method": "cash", "amount": 200}
        statuses.append(
            api.post("/api/payments/refunds", body, format="json", HTTP_IDEMPOTENCY_KEY="api-1").status_code
        )

    threads = [threading.Thread(target=portal), threading.Thread(target=portal), threading.Thread(target=api_refund)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refunds = _refunds(ref)
    assert [r.amount_cents for r in refunds] == [20000]  # 200 + 200 > 280: one of the two wins
    assert refunded_cents("appointment", ref) == 20000 <= to_cents(Appointment.get(ref).payment_amount)
    # The API first: both clicks of the form are refused with a message; the form first: one
    # refund for its two clicks and the API refused.
    assert sorted(statuses) in ([200, 200, 201], [302, 302, 400])


def test_card_paid_record_is_refunded_to_the_card_through_stripe(
    admin, fake_stripe, customer, make_appointment, send_webhook
):
    ref, intent_id = _paid_by_card(fake_stripe, customer, make_appointment, send_webhook)
    client = admin.portal()
    form_page = client.get(_payments(ref) + "refund/").content.decode()
    assert 'value="card"' in form_page
    assert 'value="cash"' not in form_page
    data = _form(client, ref, amount="30", method="card")
    review = client.post(_payments(ref) + "refund/", data).content.decode()
    assert f"the card that paid (Stripe payment {intent_id}), belonging to Jane Buyer" in review
    done = client.post(_payments(ref) + "refund/", {**data, "confirm": "1"}, follow=True)
    assert b"Refund of $30.00 recorded." in done.content
    assert [r["amount"] for r in fake_stripe.refunds.values()] == [3000]
    assert [(r.method, r.status) for r in _refunds(ref)] == [("card", "succeeded")]


@pytest.mark.django_db(transaction=True)
def test_portal_api_and_stripe_webhooks_at_once_refund_a_card_payment_once(
    admin, fake_stripe, customer, make_appointment, send_webhook
):
    """The portal's Refund… and an API refund of all of a card payment, with Stripe's webhooks for
    whichever refund reaches it: one Stripe refund, one Refund, one adjustment note."""
    ref, intent_id = _paid_by_card(fake_stripe, customer, make_appointment, send_webhook)
    client = admin.portal()
    data = {**_form(client, ref, method="card"), "confirm": "1"}  # all of it: $280.00
    api = admin.api()
    barrier = threading.Barrier(4)
    statuses: dict[str, int] = {}

    def portal() -> None:
        barrier.wait()
        statuses["portal"] = client.post(_payments(ref) + "refund/", data).status_code

    def api_refund() -> None:
        barrier.wait()
        body = {"referenceNumber": ref, "type": "appointment", "method": "card"}
        response = api.post("/api/payments/refunds", body, format="json", HTTP_IDEMPOTENCY_KEY="api-1")
        statuses["api"] = response.status_code

    def webhooks() -> None:
        barrier.wait()
        deadline = time.monotonic() + 3
        while not fake_stripe.refunds and time.monotonic() < deadline:  # Stripe's event follows its refund
            time.sleep(0.002)
        for refund in list(fake_stripe.refunds.values()):
            send_webhook("refund.updated", refund, client=APIClient())
        send_webhook("charge.refunded", fake_stripe.charge_of(intent_id), client=APIClient())

    threads = [threading.Thread(target=f) for f in (portal, api_refund, webhooks, webhooks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [r["amount"] for r in fake_stripe.refunds.values()] == [28000]
    [refund] = _refunds(ref)
    assert (refund.method, refund.status, refund.amount_cents) == ("card", "succeeded", 28000)
    [note] = AdjustmentNote.reference_index.query(ref)
    assert (note.refund_id, note.amount_cents) == (refund.refund_id, 28000)
    assert Invoice.get(Appointment.get(ref).invoice_id).adjusted_cents == 28000  # added once, for analytics
    # Whichever asked first refunded; the other was refused (the portal re-shows its form, 200).
    api_won = refund.idempotency_key == "api-1"
    assert statuses == ({"portal": 200, "api": 201} if api_won else {"portal": 302, "api": 400})
    assert Appointment.get(ref).payment_status == "refunded"
