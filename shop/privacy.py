"""Anonymising a customer's parts orders (Australian Privacy Principle 11.2).

The customer's name, email, phone, delivery address and free-text notes are replaced with the
placeholders of ``autolab.privacy``; items, prices, payment fields and the invoice link stay, so the
tax invoice still matches. Safe to run again: an order already anonymised is not written twice.
"""

from __future__ import annotations

from pynamodb.expressions.update import Action

from autolab import privacy, search
from autolab.privacy import ANONYMISED_EMAIL, ANONYMISED_NAME, ANONYMISED_PHONE, REMOVED
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


# The stored names of what is personal, as audit entries name them (autolab.audit.history_redact).
PERSONAL_FIELDS = frozenset(getattr(Order, name).attr_name for name in _PLACEHOLDERS) | {"searchText"}


def orders_anonymise(user_id: str) -> int:
    """Anonymise every order of ``user_id``; the number written (0 once all are done)."""
    written = 0
    for order in selectors.orders_of_customer(user_id):
        written += privacy.anonymise_record(order, _actions, _reread, label=f"Order {order.order_id}")
        search.reindex(searching.KIND, order.order_id)  # its search entries lose the contact details too
    return written


def _reread(order: Order) -> Order | None:
    return selectors.order_get(order.order_id)


def _actions(order: Order) -> list[Action]:
    return privacy.placeholder_actions(order, _PLACEHOLDERS)
