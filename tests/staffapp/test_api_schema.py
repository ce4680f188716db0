"""The OpenAPI schema describes the bodies staffapp's and autolab's endpoints really answer."""

from __future__ import annotations

from decimal import Decimal

from rest_framework.test import APIClient

from bookings.models import ServicePrice
from tests.contract.schema_check import assert_documented


def test_token_me_and_roles(admin, clerk) -> None:
    token = APIClient().post("/api/auth/token", {"email": admin.email, "password": admin.password}, format="json")
    assert token.status_code == 200
    assert_documented(token, "post", "/api/auth/token")
    assert_documented(admin.api().get("/api/auth/me"), "get", "/api/auth/me")
    body = {"user_email": clerk.email, "roles": ["MECHANIC"]}
    changed = admin.api().post("/api/users/staff", body, format="json")
    assert changed.status_code == 200
    assert_documented(changed, "post", "/api/users/staff")


def test_prices_and_health(admin) -> None:
    ServicePrice(service_id=1, plan_id=1, service_name="Inspection", plan_name="Standard", price=Decimal(220)).save()
    prices = admin.api().get("/api/prices")
    assert prices.json()["servicePrices"]
    assert_documented(prices, "get", "/api/prices")
    assert_documented(APIClient().get("/api/health"), "get", "/api/health")
