"""Shop rules: pricing, the daily order limit, order changes by field group, and the catalogue.

Original behaviour: original-backend-behaviour.md §1.14-1.15, §3.3, §3.4, §3.7, with ARCHITECTURE
§5 (per-group authorisation, atomic limits, optimistic locking, correct statuses).
"""

from shop.services.catalogue import PricedLine, category_rename, item_price_add, item_price_change, price_lines
from shop.services.changes import EDITABLE_STATUSES, allowed_transitions, may_write_post_notes, order_update
from shop.services.notifications import email_context
from shop.services.orders import ORDERS_DAILY_LIMIT, order_create

__all__ = [
    "EDITABLE_STATUSES",
    "ORDERS_DAILY_LIMIT",
    "PricedLine",
    "allowed_transitions",
    "category_rename",
    "email_context",
    "item_price_add",
    "item_price_change",
    "may_write_post_notes",
    "order_create",
    "order_update",
    "price_lines",
]
