"""The only module that talks to Stripe (the official SDK, pointed at STRIPE_API_BASE)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings
from stripe.params import PaymentIntentCreateParams

from autolab import parsers
from autolab.exceptions import ServiceUnavailable, ValidationError


@dataclass(frozen=True)
class Intent:
    id: str
    status: str
    amount: int
    amount_received: int
    currency: str
    client_secret: str | None
    payment_method: str | None
    metadata: dict[str, str]
    latest_charge_id: str | None = None
    receipt_url: str | None = None


def _client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=2,
    )


def _intent(resource: Any) -> Intent:
    obj = resource.to_dict() if hasattr(resource, "to_dict") else dict(resource)
    payment_method = obj.get("payment_method")
    if isinstance(payment_method, dict):
        payment_method = payment_method.get("id")
    return Intent(
        id=obj["id"],
        status=obj.get("status") or "",
        amount=int(obj.get("amount") or 0),
        amount_received=int(obj.get("amount_received") or 0),
        currency=(obj.get("currency") or "aud").lower(),
        client_secret=obj.get("client_secret"),
        payment_method=payment_method,
        metadata=dict(obj.get("metadata") or {}),
        **charge_fields(obj),
    )


def event_intent(obj: dict[str, Any]) -> Intent:
    """The intent a ``payment_intent.*`` webhook event carries (its fields checked by ``event_construct``)."""
    return Intent(
        id=obj["id"],
        status=obj.get("status", ""),
        amount=int(obj.get("amount") or 0),
        amount_received=int(obj.get("amount_received") or 0),
        currency=(obj.get("currency") or "").lower(),
        client_secret=None,
        payment_method=obj.get("payment_method"),
        metadata=obj.get("metadata") or {},
        **charge_fields(obj),
    )


def charge_fields(obj: dict[str, Any]) -> dict[str, str | None]:
    """``latest_charge_id`` and ``receipt_url`` of an intent object (webhook or API answer).

    ``latest_charge`` is an id unless expanded; API versions before 2022-11-15 sent ``charges``.
    """
    charge = obj.get("latest_charge")
    if isinstance(charge, dict):
        return {"latest_charge_id": charge.get("id"), "receipt_url": charge.get("receipt_url")}
    legacy = (obj.get("charges") or {}).get("data") if isinstance(obj.get("charges"), dict) else None
    if isinstance(legacy, list) and legacy and isinstance(legacy[0], dict):
        return {"latest_charge_id": legacy[0].get("id"), "receipt_url": legacy[0].get("receipt_url")}
    return {"latest_charge_id": charge if isinstance(charge, str) else None, "receipt_url": None}


def receipt_url(intent: Intent) -> str | None:
    """The card receipt of a paid intent, read from its charge when the intent only names it.

    Best effort: the payment stands without a receipt link if Stripe cannot be reached now.
    """
    if intent.receipt_url or not intent.latest_charge_id:
        return intent.receipt_url
    try:
        charge = _client().v1.charges.retrieve(intent.latest_charge_id)
    except stripe.StripeError:
        return None
    return charge.to_dict().get("receipt_url")


def intent_create(*, amount_cents: int, currency: str, metadata: dict[str, str], idempotency_key: str) -> Intent:
    """Create a PaymentIntent for exactly ``amount_cents``."""
    params: PaymentIntentCreateParams = {
        "amount": amount_cents,
        "currency": currency,
        "metadata": metadata,
        "automatic_payment_methods": {"enabled": True},
    }
    try:
        obj = _client().v1.payment_intents.create(params=params, options={"idempotency_key": idempotency_key})
    except stripe.InvalidRequestError as error:
        raise ValidationError(f"Stripe refused the payment: {error.user_message or error}") from error
    except stripe.StripeError as error:
        raise ServiceUnavailable("The payment provider is unavailable; please try again") from error
    return _intent(obj)


def intent_retrieve(intent_id: str) -> Intent:
    try:
        obj = _client().v1.payment_intents.retrieve(intent_id)
    except stripe.InvalidRequestError as error:
        raise ValidationError("Invalid payment intent") from error
    except stripe.StripeError as error:
        raise ServiceUnavailable("The payment provider is unavailable; please try again") from error
    return _intent(obj)


def intent_cancel(intent_id: str) -> None:
    try:
        _client().v1.payment_intents.cancel(intent_id)
    except stripe.StripeError:
        return  # best effort: an orphaned intent simply expires unpaid at Stripe


@dataclass(frozen=True)
class StripeRefund:
    id: str
    payment_intent: str
    amount: int
    status: str  # pending | requires_action | succeeded | failed | canceled
    metadata: dict[str, str]


def _refund(resource: Any) -> StripeRefund:
    obj = resource.to_dict() if hasattr(resource, "to_dict") else dict(resource)
    return StripeRefund(
        id=obj["id"],
        payment_intent=obj.get("payment_intent") or "",
        amount=int(obj.get("amount") or 0),
        status=obj.get("status") or "",
        metadata=dict(obj.get("metadata") or {}),
    )


def refund_create(*, intent_id: str, amount_cents: int, metadata: dict[str, str], idempotency_key: str) -> StripeRefund:
    """Refund ``amount_cents`` of a paid intent; the key makes a retried call return the same refund."""
    params: Any = {"payment_intent": intent_id, "amount": amount_cents, "metadata": metadata}
    try:
        obj = _client().v1.refunds.create(params=params, options={"idempotency_key": idempotency_key})
    except stripe.InvalidRequestError as error:
        raise ValidationError(f"Stripe refused the refund: {error.user_message or error}") from error
    except stripe.StripeError as error:
        raise ServiceUnavailable("The payment provider is unavailable; please try again") from error
    return _refund(obj)


def refunds_of(intent_id: str) -> list[StripeRefund]:
    """Every refund Stripe holds for an intent (ours and the dashboard's), newest first."""
    try:
        page = _client().v1.refunds.list(params={"payment_intent": intent_id, "limit": 100})
    except stripe.StripeError as error:
        raise ServiceUnavailable("The payment provider is unavailable; please try again") from error
    return [_refund(item) for item in page.data]


def event_construct(payload: bytes, signature: str | None) -> dict[str, Any]:
    """The verified event as a plain dict; ValidationError for a missing or bad signature, and for a
    signed body that is not an event we can act on (nothing is written for it)."""
    if not signature:
        raise ValidationError("Missing Stripe signature")
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature, settings.STRIPE_WEBHOOK_SECRET, stripe.Webhook.DEFAULT_TOLERANCE
        )
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise ValidationError("Invalid Stripe signature") from error
    try:
        event = parsers.loads(payload)
    except ValueError as error:
        raise ValidationError(f"Stripe event is not JSON: {error}") from error
    problem = _event_problem(event)
    if problem:
        raise ValidationError(f"Not a Stripe event: {problem}")
    return event


