"""Customers, chat messages and inquiries: every write and rule."""

from __future__ import annotations

import uuid

from autolab import clock
from chat.models import Customer


def customer_register(
    *,
    user_email: str | None = None,
    user_name: str | None = None,
    contact_number: str | None = None,
    user_device: str | None = None,
    user_location: str | None = None,
) -> Customer:
    """Issue a new customer id (UUID4). Only the server ever creates customer ids."""
    customer = Customer(
        user_id=str(uuid.uuid4()),
        user_email=user_email or None,
        user_name=user_name or None,
        contact_number=contact_number or None,
        user_device=user_device or None,
        user_location=user_location or None,
        created_at=clock.epoch_now(),
    )
    customer.save(condition=Customer.user_id.does_not_exist())
    return customer
