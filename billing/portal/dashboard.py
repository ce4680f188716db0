"""Billing's panel of the staff dashboard: today's takings, as analytics counts them (the day's
non-cancelled invoices), by payment method."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from autolab import clock
from autolab.permissions import Permission, StaffIdentity
from billing import selectors
from billing.pdf import method_label
from staffapp.sites import portal_site


@portal_site.register_panel(
    name="takings",
    title="Today's takings",
    template="billing/dashboard/takings.html",
    permissions=(Permission.ANALYTICS_VIEW,),
    refresh_on=("invoice.generated", "invoice.cancelled", "invoice.reactivated", "payment.refunded"),
    order=70,
)
def takings_panel(staff: StaffIdentity) -> dict[str, Any]:
    today = clock.business_today()
    txns, invoices = selectors.analytics_transactions(today, today)
    by_method: dict[str, Decimal] = defaultdict(Decimal)
    for txn in txns:
        by_method[method_label(txn.method)] += txn.amount
    return {
        "total": sum(by_method.values(), Decimal(0)),
        "invoices": invoices,
        "methods": sorted(by_method.items(), key=lambda item: (-item[1], item[0])),
        "today": today,
    }