# Fields the webhook handlers read from ``data.object``, by event family, with the types they need.
_OBJECT_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "payment_intent.": {
        "id": (str,),
        "status": (str,),
        "amount": (int,),
        "amount_received": (int,),
        "currency": (str,),
        "metadata": (dict,),
        "payment_method": (str,),
    },
    "charge.": {"id": (str,), "payment_intent": (str,)},
    "refund.": {"id": (str,), "payment_intent": (str,)},
}
_REQUIRED_OBJECT_FIELDS = ("id",)
_TYPE_NAMES = {str: "string", int: "integer", dict: "object"}


def _event_problem(event: Any) -> str | None:
    """Why ``event`` is not a well-formed event envelope, or None when it is."""
    if not isinstance(event, dict):
        return "the body is not a JSON object"
    for name in ("id", "type"):
        if not isinstance(event.get(name), str) or not event[name]:
            return f"{name} must be a non-empty string"
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        return "data.object must be an object"
    fields = next((f for prefix, f in _OBJECT_FIELDS.items() if event["type"].startswith(prefix)), {})
    obj = data["object"]
    for name, types in fields.items():
        value = obj.get(name)
        if value is None and name not in _REQUIRED_OBJECT_FIELDS:
            continue
        if not isinstance(value, types) or isinstance(value, bool):
            kind = " or ".join(_TYPE_NAMES[t] for t in types)
            return f"data.object.{name} must be {'an' if kind[0] in 'aeiou' else 'a'} {kind}"
    return None
