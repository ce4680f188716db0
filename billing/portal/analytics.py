"""Analytics for owners: a period (preset or dates), revenue net of refunds as figures and charts
with the refunds per day (or month), and the CSV of the period's invoices and adjustment notes."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from autolab import clock
from autolab.csvexport import csv_response
from autolab.permissions import Permission
from billing import charts, forms, selectors
from billing.analytics.export import transaction_rows
from billing.analytics.reports import comprehensive, new_vs_returning
from billing.pdf import method_label
from billing.periods import PRESETS
from billing.portal.common import form_errors, page
from staffapp.rendering import render_page

VIEW = (Permission.ANALYTICS_VIEW,)
DAILY_UP_TO = 62  # days; a longer period is charted by month


def _dashboard_data(start: dt.date, end: dt.date) -> dict[str, Any]:
    txns, in_period = selectors.analytics_transactions(start, end)
    notes = selectors.analytics_adjustments(start, end)
    data = comprehensive(
        txns, adjustments=notes, start=start, end=end, in_period=in_period, today=clock.business_today()
    )
    data["customers_by_month"] = new_vs_returning(txns)
    data["appointments_by_status"] = selectors.appointment_status_counts(start, end)
    return data


def _over_time(revenue: dict[str, Any], start: dt.date, end: dt.date) -> list[tuple[str, Any]]:
    """Revenue on every day of the period (every month when it is long), days without any at 0."""
    if (end - start).days < DAILY_UP_TO:
        daily = revenue["daily_breakdown"]
        days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
        return [(f"{d.day} {d:%b}", daily.get(d.isoformat(), 0)) for d in days]
    monthly = revenue["monthly_breakdown"]
    months = selectors.months_between(start, end)
    return [(dt.date.fromisoformat(f"{m}-01").strftime("%b %Y"), monthly.get(m, 0)) for m in months]


def _refunds_by_period(revenue: dict[str, Any], start: dt.date, end: dt.date) -> list[tuple[str, int, Any]]:
    """(day or month, refund count, refund value) for each period with refunds, as the chart groups them."""
    if (end - start).days < DAILY_UP_TO:
        return [
            (f"{dt.date.fromisoformat(d):%-d %b}", r["count"], r["value"]) for d, r in revenue["daily_refunds"].items()
        ]
    monthly = revenue["monthly_refunds"].items()
    return [(dt.date.fromisoformat(f"{m}-01").strftime("%b %Y"), r["count"], r["value"]) for m, r in monthly]


def _charts(data: dict[str, Any], start: dt.date, end: dt.date) -> list[Any]:
    revenue = data["revenue_analytics"]
    services_rev = [
        (row["service"], row["preBookedRevenue"] + row["walkInRevenue"])
        for row in data["service_analytics"]["service_table"]
    ]
    customers = data["customers_by_month"]
    return [
        charts.hbar_chart(services_rev, title="Revenue by service", money=True),
        charts.hbar_chart(
            [(method_label(m), v) for m, v in revenue["payment_method_breakdown"].items()],
            title="Payments by method (before refunds)",
            money=True,
        ),
        charts.hbar_chart(
            [(s.replace("_", " ").capitalize(), n) for s, n in data["appointments_by_status"].items()],
            title="Appointments by status (created in period)",
        ),
        charts.hbar_chart(list(data["vehicle_analytics"]["popular_makes"].items()), title="Top vehicle makes"),
        charts.hbar_chart(
            [(f"{m} new", v["new"]) for m, v in customers.items()]
            + [(f"{m} returning", v["returning"]) for m, v in customers.items()],
            title="New vs returning customers",
        ),
    ]


def _preset_links(current: str) -> list[dict[str, Any]]:
    return [
        {"label": text, "url": "?" + urlencode({"preset": value}), "current": current == value}
        for value, text in PRESETS
    ]


@page("billing/analytics/", "billing-analytics", "Analytics", VIEW, order=42, in_index=True)
@require_GET
def analytics_dashboard(request: HttpRequest) -> HttpResponse:
    form = forms.DateRangeForm.from_request(request.GET)
    context: dict[str, Any] = {
        "form": form,
        "errors": form_errors(form),
        "presets": _preset_links(form.data.get("preset", "")),
    }
    if form.is_valid():
        start, end = form.cleaned_data["start_date"], form.cleaned_data["end_date"]
        data = _dashboard_data(start, end)
        context.update(
            data=data,
            start=start,
            end=end,
            revenue_chart=charts.column_chart(
                _over_time(data["revenue_analytics"], start, end), title="Revenue over time", money=True
            ),
            charts=_charts(data, start, end),
            refunds=_refunds_by_period(data["revenue_analytics"], start, end),
            query=urlencode({"start_date": start.isoformat(), "end_date": end.isoformat()}),
        )
    return render_page(request, "billing/analytics.html", context, title="Analytics")


@page("billing/analytics/export.csv", "billing-analytics-csv", "Analytics CSV", VIEW)
@require_GET
def analytics_csv(request: HttpRequest) -> HttpResponse:
    form = forms.DateRangeForm.from_request(request.GET)
    if not form.is_valid():
        return HttpResponse(
            "; ".join(str(e) for errors in form.errors.values() for e in errors), status=400, content_type="text/plain"
        )
    start, end = form.cleaned_data["start_date"], form.cleaned_data["end_date"]
    notes = list(selectors.notes_in_range(start, end))
    refunds = selectors.refunds_by_id([n.refund_id for n in notes if n.refund_id])
    rows = transaction_rows(selectors.invoices_in_range(start, end), notes, refunds)
    return csv_response(rows, filename=f"transactions-{start}-{end}.csv")
