"""One invoice as analytics sees it (``Txn``), read from its analyticsData, and the number rules
every block shares: amounts as Decimal, JSON numbers rounded to cents, percentages."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from autolab import clock
from autolab.money import json_number
from billing.models import InvoiceStatus

ZERO = Decimal(0)


def to_decimal(value: Any) -> Decimal:
    """Any stored amount as a finite Decimal; 0 for what is not a number (old or hand-made items)."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ZERO
    return amount if amount.is_finite() else ZERO


def rounded(value: Decimal | int | float) -> int | float:
    """A rounded (2 dp) JSON number."""
    return json_number(to_decimal(value))


def percent(part: Decimal | int, whole: Decimal | int) -> int | float:
    return rounded(Decimal(part) / Decimal(whole) * 100) if whole else 0


@dataclass
class Txn:
    """One invoice as analytics sees it."""

    day: dt.date
    amount: Decimal
    method: str
    customer: str
    booked_by: str
    booked_date: str
    paid_before: int
    make: str
    model: str
    year: str
    services: list[tuple[str, Decimal]] = field(default_factory=list)
    products: list[tuple[str, Decimal, int, Decimal]] = field(default_factory=list)  # name, unit, qty, total

    @property
    def is_pre_booked(self) -> bool:
        return self.booked_by != "NONE"


@dataclass(frozen=True)
class Adjustment:
    """One adjustment note as analytics sees it: money taken off revenue on the day it was issued."""

    day: dt.date
    amount: Decimal  # GST-inclusive, positive


def counts_in_revenue(status: str, adjusted_cents: int | None) -> bool:
    """Whether an invoice's sale is in revenue (gross, before adjustments).

    Revenue is net of adjustment notes, ATO-style: an invoice counts on its effective day and each
    note subtracts its amount in the period it is issued (its effectiveDay), never the invoice's.
    An active invoice counts. A cancelled one counts only when notes took money off it (a cancelled
    paid appointment: refunded, then cancelled): its sale happened and its notes subtract the
    refund, so the money comes off exactly once. A cancelled invoice without notes was voided: it
    never counts, and nothing is subtracted for it.
    """
    return status != InvoiceStatus.CANCELLED or bool(adjusted_cents)


def _day_of(data: dict[str, Any], created_at: int) -> dt.date:
    text = data.get("effectiveDate") or ""
    try:
        return dt.datetime.strptime(text, "%d/%m/%Y").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        return clock.to_local(clock.from_epoch(created_at)).date()


def transaction_of(analytics_data: dict[str, Any] | None, created_at: int) -> Txn | None:
    """The transaction of one invoice; None when it has no operation_data (counted, not analysed)."""
    data = (analytics_data or {}).get("operation_data")
    if not data:
        return None
    payment = data.get("paymentDetails") or {}
    vehicle = data.get("vehicleDetails") or {}
    booking = data.get("bookingDetails") or {}
    return Txn(
        day=_day_of(data, created_at),
        amount=to_decimal(payment.get("amount", 0)),
        method=payment.get("payment_method") or "unknown",
        customer=data.get("customerId") or "",
        booked_by=booking.get("bookedBy") or "NONE",
        booked_date=booking.get("bookedDate") or "",
        paid_before=int(to_decimal(payment.get("paid_before_operation", 0))),
        make=vehicle.get("make") or "",
        model=vehicle.get("model") or "",
        year=str(vehicle.get("year") or ""),
        services=[(s.get("service_name", ""), to_decimal(s.get("price"))) for s in data.get("services") or []],
        products=[
            (
                o.get("item_name", ""),
                to_decimal(o.get("unit_price")),
                int(to_decimal(o.get("quantity"))),
                to_decimal(o.get("total_price")),
            )
            for o in data.get("orders") or []
        ],
    )


def compact_of(analytics_data: dict[str, Any] | None) -> str | None:
    """``analyticsTxn`` for an invoice with this analyticsData (None when analytics skips it)."""
    txn = transaction_of(analytics_data, created_at=0)
    if txn is None:
        return None
    services = [[name, str(price)] for name, price in txn.services]
    products = [[name, str(unit), quantity, str(total)] for name, unit, quantity, total in txn.products]
    fields = [str(txn.amount), txn.method, txn.customer, txn.booked_by, txn.booked_date, txn.paid_before]
    return json.dumps([*fields, txn.make, txn.model, txn.year, services, products], separators=(",", ":"))


def transaction_of_compact(text: str, day: dt.date) -> Txn:
    """The transaction stored as ``analyticsTxn`` (see ``compact_of``), on its effective day."""
    amount, method, customer, booked_by, booked_date, paid_before, make, model, year, services, products = json.loads(
        text
    )
    return Txn(
        day=day,
        amount=Decimal(amount),
        method=method,
        customer=customer,
        booked_by=booked_by,
        booked_date=booked_date,
        paid_before=paid_before,
        make=make,
        model=model,
        year=year,
        services=[(name, Decimal(price)) for name, price in services],
        products=[(name, Decimal(unit), quantity, Decimal(total)) for name, unit, quantity, total in products],
    )
