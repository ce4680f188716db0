"""The blocks of §3.9, each a pure function of the period's transactions."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from billing.analytics.transactions import ZERO, Adjustment, Txn, percent, rounded

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _top(counter: Mapping[str, Decimal | int], size: int = 10) -> list[list[Any]]:
    ordered = sorted(counter.items(), key=lambda pair: (-pair[1], pair[0]))[:size]
    return [[key, rounded(value)] for key, value in ordered]


def _top_dict(counter: dict[str, int], size: int = 10) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda p: (-p[1], p[0]))[:size])


def _peak(values: dict[str, Decimal]) -> list[Any]:
    if not values:
        return ["N/A", 0]
    key = max(values, key=lambda k: (values[k], k))
    return [key, rounded(values[key])]


def summary(txns: list[Txn], adjustments: Sequence[Adjustment]) -> dict[str, Any]:
    """Revenue is net of the period's adjustment notes (see ``counts_in_revenue``); the average sale,
    services and products describe the sales themselves, before refunds."""
    total = sum((t.amount for t in txns), ZERO)
    refunded = sum((a.amount for a in adjustments), ZERO)
    service = sum((price for t in txns for _, price in t.services), ZERO)
    product = sum((p[3] for t in txns for p in t.products), ZERO)
    pre = sum(1 for t in txns if t.is_pre_booked)
    return {
        "total_revenue": rounded(total - refunded),
        "gross_revenue": rounded(total),
        "refund_count": len(adjustments),
        "refund_value": rounded(refunded),
        "total_transactions": len(txns),
        "average_transaction_value": rounded(total / len(txns)) if txns else 0,
        "service_revenue": rounded(service),
        "product_revenue": rounded(product),
        "pre_booked_transactions": pre,
        "non_booked_transactions": len(txns) - pre,
        "service_vs_product_ratio": {
            "service_percentage": percent(service, total),
            "product_percentage": percent(product, total),
        },
    }


def _trend(daily: dict[str, Decimal]) -> dict[str, Any]:
    if len(daily) < 2:
        return {"growth_rate": 0, "trend": "no_data" if not daily else "insufficient_data"}
    keys = sorted(daily)
    first, last = daily[keys[0]], daily[keys[-1]]
    growth = (last - first) / first * 100 if first else ZERO
    trend = (
        "strong_growth" if growth > 5 else "moderate_growth" if growth > 0 else "stable" if growth > -5 else "declining"
    )
    return {
        "overall_growth_rate": rounded(growth),
        "trend": trend,
        "first_period_revenue": rounded(first),
        "last_period_revenue": rounded(last),
        "periods_analyzed": len(keys),
    }


def _refunds_by(adjustments: Sequence[Adjustment], period: Callable[[dt.date], str]) -> dict[str, dict[str, Any]]:
    counts: Counter[str] = Counter()
    values: dict[str, Decimal] = defaultdict(Decimal)
    for a in adjustments:
        counts[period(a.day)] += 1
        values[period(a.day)] += a.amount
    return {k: {"count": counts[k], "value": rounded(values[k])} for k in sorted(counts)}


def _month(day: dt.date) -> str:
    return day.strftime("%Y-%m")


def revenue_analytics(txns: list[Txn], adjustments: Sequence[Adjustment]) -> dict[str, Any]:
    """Daily and monthly revenue net of the adjustment notes issued on each day (a day with only
    a refund is negative), and the refunds' count and value per day and month. The payment-method
    breakdown is what was paid by each method, before refunds."""
    daily: dict[str, Decimal] = defaultdict(Decimal)
    monthly: dict[str, Decimal] = defaultdict(Decimal)
    methods: dict[str, Decimal] = defaultdict(Decimal)
    for t in txns:
        daily[t.day.isoformat()] += t.amount
        monthly[_month(t.day)] += t.amount
        methods[t.method] += t.amount
    for a in adjustments:
        daily[a.day.isoformat()] -= a.amount
        monthly[_month(a.day)] -= a.amount
    return {
        "daily_breakdown": {k: rounded(v) for k, v in sorted(daily.items())},
        "monthly_breakdown": {k: rounded(v) for k, v in sorted(monthly.items())},
        "daily_refunds": _refunds_by(adjustments, dt.date.isoformat),
        "monthly_refunds": _refunds_by(adjustments, _month),
        "payment_method_breakdown": {k: rounded(v) for k, v in sorted(methods.items())},
        "trend_analysis": _trend(daily),
        "peak_day": _peak(daily),
        "peak_month": _peak(monthly),
    }


def service_analytics(txns: list[Txn]) -> dict[str, Any]:
    rows: dict[str, dict[str, Any]] = {}
    for t in txns:
        for name, price in t.services:
            row = rows.setdefault(name, {"pre": 0, "pre_rev": ZERO, "walk": 0, "walk_rev": ZERO})
            prefix = "pre" if t.is_pre_booked else "walk"
            row[prefix] += 1
            row[f"{prefix}_rev"] += price
    table = [
        {
            "service": name,
            "preBookedCount": row["pre"],
            "preBookedRevenue": rounded(row["pre_rev"]),
            "walkInCount": row["walk"],
            "walkInRevenue": rounded(row["walk_rev"]),
            "preBookedRate": percent(row["pre"], row["pre"] + row["walk"]),
            "_total": row["pre_rev"] + row["walk_rev"],
        }
        for name, row in rows.items()
    ]
    table.sort(key=lambda r: (-r["_total"], r["service"]))
    for row in table:
        del row["_total"]
    return {"service_table": table, "total_unique_services": len(table)}


def product_analytics(txns: list[Txn]) -> dict[str, Any]:
    quantity: dict[str, int] = defaultdict(int)
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    categories: dict[str, dict[str, Any]] = {}
    for t in txns:
        for name, _unit, qty, total in t.products:
            quantity[name] += qty
            revenue[name] += total
            category = categories.setdefault((name.split() or [""])[0], {"count": 0, "revenue": ZERO, "quantity": 0})
            category["count"] += 1
            category["revenue"] += total
            category["quantity"] += qty
    return {
        "most_popular_products": _top(quantity),
        "product_revenue_breakdown": {k: rounded(v) for k, v in sorted(revenue.items())},
        "total_quantities_sold": dict(sorted(quantity.items())),
        "average_unit_prices": {k: rounded(revenue[k] / q) for k, q in sorted(quantity.items()) if q},
        "category_analysis": {
            k: {"count": v["count"], "revenue": rounded(v["revenue"]), "quantity": v["quantity"]}
            for k, v in sorted(categories.items())
        },
        "top_revenue_products": _top(revenue),
        "total_unique_products": len(quantity),
    }


def customer_analytics(txns: list[Txn]) -> dict[str, Any]:
    counts: dict[str, int] = defaultdict(int)
    values: dict[str, Decimal] = defaultdict(Decimal)
    for t in txns:
        if "@" in t.customer:
            key = t.customer.strip().lower()
            counts[key] += 1
            values[key] += t.amount
    unique = len(counts)
    repeat = sum(1 for n in counts.values() if n > 1)
    domains = Counter(email.split("@", 1)[1] for email in counts)
    return {
        "total_unique_customers": unique,
        "average_customer_value": rounded(sum(values.values(), ZERO) / unique) if unique else 0,
        "customer_transaction_counts": dict(sorted(counts.items())),
        "customer_lifetime_values": {k: rounded(v) for k, v in sorted(values.items())},
        "repeat_customers": repeat,
        "top_customers_by_revenue": _top(values),
        "customer_retention_rate": percent(repeat, unique),
        "domain_analysis": _top_dict(domains),
    }


def _age_bucket(age: int) -> str:
    for limit, label in ((2, "0-2 years"), (5, "3-5 years"), (10, "6-10 years"), (15, "11-15 years")):
        if age <= limit:
            return label
    return "16+ years"


def vehicle_analytics(txns: list[Txn], today: dt.date) -> dict[str, Any]:
    makes: Counter[str] = Counter()
    models: Counter[str] = Counter()
    years: Counter[str] = Counter()
    combos: Counter[str] = Counter()
    ages: list[int] = []
    buckets = dict.fromkeys(("0-2 years", "3-5 years", "6-10 years", "11-15 years", "16+ years"), 0)
    for t in txns:
        if t.make:
            makes[t.make] += 1
        if t.model:
            models[t.model] += 1
        if t.make and t.model:
            combos[f"{t.make} {t.model}"] += 1
        if len(t.year) == 4 and t.year.isdigit() and 1900 <= int(t.year) <= today.year:
            years[t.year] += 1
            age = today.year - int(t.year)
            if 0 <= age < 100:
                ages.append(age)
                buckets[_age_bucket(age)] += 1
    return {
        "popular_makes": _top_dict(makes),
        "popular_models": _top_dict(models),
        "popular_years": _top_dict(years),
        "popular_make_model_combinations": _top_dict(combos),
        "average_vehicle_age": rounded(Decimal(sum(ages)) / len(ages)) if ages else 0,
        "total_unique_makes": len(makes),
        "total_unique_models": len(models),
        "vehicle_age_distribution": buckets,
    }


def payment_analytics(txns: list[Txn]) -> dict[str, Any]:
    counts: Counter = Counter(t.method for t in txns)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for t in txns:
        totals[t.method] += t.amount
    before = sum(1 for t in txns if t.paid_before == 1)
    after = len(txns) - before
    preferred = _top(dict(counts), 1)
    return {
        "payment_method_distribution": dict(sorted(counts.items())),
        "payment_timing_analysis": {"before_operation": before, "after_operation": after},
        "average_amounts_by_method": {k: rounded(v / counts[k]) for k, v in sorted(totals.items())},
        "payment_timing_percentage": {
            "before_operation_percentage": percent(before, len(txns)),
            "after_operation_percentage": percent(after, len(txns)),
        },
        "preferred_payment_method": preferred[0] if preferred else ["N/A", 0],
    }


def booking_analytics(txns: list[Txn]) -> dict[str, Any]:
    types: Counter = Counter(t.booked_by for t in txns)
    staff = types.get("STAFF", 0)
    walk_in = types.get("NONE", 0)
    user = len(txns) - staff - walk_in
    days: dict[str, int] = dict.fromkeys(WEEKDAYS, 0)
    for t in txns:
        try:
            days[WEEKDAYS[dt.date.fromisoformat(t.booked_date).weekday()]] += 1
        except ValueError:
            continue
    busiest = max(days, key=lambda d: days[d]) if any(days.values()) else "N/A"
    return {
        "booking_type_distribution": dict(sorted(types.items())),
        "booking_statistics": {
            "staff_initiated": staff,
            "user_initiated": user,
            "walk_in_non_booked": walk_in,
            "pre_booking_rate": percent(staff + user, len(txns)),
        },
        "booking_day_patterns": days,
        "popular_booking_day": busiest,
    }


def _iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _weekly_growth(weekly: dict[str, dict[str, Any]]) -> Decimal:
    """Mean week-over-week revenue growth (%) over consecutive weeks with data."""
    weeks = sorted(weekly)
    rates = [
        (weekly[b]["revenue"] - weekly[a]["revenue"]) / weekly[a]["revenue"] * 100
        for a, b in itertools.pairwise(weeks)
        if weekly[a]["revenue"]
    ]
    return sum(rates, ZERO) / len(rates) if rates else ZERO


def trend_analytics(txns: list[Txn]) -> dict[str, Any]:
    counts: Counter = Counter(t.day.isoformat() for t in txns)
    by_weekday: dict[str, Decimal] = dict.fromkeys(WEEKDAYS, ZERO)
    by_date: dict[str, Decimal] = defaultdict(Decimal)
    weekly: dict[str, dict[str, Any]] = {}
    for t in txns:
        by_weekday[WEEKDAYS[t.day.weekday()]] += t.amount
        by_date[t.day.isoformat()] += t.amount
        week = weekly.setdefault(
            _iso_week(t.day), {"transaction_count": 0, "revenue": ZERO, "service_count": 0, "product_count": 0}
        )
        week["transaction_count"] += 1
        week["revenue"] += t.amount
        week["service_count"] += len(t.services)
        week["product_count"] += len(t.products)
    growth = _weekly_growth(weekly)
    direction = "increasing" if growth > 5 else "decreasing" if growth < -5 else "stable"
    peak_week = _peak({k: v["revenue"] for k, v in weekly.items()})
    return {
        "daily_transaction_counts": dict(sorted(counts.items())),
        "weekly_patterns": {k: rounded(v) for k, v in by_weekday.items()},
        "monthly_growth": {"growth_rate": rounded(growth), "trend_direction": direction},
        "seasonal_insights": {
            "peak_day": _peak(by_weekday)[0] if txns else "N/A",
            "peak_revenue_day": _peak(by_date)[0],
        },
        "weekly_trends": {k: {**v, "revenue": rounded(v["revenue"])} for k, v in sorted(weekly.items())},
        "average_weekly_growth_rate": rounded(growth),
        "trend_direction": direction,
        "peak_week": peak_week,
        "total_weeks_analyzed": len(weekly),
    }


def operational_metrics(txns: list[Txn]) -> dict[str, Any]:
    service_only = sum(1 for t in txns if t.services and not t.products)
    product_only = sum(1 for t in txns if t.products and not t.services)
    mixed = sum(1 for t in txns if t.services and t.products)
    count = len(txns)
    return {
        "transaction_composition": {
            "service_only": service_only,
            "product_only": product_only,
            "mixed_service_product": mixed,
            "mixed_transaction_rate": percent(mixed, count),
        },
        "average_items_per_transaction": {
            "services_per_transaction": rounded(Decimal(sum(len(t.services) for t in txns)) / count) if count else 0,
            "products_per_transaction": rounded(Decimal(sum(len(t.products) for t in txns)) / count) if count else 0,
        },
        "cross_selling_metrics": {
            "cross_sell_success_rate": percent(mixed, count),
            "total_cross_sell_opportunities": count,
            "realized_cross_sells": mixed,
        },
    }
