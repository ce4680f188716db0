"""The OpenAPI schema describes the bodies the shop endpoints really answer (success paths)."""

from __future__ import annotations

import pytest

from tests.contract.schema_check import assert_documented

pytestmark = pytest.mark.django_db

DETAIL = "/api/orders/{order_id}"


def test_catalogue(catalogue, anon) -> None:
    response = anon.get("/api/items")
    assert response.json()["items"]
    assert_documented(response, "get", "/api/items")


def test_order_create_read_list_and_update(place_order, customer, anon, support, mechanic) -> None:
    created = place_order(customer.user_id)
    assert_documented(created, "post", "/api/orders")
    order_id = created.json()["orderId"]
    body = {"scheduledDate": "2030-01-02", "assignedMechanicId": mechanic.user_id, "notes": "Leave at the door"}
    updated = support.api().patch(f"/api/orders/{order_id}", body, format="json")
    assert updated.status_code == 200, updated.json()
    assert_documented(updated, "patch", DETAIL)
    for client, query in ((anon, {"userId": customer.user_id}), (support.api(), {})):
        detail = client.get(f"/api/orders/{order_id}", query)
        assert detail.status_code == 200, detail.json()
        assert_documented(detail, "get", DETAIL)
        listed = client.get("/api/orders", query)
        assert listed.json()["count"] == 1
        assert_documented(listed, "get", "/api/orders")
    assert "assignedMechanic" in support.api().get(f"/api/orders/{order_id}").json()
