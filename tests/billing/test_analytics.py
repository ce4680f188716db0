from __future__ import annotations

import datetime as dt
import functools
import uuid
from typing import Any

import pytest

from autolab import clock
from bench.harness import count_dynamodb_calls
from billing.analytics.transactions import compact_of
from billing.models import Invoice

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _invoice(
    day: str,
    *,
    method: str = "cash",
    amount: str = "0",
    services=(),
    orders=(),
    customer: str = "",
    booked_by: str = "NONE",
    booked_date: str = "",
    paid_before: int = 0,
    vehicle=("", "", ""),
    status: str = "generated",
    with_data: bool = True,
    compact: bool = True,
) -> None:
    effective = dt.datetime.strptime(day, "%d/%m/%Y").date()  # noqa: DTZ007
    data: dict[str, Any] = {"operation_type": "transaction"}
    if with_data:
        data["operation_data"] = {
            "services": [{"service_name": n, "price": p} for n, p in services],
            "orders": [{"item_name": n, "unit_price": u, "quantity": q, "total_price": t} for n, u, q, t in orders],
            "customerId": customer,
            "vehicleDetails": dict(zip(("make", "model", "year"), vehicle, strict=True)),
            "paymentDetails": {
                "payment_method": method,
                "amount": amount,
                "date": day,
                "paid_before_operation": paid_before,
            },
            "bookingDetails": {"bookedBy": booked_by, "bookedDate": booked_date, "bookedAt": "1"},
            "effectiveDate": day,
        }
    Invoice(
        invoice_id=f"INV-{uuid.uuid4().hex[:10]}",
        payment_intent_id="x",
        reference_number=str(uuid.uuid4()),
        reference_type="appointment",
        status=status,
        analytics_data=data,
        analytics_txn=compact_of(data) if compact else None,
        created_at=clock.epoch_now(),
        effective_month=effective.strftime("%Y-%m"),
        effective_day=effective.isoformat(),
    ).save()


@pytest.fixture(params=["as billing writes them", "restored from before analyticsTxn"])
def january(request: pytest.FixtureRequest) -> None:
    """Four analysed invoices (A-D), one cancelled, one without data, one outside the period; stored
    with their compact analyticsTxn, or with analyticsData only (read again by key): same figures."""
    compact = request.param == "as billing writes them"
    invoice = functools.partial(_invoice, compact=compact)
    invoice(
        "07/01/2030",
        method="stripe",
        amount="280",
        services=[("Comprehensive", "280")],
        customer="a@x.com",
        booked_by="user-1",
        booked_date="2030-01-02",
        paid_before=1,
        vehicle=("Toyota", "Camry", "2020"),
    )
    invoice(
        "07/01/2030",
        method="cash",
        amount="520",
        services=[("Standard", "220")],
        orders=[("V8 Engine", "150", "2", "300")],
        customer="b@y.com",
        booked_by="STAFF",
        booked_date="2030-01-03",
        paid_before=1,
        vehicle=("Toyota", "Corolla", "2015"),
    )
    invoice(
        "15/01/2030",
        method="card",
        amount="200",
        orders=[("Winter Tyres", "100", "2", "200")],
        customer="A@x.com",
        vehicle=("Honda", "Civic", "2010"),
    )
    invoice(
        "16/01/2030",
        method="cash",
        amount="220",
        services=[("Standard", "220")],
        customer="N/A",
        vehicle=("Mazda", "3", "unknown"),
    )
    invoice("10/01/2030", method="cash", amount="999", services=[("Standard", "999")], status="cancelled")
    invoice("20/01/2030", with_data=False)
    invoice("01/02/2030", method="cash", amount="50", services=[("Standard", "50")])


def _get(persona, **params: Any) -> dict[str, Any]:
    response = persona.api().get("/api/analytics", params)
    assert response.status_code == 200, response.json()
    return response.json()


