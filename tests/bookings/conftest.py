"""Bookings fixtures: a small catalogue, customers, future dates and booking payloads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from autolab import clock
from bookings.models import ServicePrice


@pytest.fixture(autouse=True)
def catalogue() -> list[ServicePrice]:
    plans = [
        ServicePrice(
            service_id=1,
            plan_id=1,
            service_name="Pre Purchase Inspection",
            plan_name="Standard",
            price=Decimal("220"),
            duration_minutes=120,
            features=["Road test"],
            active=True,
        ),
        ServicePrice(
            service_id=1,
            plan_id=2,
            service_name="Pre Purchase Inspection",
            plan_name="Comprehensive",
            price=Decimal("280.50"),
            duration_minutes=180,
            features=["Road test", "OBD scan"],
            active=True,
        ),
        ServicePrice(
            service_id=6,
            plan_id=1,
            service_name="Accessories",
            plan_name="Fitting",
            price=Decimal("150"),
            duration_minutes=60,
            features=[],
            active=False,
        ),
    ]
    with ServicePrice.batch_write() as batch:  # one BatchWriteItem before every test here, not three PutItems
        for plan in plans:
            batch.save(plan)
    return plans


def future_day(days: int = 7) -> str:
    return (clock.business_today() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def customer_id() -> str:
    from chat.services import customer_register

    return customer_register(user_email="cara@example.com", user_name="Cara").user_id


@pytest.fixture
def other_customer_id() -> str:
    from chat.services import customer_register

    return customer_register(user_email="olly@example.com", user_name="Olly").user_id


def booking(**overrides: Any) -> dict[str, Any]:
    day = future_day()
    data: dict[str, Any] = {
        "serviceId": 1,
        "planId": 1,
        "isBuyer": True,
        "buyerData": {"name": "Cara Buyer", "email": "cara@example.com", "phoneNumber": "+61 412 345 678"},
        "carData": {"make": "Toyota", "model": "Corolla", "year": 2015, "location": "Perth"},
        "notes": "Please call first",
        "selectedSlots": [{"date": day, "start": "09:00", "end": "11:00", "priority": 1}],
    }
    data.update(overrides)
    return data


@pytest.fixture
def book(anon: APIClient, customer_id: str) -> Callable[..., str]:
    """Book as the customer; returns the new appointment id."""

    def create(**overrides: Any) -> str:
        response = anon.post(
            "/api/appointments", {"userId": customer_id, "appointmentData": booking(**overrides)}, format="json"
        )
        assert response.status_code == 200, response.json()
        return response.json()["appointmentId"]

    return create


@pytest.fixture
def capacity(settings: Any) -> Callable[[int], None]:
    def set_capacity(value: int) -> None:
        settings.BOOKING_CAPACITY = value

    return set_capacity


from tests.s3_stand_in import _s3_server, s3  # noqa: E402, F401  (the S3 stand-in for storage tests)
