"""Shop fixtures: the seed catalogue, customers and order bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from chat.models import Customer
from chat.services import customer_register
from emails.models import EmailMetadata
from shop import seeds
from shop.models import Order


@pytest.fixture
def catalogue() -> None:
    list(seeds.seed())


@pytest.fixture
def customer() -> Customer:
    return customer_register(user_name="Carla Customer", user_email="carla@example.com")


@pytest.fixture
def other_customer() -> Customer:
    return customer_register(user_name="Otto Other", user_email="otto@example.com")


def order_data(items: list[dict[str, Any]] | None = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "items": items
        if items is not None
        else [{"categoryId": 1, "itemId": 1, "quantity": 2}, {"categoryId": 2, "itemId": 2, "quantity": 1}],
        "customerData": {"name": "Carla Customer", "email": "carla@example.com", "phoneNumber": "0412 345 678"},
        "carData": {"make": "Toyota", "model": "Corolla", "year": 2018},
        "deliveryLocation": "12 Hay St, Perth WA 6000",
        "notes": "Leave at the front desk",
    }
    data.update(overrides)
    return data


@pytest.fixture
def place_order(catalogue: None) -> Callable[..., Any]:
    """POST an order as ``user_id`` (anonymous client unless ``client`` is given); returns the response."""

    def place(user_id: str | None, client: APIClient | None = None, **data: Any) -> Any:
        body: dict[str, Any] = {"orderData": order_data(**data)}
        if user_id is not None:
            body["userId"] = user_id
        return (client or APIClient()).post("/api/orders", body, format="json")

    return place


@pytest.fixture
def new_order(place_order: Callable[..., Any], customer: Customer) -> Callable[..., Order]:
    """Create an order for ``customer`` through the API and return the stored item."""

    def create(**data: Any) -> Order:
        response = place_order(customer.user_id, **data)
        assert response.status_code == 200, response.content
        return Order.get(response.json()["orderId"])

    return create


def outbox(email_type: str | None = None) -> list[dict[str, Any]]:
    """Queued customer emails (test-only Scan of a tiny table), with their decoded context."""
    records = [record for record in EmailMetadata.scan() if email_type is None or record.email_type == email_type]
    return [{"type": r.email_type, "to": set(r.to_emails or ()), **json.loads(r.context or "{}")} for r in records]