def test_every_block_matches_the_hand_computed_fixture(admin, january):
    with count_dynamodb_calls() as calls:
        body = _get(admin, start_date="2030-01-01", end_date="2030-01-31")
    assert calls.get("Scan", 0) == 0
    assert calls["Query"] == 2  # one month, one page of invoices and one of adjustment notes
    assert body["request_type"] == "comprehensive"
    assert body["staff_user"] == admin.email
    a = body["analytics"]
    assert a["period"] == {"start_date": "2030-01-01", "end_date": "2030-01-31", "total_days": 31}
    assert a["summary"] == {
        "total_revenue": 1220,
        "gross_revenue": 1220,
        "refund_count": 0,
        "refund_value": 0,
        "total_transactions": 4,
        "average_transaction_value": 305,
        "service_revenue": 720,
        "product_revenue": 500,
        "pre_booked_transactions": 2,
        "non_booked_transactions": 2,
        "service_vs_product_ratio": {"service_percentage": 59.02, "product_percentage": 40.98},
    }
    assert a["revenue_analytics"] == {
        "daily_breakdown": {"2030-01-07": 800, "2030-01-15": 200, "2030-01-16": 220},
        "monthly_breakdown": {"2030-01": 1220},
        "daily_refunds": {},
        "monthly_refunds": {},
        "payment_method_breakdown": {"card": 200, "cash": 740, "stripe": 280},
        "trend_analysis": {
            "overall_growth_rate": -72.5,
            "trend": "declining",
            "first_period_revenue": 800,
            "last_period_revenue": 220,
            "periods_analyzed": 3,
        },
        "peak_day": ["2030-01-07", 800],
        "peak_month": ["2030-01", 1220],
    }
    assert a["service_analytics"] == {
        "service_table": [
            {
                "service": "Standard",
                "preBookedCount": 1,
                "preBookedRevenue": 220,
                "walkInCount": 1,
                "walkInRevenue": 220,
                "preBookedRate": 50,
            },
            {
                "service": "Comprehensive",
                "preBookedCount": 1,
                "preBookedRevenue": 280,
                "walkInCount": 0,
                "walkInRevenue": 0,
                "preBookedRate": 100,
            },
        ],
        "total_unique_services": 2,
    }
    assert a["product_analytics"] == {
        "most_popular_products": [["V8 Engine", 2], ["Winter Tyres", 2]],
        "product_revenue_breakdown": {"V8 Engine": 300, "Winter Tyres": 200},
        "total_quantities_sold": {"V8 Engine": 2, "Winter Tyres": 2},
        "average_unit_prices": {"V8 Engine": 150, "Winter Tyres": 100},
        "category_analysis": {
            "V8": {"count": 1, "revenue": 300, "quantity": 2},
            "Winter": {"count": 1, "revenue": 200, "quantity": 2},
        },
        "top_revenue_products": [["V8 Engine", 300], ["Winter Tyres", 200]],
        "total_unique_products": 2,
    }
    assert a["customer_analytics"] == {
        "total_unique_customers": 2,
        "average_customer_value": 500,
        "customer_transaction_counts": {"a@x.com": 2, "b@y.com": 1},
        "customer_lifetime_values": {"a@x.com": 480, "b@y.com": 520},
        "repeat_customers": 1,
        "top_customers_by_revenue": [["b@y.com", 520], ["a@x.com", 480]],
        "customer_retention_rate": 50,
        "domain_analysis": {"x.com": 1, "y.com": 1},
    }
    year = clock.business_today().year
    ages = [year - 2020, year - 2015, year - 2010]
    vehicles = a["vehicle_analytics"]
    assert vehicles["popular_makes"] == {"Toyota": 2, "Honda": 1, "Mazda": 1}
    assert list(vehicles["popular_models"]) == ["3", "Camry", "Civic", "Corolla"]
    assert vehicles["popular_years"] == {"2010": 1, "2015": 1, "2020": 1}
    assert vehicles["popular_make_model_combinations"] == {
        "Honda Civic": 1,
        "Mazda 3": 1,
        "Toyota Camry": 1,
        "Toyota Corolla": 1,
    }
    assert vehicles["average_vehicle_age"] == pytest.approx(sum(ages) / 3, abs=0.01)
    assert (vehicles["total_unique_makes"], vehicles["total_unique_models"]) == (3, 4)
    assert sum(vehicles["vehicle_age_distribution"].values()) == 3
    assert a["payment_analytics"] == {
        "payment_method_distribution": {"card": 1, "cash": 2, "stripe": 1},
        "payment_timing_analysis": {"before_operation": 2, "after_operation": 2},
        "average_amounts_by_method": {"card": 200, "cash": 370, "stripe": 280},
        "payment_timing_percentage": {"before_operation_percentage": 50, "after_operation_percentage": 50},
        "preferred_payment_method": ["cash", 2],
    }
    assert a["booking_analytics"] == {
        "booking_type_distribution": {"NONE": 2, "STAFF": 1, "user-1": 1},
        "booking_statistics": {
            "staff_initiated": 1,
            "user_initiated": 1,
            "walk_in_non_booked": 2,
            "pre_booking_rate": 50,
        },
        "booking_day_patterns": {d: (1 if d in ("Wednesday", "Thursday") else 0) for d in WEEKDAYS},
        "popular_booking_day": "Wednesday",
    }
    assert a["trend_analytics"] == {
        "daily_transaction_counts": {"2030-01-07": 2, "2030-01-15": 1, "2030-01-16": 1},
        "weekly_patterns": {d: {"Monday": 800, "Tuesday": 200, "Wednesday": 220}.get(d, 0) for d in WEEKDAYS},
        "monthly_growth": {"growth_rate": -47.5, "trend_direction": "decreasing"},
        "seasonal_insights": {"peak_day": "Monday", "peak_revenue_day": "2030-01-07"},
        "weekly_trends": {
            "2030-W02": {"transaction_count": 2, "revenue": 800, "service_count": 2, "product_count": 1},
            "2030-W03": {"transaction_count": 2, "revenue": 420, "service_count": 1, "product_count": 1},
        },
        "average_weekly_growth_rate": -47.5,
        "trend_direction": "decreasing",
        "peak_week": ["2030-W02", 800],
        "total_weeks_analyzed": 2,
    }
    assert a["operational_metrics"] == {
        "transaction_composition": {
            "service_only": 2,
            "product_only": 1,
            "mixed_service_product": 1,
            "mixed_transaction_rate": 25,
        },
        "average_items_per_transaction": {"services_per_transaction": 0.75, "products_per_transaction": 0.5},
        "cross_selling_metrics": {
            "cross_sell_success_rate": 25,
            "total_cross_sell_opportunities": 4,
            "realized_cross_sells": 1,
        },
    }
    assert a["metadata"]["total_invoices_analyzed"] == 4
    assert a["metadata"]["total_invoices_in_period"] == 5
    assert a["metadata"]["currency"] == "AUD"


