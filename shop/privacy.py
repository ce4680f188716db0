"""Anonymising a customer's parts orders (Australian Privacy Principle 11.2).

The customer's name, email, phone, delivery address and free-text notes are replaced with the
placeholders of ``autolab.privacy``; items, prices, payment fields and the invoice link stay, so the
tax invoice still matches. Safe to run again: an order already anonymised is not written twice.
"""

from __future__ import annotations

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from autolab import search
from autolab.dynamodb import condition_failed
from autolab.privacy import ANONYMISED_EMAIL, ANONYMISED_NAME, ANONYMISED_PHONE, REMOVED, placeholder_for
from shop import searching, selectors
from shop.models import Order

_PLACEHOLDERS = {
    "customer_name": ANONYMISED_NAME,
    "customer_email": ANONYMISED_EMAIL,
    "customer_phone": ANONYMISED_PHONE,
    "delivery_location": REMOVED,
    "notes": REMOVED,
    "post_notes": REMOVED,
}
_ATTEMPTS = 3  # a staff edit landing in between bumps the version: read again and redo


def orders_anonymise(user_id: str) -> int:
    """Anonymise every order of ``user_id``; the number written (0 once all are done)."""
    written = 0
    for order in selectors.orders_of_customer(user_id):
        written += _anonymise(order)
        search.reindex(searching.KIND, order.order_id)  # its search entries lose the contact details too
    return written


def _anonymise(order: Order) -> bool:
    for _ in range(_ATTEMPTS):
        actions = _actions(order)
        if not actions:
            return False
        try:
            order.update(actions=actions)  # conditional on the version PynamoDB read
            return True
        except UpdateError as error:
            fresh = selectors.order_get(order.order_id) if condition_failed(error) else None
            if fresh is None:
                raise
            order = fresh
    raise RuntimeError(f"Order {order.order_id} kept changing; run the anonymisation again")


def _actions(order: Order) -> list[Action]:
    actions: list[Action] = []
    for name, placeholder in _PLACEHOLDERS.items():
        value = getattr(order, name)
        wanted = placeholder_for(value, placeholder)
        if value != wanted:
            actions.append(getattr(Order, name).set(wanted))
    return actions
