"""What the API and the portal show: the comprehensive report (or one part), quick metrics, the
dashboard's new-vs-returning customers and its CSV rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from autolab import clock
from billing.analytics.blocks import (
    booking_analytics,
    customer_analytics,
    operational_metrics,
    payment_analytics,
    product_analytics,
    revenue_analytics,
    service_analytics,
    summary,
    trend_analytics,
    vehicle_analytics,
)
from billing.analytics.transactions import Adjustment, Txn, rounded, to_decimal

ANALYTICS_TYPES = {
    "revenue": ("summary", "revenue_analytics"),
    "services": ("service_analytics",),
    "products": ("product_analytics",),
    "customers": ("customer_analytics",),
    "vehicles": ("vehicle_analytics",),
    "payments": ("payment_analytics",),
    "bookings": ("booking_analytics",),
    "trends": ("trend_analytics",),
    "operations": ("operational_metrics",),
}


def comprehensive(
    txns: list[Txn],
    *,
    adjustments: Sequence[Adjustment],
    start: dt.date,
    end: dt.date,
    in_period: int,
    today: dt.date,
    analytics_type: str | None = None,
) -> dict[str, Any]:
    """Every block of §3.9 (or the ones ``analytics_type`` selects) plus period and metadata;
    revenue net of the period's ``adjustments`` (its adjustment notes)."""
    blocks = {
        "summary": lambda: summary(txns, adjustments),
        "revenue_analytics": lambda: revenue_analytics(txns, adjustments),
        "service_analytics": lambda: service_analytics(txns),
        "product_analytics": lambda: product_analytics(txns),
        "customer_analytics": lambda: customer_analytics(txns),
        "vehicle_analytics": lambda: vehicle_analytics(txns, today),
        "payment_analytics": lambda: payment_analytics(txns),
        "booking_analytics": lambda: booking_analytics(txns),
        "trend_analytics": lambda: trend_analytics(txns),
        "operational_metrics": lambda: operational_metrics(txns),
    }
    wanted = ANALYTICS_TYPES[analytics_type] if analytics_type else tuple(blocks)
    result: dict[str, Any] = {
        "period": {"start_date": start.isoformat(), "end_date": end.isoformat(), "total_days": (end - start).days + 1}
    }
    result.update({name: blocks[name]() for name in wanted})
    result["metadata"] = {
        "total_invoices_analyzed": len(txns),
        "total_invoices_in_period": in_period,
        "analysis_timestamp": clock.iso_local(),
        "currency": "AUD",
    }
    return result


def quick_metrics(
    txns: list[Txn], *, adjustments: Sequence[Adjustment], start: dt.date, end: dt.date, in_period: int, today: dt.date
) -> dict[str, Any]:
    full = comprehensive(txns, adjustments=adjustments, start=start, end=end, in_period=in_period, today=today)
    table = full["service_analytics"]["service_table"]
    top_service = (
        [table[0]["service"], rounded(to_decimal(table[0]["preBookedRevenue"]) + to_decimal(table[0]["walkInRevenue"]))]
        if table
        else ["N/A", 0]
    )
    products = full["product_analytics"]["top_revenue_products"]
    makes = full["vehicle_analytics"]["popular_makes"]
    top_make = next(iter(makes.items())) if makes else ("N/A", 0)
    return {
        "period": full["period"],
        "quick_metrics": {
            "total_revenue": full["summary"]["total_revenue"],
            "total_transactions": full["summary"]["total_transactions"],
            "average_transaction_value": full["summary"]["average_transaction_value"],
            "total_unique_customers": full["customer_analytics"]["total_unique_customers"],
            "top_service": top_service,
            "top_product": products[0] if products else ["N/A", 0],
            "most_common_vehicle_make": list(top_make),
            "preferred_payment_method": full["payment_analytics"]["preferred_payment_method"][0],
            "pre_booking_rate": full["booking_analytics"]["booking_statistics"]["pre_booking_rate"],
        },
        "metadata": full["metadata"],
    }


def new_vs_returning(txns: list[Txn]) -> dict[str, dict[str, int]]:
    """Per month: transactions by customers seen for the first time in the period, and by returning ones."""
    seen: set[str] = set()
    months: dict[str, dict[str, int]] = {}
    for t in sorted(txns, key=lambda t: t.day):
        if "@" not in t.customer:
            continue
        key = t.customer.strip().lower()
        month = months.setdefault(t.day.strftime("%Y-%m"), {"new": 0, "returning": 0})
        month["returning" if key in seen else "new"] += 1
        seen.add(key)
    return dict(sorted(months.items()))


def csv_rows(data: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """The dashboard as (section, key, value) rows for CSV export."""
    rows: list[tuple[str, str, Any]] = [("period", k, v) for k, v in data["period"].items()]
    rows += [("summary", k, v) for k, v in data["summary"].items() if not isinstance(v, dict)]
    rows += [("daily_revenue", k, v) for k, v in data["revenue_analytics"]["daily_breakdown"].items()]
    for day, refunds in data["revenue_analytics"]["daily_refunds"].items():
        rows += [("daily_refund_count", day, refunds["count"]), ("daily_refund_value", day, refunds["value"])]
    rows += [("payment_method_revenue", k, v) for k, v in data["revenue_analytics"]["payment_method_breakdown"].items()]
    rows += [
        ("service_revenue", r["service"], rounded(to_decimal(r["preBookedRevenue"]) + to_decimal(r["walkInRevenue"])))
        for r in data["service_analytics"]["service_table"]
    ]
    rows += [("product_revenue", k, v) for k, v in data["product_analytics"]["product_revenue_breakdown"].items()]
    rows += [("vehicle_make", k, v) for k, v in data["vehicle_analytics"]["popular_makes"].items()]
    rows += [("appointments_by_status", k, v) for k, v in data.get("appointments_by_status", {}).items()]
    for month, counts in data.get("customers_by_month", {}).items():
        rows += [("customers_new", month, counts["new"]), ("customers_returning", month, counts["returning"])]
    return rows