def test_vehicle_ages_are_bucketed(admin, january):
    from billing.analytics.blocks import vehicle_analytics
    from billing.selectors import analytics_transactions

    txns, _ = analytics_transactions(dt.date(2030, 1, 1), dt.date(2030, 1, 31))
    block = vehicle_analytics(txns, dt.date(2030, 6, 1))
    assert block["average_vehicle_age"] == 15  # (10 + 15 + 20) / 3
    assert block["vehicle_age_distribution"] == {
        "0-2 years": 0,
        "3-5 years": 0,
        "6-10 years": 1,
        "11-15 years": 1,
        "16+ years": 1,
    }


def test_analytics_type_returns_only_its_blocks(support, january):
    a = _get(support, start_date="2030-01-01", end_date="2030-02-28", analytics_type="revenue")["analytics"]
    assert set(a) == {"period", "summary", "revenue_analytics", "metadata"}
    assert a["summary"]["total_revenue"] == 1270
    assert a["revenue_analytics"]["monthly_breakdown"] == {"2030-01": 1220, "2030-02": 50}


def test_quick_metrics_over_the_last_days(admin):
    today = clock.business_today().strftime("%d/%m/%Y")
    _invoice(
        today,
        method="card",
        amount="280",
        services=[("Comprehensive", "280")],
        customer="q@x.com",
        booked_by="u",
        booked_date="2030-01-01",
        vehicle=("Toyota", "Camry", "2020"),
    )
    _invoice(
        today,
        method="cash",
        amount="150",
        orders=[("V8 Engine", "150", "1", "150")],
        customer="q@x.com",
        vehicle=("Toyota", "Hilux", "2018"),
    )
    body = _get(admin, quick_metrics="true", days_back="7.5")
    assert body["request_type"] == "quick_metrics"
    quick = body["analytics"]["quick_metrics"]
    assert quick == {
        "total_revenue": 430,
        "total_transactions": 2,
        "average_transaction_value": 215,
        "total_unique_customers": 1,
        "top_service": ["Comprehensive", 280],
        "top_product": ["V8 Engine", 150],
        "most_common_vehicle_make": ["Toyota", 2],
        "preferred_payment_method": "card",
        "pre_booking_rate": 50,
    }
    assert body["analytics"]["period"]["total_days"] == 8


def test_empty_period_has_no_data_trend(admin):
    a = _get(admin, start_date="2031-01-01", end_date="2031-01-02")["analytics"]
    assert a["summary"]["total_revenue"] == 0
    assert a["revenue_analytics"]["trend_analysis"] == {"growth_rate": 0, "trend": "no_data"}
    assert a["revenue_analytics"]["peak_day"] == ["N/A", 0]


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2030-01-01"},
        {"start_date": "2030-02-01", "end_date": "2030-01-01"},
        {"start_date": "2030-01-01", "end_date": "2031-06-01"},
        {"start_date": "01/01/2030", "end_date": "2030-02-01"},
        {"start_date": "2030-01-01", "end_date": "2030-02-01", "analytics_type": "weather"},
        {"quick_metrics": "true", "days_back": "400"},
    ],
)
def test_bad_queries_are_400(admin, params):
    response = admin.api().get("/api/analytics", params)
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_a_year_reads_one_query_chain_per_month(admin, january):
    with count_dynamodb_calls() as calls:
        _get(admin, start_date="2030-01-01", end_date="2030-12-31")
    assert calls["Query"] == 24  # invoices and adjustment notes, one Query each a month
    assert calls.get("Scan", 0) == 0
