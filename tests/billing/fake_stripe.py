"""A small Stripe-compatible HTTP server for the PaymentIntent endpoints the SDK calls.

It speaks Stripe's wire format (form-encoded requests, JSON answers, Stripe's error envelope),
so billing.stripe_api runs the real SDK against it through STRIPE_API_BASE.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from tests.local_servers import serve_in_background


def _nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's ``metadata[userId]=x`` form keys back into nested dicts."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        target = result
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return result


class FakeStripe:
    def __init__(self) -> None:
        self.intents: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.idempotent: dict[str, dict[str, Any]] = {}  # Idempotency-Key -> the answer given
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeStripe:
        serve_in_background(self.server)
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self.lock:
            self.intents.clear()
            self.charges.clear()
            self.refunds.clear()
            self.idempotent.clear()
            self.requests.clear()

    def succeed(self, intent_id: str, amount_received: int | None = None) -> dict[str, Any]:
        """What the customer's card payment does at Stripe."""
        with self.lock:
            intent = self.intents[intent_id]
            intent["status"] = "succeeded"
            intent["amount_received"] = intent["amount"] if amount_received is None else amount_received
            intent["payment_method"] = "pm_card_visa"
            # Since API version 2022-11-15 an intent names its charge; the receipt is on the charge.
            charge_id = f"ch_{uuid.uuid4().hex[:24]}"
            self.charges[charge_id] = {
                "id": charge_id,
                "object": "charge",
                "amount": intent["amount_received"],
                "currency": intent["currency"],
                "payment_intent": intent_id,
                "payment_method": "pm_card_visa",
                "paid": True,
                "status": "succeeded",
                "receipt_url": f"https://pay.stripe.com/receipts/payment/{charge_id}",
            }
            intent["latest_charge"] = charge_id
            return dict(intent)

    def refund(self, intent_id: str, amount: int, metadata: dict[str, str] | None = None) -> dict[str, Any]:
        """A refund made at Stripe (the dashboard's, when ``metadata`` names no refundId)."""
        with self.lock:
            return self._refund_create({"payment_intent": intent_id, "amount": str(amount), "metadata": metadata or {}})

    def charge_of(self, intent_id: str) -> dict[str, Any]:
        """The intent's charge as a ``charge.refunded`` event carries it."""
        with self.lock:
            return dict(self.charges[self.intents[intent_id]["latest_charge"]])

    def _refund_create(self, form: dict[str, Any]) -> dict[str, Any] | None:
        intent = self.intents.get(form.get("payment_intent", ""))
        if intent is None or intent["status"] != "succeeded":
            return None
        charge = self.charges[intent["latest_charge"]]
        amount = int(form.get("amount") or charge["amount"] - charge.get("amount_refunded", 0))
        if amount <= 0 or charge.get("amount_refunded", 0) + amount > charge["amount"]:
            return None
        refund_id = f"re_{uuid.uuid4().hex[:24]}"
        refund = {
            "id": refund_id,
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "charge": charge["id"],
            "status": "succeeded",
            "metadata": form.get("metadata", {}),
            "created": int(time.time()),
        }
        self.refunds[refund_id] = refund
        charge["amount_refunded"] = charge.get("amount_refunded", 0) + amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        return dict(refund)

    def _create(self, form: dict[str, Any]) -> dict[str, Any]:
        intent_id = f"pi_{uuid.uuid4().hex[:24]}"
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": int(form["amount"]),
            "amount_received": 0,
            "currency": form.get("currency", "aud"),
            "status": "requires_payment_method",
            "client_secret": f"{intent_id}_secret_{uuid.uuid4().hex[:12]}",
            "metadata": form.get("metadata", {}),
            "payment_method": None,
            "latest_charge": None,
            "created": int(time.time()),
            "livemode": False,
        }
        self.intents[intent_id] = intent
        return intent

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{uuid.uuid4().hex[:12]}")
                self.end_headers()
                self.wfile.write(data)

            def _missing(self, intent_id: str) -> None:
                self._reply(
                    404,
                    {
                        "error": {
                            "type": "invalid_request_error",
                            "code": "resource_missing",
                            "message": f"No such object: '{intent_id}'",
                        }
                    },
                )

            def do_GET(self) -> None:
                fake.requests.append(("GET", self.path))
                path, _, query = self.path.partition("?")
                if path == "/v1/refunds":
                    intent_id = dict(parse_qsl(query)).get("payment_intent")
                    with fake.lock:
                        found_refunds = [r for r in fake.refunds.values() if r["payment_intent"] == intent_id]
                    listed = sorted(found_refunds, key=lambda r: r["created"], reverse=True)
                    return self._reply(200, {"object": "list", "data": listed, "has_more": False, "url": path})
                object_id = path.rsplit("/", 1)[-1]
                with fake.lock:
                    found = (fake.charges if path.startswith("/v1/charges/") else fake.intents).get(object_id)
                self._reply(200, found) if found else self._missing(object_id)
                return None

            def do_POST(self) -> None:
                fake.requests.append(("POST", self.path))
                length = int(self.headers.get("Content-Length") or 0)
                form = _nest(parse_qsl(self.rfile.read(length).decode()))
                path = self.path.split("?")[0].rstrip("/")
                with fake.lock:
                    if path == "/v1/payment_intents":
                        return self._reply(200, fake._create(form))
                    if path == "/v1/refunds":
                        return self._refund_post(form)
                    if path.endswith("/cancel"):
                        intent_id = path.split("/")[-2]
                        if intent_id not in fake.intents:
                            return self._missing(intent_id)
                        fake.intents[intent_id]["status"] = "canceled"
                        return self._reply(200, fake.intents[intent_id])
                self._reply(404, {"error": {"type": "invalid_request_error", "message": "Unrecognized request URL"}})
                return None

            def _refund_post(self, form: dict[str, Any]) -> None:
                # Stripe answers a repeated Idempotency-Key with the first answer, never a second refund.
                key = self.headers.get("Idempotency-Key")
                if key and key in fake.idempotent:
                    return self._reply(200, fake.idempotent[key])
                refund = fake._refund_create(form)
                if refund is None:
                    error = {"type": "invalid_request_error", "message": "Refund amount exceeds the charge"}
                    return self._reply(400, {"error": error})
                if key:
                    fake.idempotent[key] = refund
                return self._reply(200, refund)

        return Handler


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header value as Stripe computes it."""
    stamp = timestamp or int(time.time())
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def event(event_type: str, obj: dict[str, Any], event_id: str | None = None) -> bytes:
    body = {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "type": event_type,
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }
    return json.dumps(body).encode()
