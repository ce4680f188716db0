"""The shop's panel of the staff dashboard: open orders still to be paid."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from autolab.permissions import Permission, StaffIdentity
from shop import selectors
from staffapp.sites import portal_site

SHOWN = 5  # the newest ones; the orders list has the rest


@portal_site.register_panel(
    name="unpaid-orders",
    title="Unpaid orders",
    template="shop/dashboard/unpaid_orders.html",
    permissions=(Permission.ORDER_VIEW_ALL,),
    refresh_on=("order.created", "order.updated", "payment.confirmed", "payment.reverted", "payment.refunded"),
    order=60,
)
def unpaid_orders_panel(staff: StaffIdentity) -> dict[str, Any]:
    orders = selectors.orders_unpaid()
    total = sum((order.total_price for order in orders), Decimal(0))
    return {"orders": orders[:SHOWN], "count": len(orders), "total": total}
