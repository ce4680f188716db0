"""Billing fixtures: a fake Stripe server, the catalogue, customers, appointments and orders."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from autolab import clock
from bookings.models import Appointment, ServicePrice
from chat.models import Customer
from chat.services import customer_register
from shop.models import ItemPrice, Order, OrderLine
from tests.billing.fake_stripe import FakeStripe, event, sign

WEBHOOK_SECRET = "whsec_test_billing"


@pytest.fixture(scope="session")
def _stripe_server() -> Iterator[FakeStripe]:
    server = FakeStripe().start()
    yield server
    server.stop()


@pytest.fixture
def fake_stripe(_stripe_server: FakeStripe, settings: Any) -> FakeStripe:
    settings.STRIPE_API_BASE = _stripe_server.url
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    _stripe_server.reset()
    return _stripe_server


@pytest.fixture
def catalogue() -> None:
    plans = ((1, "Standard Pre Purchase Inspection", "220"), (2, "Comprehensive Pre Purchase Inspection", "280"))
    parts = ((1, "Engines & Parts", "V8 Engine", "150"), (2, "Tyres & Wheels", "Winter Tyres", "99.95"))
    service = {"service_id": 1, "service_name": "Pre Purchase Inspection"}
    # One BatchWriteItem per table before most tests here, not a PutItem per item.
    with ServicePrice.batch_write() as batch:
        for plan_id, name, price in plans:
            batch.save(ServicePrice(**service, plan_id=plan_id, plan_name=name, price=Decimal(price)))
    with ItemPrice.batch_write() as batch:
        for n, category, name, price in parts:
            batch.save(
                ItemPrice(category_id=n, item_id=n, category_name=category, item_name=name, price=Decimal(price))
            )


@pytest.fixture
def customer() -> Customer:
    return customer_register(user_email="jane@example.com", user_name="Jane Buyer")


@pytest.fixture
def make_appointment(catalogue: None) -> Callable[..., Appointment]:
    def create(
        *, created_user_id: str, plan_id: int = 2, scheduled_date: str | None = None, **extra: Any
    ) -> Appointment:
        prices = {1: Decimal("220"), 2: Decimal("280")}
        now = clock.epoch_now()
        appointment = Appointment(
            appointment_id=str(uuid.uuid4()),
            service_id=1,
            plan_id=plan_id,
            is_buyer=True,
            buyer_name="Jane Buyer",
            buyer_email="jane@example.com",
            buyer_phone="0412345678",
            seller_name="",
            seller_email="",
            seller_phone="",
            car_make="Toyota",
            car_model="Camry",
            car_year="2020",
            car_location="Welshpool",
            created_user_id=created_user_id,
            status="PENDING",
            price=prices[plan_id],
            payment_status="pending",
            scheduled_date=scheduled_date,
            created_at=now,
            created_date=clock.business_date_str(),
            updated_at=now,
        )
        for key, value in extra.items():
            setattr(appointment, key, value)
        appointment.save()
        return appointment

    return create


@pytest.fixture
def make_order(catalogue: None) -> Callable[..., Order]:
    def create(*, created_user_id: str, **extra: Any) -> Order:
        now = clock.epoch_now()
        lines = [
            OrderLine(category_id=1, item_id=1, quantity=2, unit_price=Decimal("150"), total_price=Decimal("300")),
            OrderLine(category_id=2, item_id=2, quantity=1, unit_price=Decimal("99.95"), total_price=Decimal("99.95")),
        ]
        order = Order(
            order_id=str(uuid.uuid4()),
            items=lines,
            customer_name="Oscar Orders",
            customer_email="oscar@example.com",
            customer_phone="0400111222",
            car_make="Honda",
            car_model="Civic",
            car_year="2019",
            delivery_location="1 Main St",
            created_user_id=created_user_id,
            status="PENDING",
            total_price=Decimal("399.95"),
            payment_status="pending",
            created_at=now,
            created_date=clock.business_date_str(),
            updated_at=now,
        )
        for key, value in extra.items():
            setattr(order, key, value)
        order.save()
        return order

    return create


@pytest.fixture
def send_webhook() -> Callable[..., Any]:
    def deliver(
        event_type: str,
        obj: dict[str, Any],
        *,
        event_id: str | None = None,
        client: APIClient | None = None,
        header: str = "HTTP_STRIPE_SIGNATURE",
    ) -> Any:
        payload = event(event_type, obj, event_id)
        return (client or APIClient()).generic(
            "POST",
            "/api/payments/stripe/webhook",
            payload,
            content_type="application/json",
            **{header: sign(payload, WEBHOOK_SECRET)},
        )

    return deliver
