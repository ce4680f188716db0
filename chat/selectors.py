"""Reads of customers, connections, messages and inquiries: always by key or index."""

from __future__ import annotations

from chat.models import Customer


def customer_get(user_id: str) -> Customer | None:
    if not user_id or not isinstance(user_id, str) or len(user_id) > 64:
        return None
    try:
        return Customer.get(user_id)
    except Customer.DoesNotExist:
        return None
