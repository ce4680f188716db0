"""A correctly signed Stripe webhook whose body is not an event: 400 with a message, nothing written
(issue 13 item 5, issue 20 item 13)."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from billing import keys
from shop.models import Order
from tests.billing.conftest import WEBHOOK_SECRET
from tests.billing.fake_stripe import sign

URL = "/api/payments/stripe/webhook"


def _deliver(payload: bytes) -> object:
    return APIClient().generic(
        "POST", URL, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(payload, WEBHOOK_SECRET)
    )


def _event(obj: object, **envelope: object) -> bytes:
    return json.dumps(
        {"id": "evt_bad", "type": "payment_intent.succeeded", "data": {"object": obj}, **envelope}
    ).encode()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"[]", "Not a Stripe event: the body is not a JSON object"),
        (b"null", "Not a Stripe event: the body is not a JSON object"),
        (b'"evt_1"', "Not a Stripe event: the body is not a JSON object"),
        (b"{}", "Not a Stripe event: id must be a non-empty string"),
        (b'{"id": 7, "type": "payment_intent.succeeded"}', "Not a Stripe event: id must be a non-empty string"),
        (b'{"id": "evt_bad", "type": ["x"]}', "Not a Stripe event: type must be a non-empty string"),
        (b'{"id": "evt_bad", "type": "payment_intent.succeeded"}', "Not a Stripe event: data.object must be an object"),
        (_event([]), "Not a Stripe event: data.object must be an object"),
        (_event("pi_1"), "Not a Stripe event: data.object must be an object"),
        (_event({}), "Not a Stripe event: data.object.id must be a string"),
        (_event({"id": 12}), "Not a Stripe event: data.object.id must be a string"),
        (_event({"id": "pi_1", "amount": "lots"}), "Not a Stripe event: data.object.amount must be an integer"),
        (
            _event({"id": "pi_1", "amount_received": True}),
            "Not a Stripe event: data.object.amount_received must be an integer",
        ),
        (_event({"id": "pi_1", "metadata": "x"}), "Not a Stripe event: data.object.metadata must be an object"),
        (_event({"id": "pi_1", "currency": 36}), "Not a Stripe event: data.object.currency must be a string"),
        (_event({"id": 5}, type="charge.refunded"), "Not a Stripe event: data.object.id must be a string"),
        (
            _event({"id": "ch_1", "payment_intent": {"id": "pi"}}, type="charge.refunded"),
            "Not a Stripe event: data.object.payment_intent must be a string",
        ),
        (b"[" * 50 + b"]" * 50, "Stripe event is not JSON: JSON is nested deeper than 32 levels"),
        (
            b'{"id": "evt_bad", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            "Stripe event is not JSON: JSON is nested deeper than 32 levels",
        ),
        (
            b"{not json",
            "Stripe event is not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
    ],
)
def test_a_signed_body_that_is_not_an_event_is_a_400_and_claims_nothing(fake_stripe, payload, message):
    response = _deliver(payload)

    assert response.status_code == 400
    assert response.json() == {"success": False, "message": message}
    assert keys.key_get(keys.STRIPE_EVENT, "evt_bad") is None


def test_after_a_malformed_event_the_real_one_with_its_id_is_still_processed(
    fake_stripe, customer, make_order, send_webhook
):
    order = make_order(created_user_id=customer.user_id)
    body = {"userId": customer.user_id, "referenceNumber": order.order_id, "type": "order", "currency": "aud"}
    intent_id = APIClient().post("/api/payments/stripe/intent", body, format="json").json()["paymentIntentId"]
    succeeded = fake_stripe.succeed(intent_id)

    bad = _deliver(_event({**succeeded, "amount_received": str(succeeded["amount_received"])}))
    assert bad.status_code == 400
    assert Order.get(order.order_id).payment_status == "pending"

    good = send_webhook("payment_intent.succeeded", succeeded, event_id="evt_bad")

    assert good.status_code == 200
    assert good.json() == {"success": True, "message": "Webhook processed successfully"}
    assert Order.get(order.order_id).payment_status == "paid"


def test_an_event_of_a_type_we_do_not_handle_is_acknowledged(fake_stripe, send_webhook):
    response = send_webhook("customer.created", {"id": "cus_1", "email": 5})

    assert response.status_code == 200
    assert response.json()["message"] == "Webhook processed successfully"
