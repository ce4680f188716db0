"""Analytics net of refunds (#17): revenue, its daily and monthly breakdowns and the CSV are net of
the adjustment notes issued in the period, each on the day it was issued (ATO-style), with the
refunds' count and value per day and month; a cancelled paid appointment's money comes off once.

Every date comes from the clock: invoices are dated by their appointments' scheduled days around
today, and refunds (so their notes) are made today. The amounts below are computed by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from typing import Any

import pytest

from autolab import clock
from bench.harness import count_dynamodb_calls
from billing.models import Invoice
from billing.selectors import months_between
from bookings.models import Appointment
from tests.billing.test_cancellation_policy import _slot_in


@pytest.fixture(autouse=True)
def policy(settings) -> None:
    settings.CANCELLATION_FREE_HOURS = 24
    settings.CANCELLATION_FEE_CENTS = 2000
    settings.CANCELLATION_FEE_PERCENT = 10  # $280 cancelled late: $20 + $28 kept, $232 refunded


def _paid(admin, make_appointment, customer, *, plan_id: int, day: dt.date | None = None, hours: int = 0) -> str:
    """A cash-paid appointment scheduled on ``day`` (or in a slot ``hours`` from now): its id."""
    extra: dict[str, Any] = {"scheduled_date": day.isoformat()} if day else {}
    if hours:
        slot = _slot_in(hours)
        extra = {"status": "SCHEDULED", "scheduled_date": slot.date, "scheduled_time_slot": slot}
    ref = make_appointment(created_user_id=customer.user_id, plan_id=plan_id, **extra).appointment_id
    body = {"referenceNumber": ref, "type": "appointment", "paymentMethod": "cash"}
    assert admin.api().post("/api/payments/confirm", body, format="json").status_code == 200
    return ref


def _refund(admin, ref: str, **body: Any) -> None:
    payload = {"referenceNumber": ref, "type": "appointment", "method": "cash", **body}
    response = admin.api().post("/api/payments/refunds", payload, format="json")
    assert response.status_code == 201, response.json()


def _invoice(ref: str) -> Invoice:
    return Invoice.get(Appointment.get(ref).invoice_id)


@pytest.fixture
def period(admin, support, customer, make_appointment) -> dict[str, Any]:
    """Five sales over four days, four refunds today and one voided invoice:

    A $280 two days ago, $50 refunded today        B $220 yesterday, all refunded today
    C $280 today                                   D $220 yesterday, its invoice cancelled (void)
    E $280 in two hours, cancelled late: $48 kept, $232 refunded today (invoice stays)
    F $220 in three days, cancelled early: all refunded today, its invoice cancelled

    E's and F's days are those of their slots, which a late evening moves to the day after.
    """
    today = clock.business_today()
    refs = {
        "A": _paid(admin, make_appointment, customer, plan_id=2, day=today - dt.timedelta(days=2)),
        "B": _paid(admin, make_appointment, customer, plan_id=1, day=today - dt.timedelta(days=1)),
        "C": _paid(admin, make_appointment, customer, plan_id=2, day=today),
        "D": _paid(admin, make_appointment, customer, plan_id=1, day=today - dt.timedelta(days=1)),
        "E": _paid(admin, make_appointment, customer, plan_id=2, hours=2),
        "F": _paid(admin, make_appointment, customer, plan_id=1, hours=72),
    }
    invoices = {name: _invoice(ref) for name, ref in refs.items()}
    _refund(admin, refs["A"], amount=50, reason="Goodwill")
    _refund(admin, refs["B"])  # no amount: all of it
    admin_client = admin.portal()
    cancel = admin_client.post(f"/admin/billing/invoices/{invoices['D'].invoice_id}/cancel/")
    assert cancel.status_code == 302
    for name in ("E", "F"):
        response = support.api().patch(f"/api/appointments/{refs[name]}", {"status": "CANCELLED"}, format="json")
        assert response.status_code == 200, response.json()
    assert [_invoice(refs[n]).status for n in "ABCDEF"] == ["generated"] * 3 + ["cancelled", "generated", "cancelled"]
    return {
        "today": today,
        "start": today - dt.timedelta(days=2),
        "end": dt.date.fromisoformat(invoices["F"].effective_day),
        "refs": refs,
        "invoices": invoices,
        "e_day": dt.date.fromisoformat(invoices["E"].effective_day),  # today; after 22:00, tomorrow
        "client": admin_client,
    }


def _monthly(daily: dict[dt.date, int]) -> dict[str, int]:
    months: dict[str, int] = defaultdict(int)
    for day, amount in daily.items():
        months[day.strftime("%Y-%m")] += amount
    return dict(sorted(months.items()))


def test_revenue_is_net_of_the_refunds_issued_in_each_period(admin, period):
    today, start, end = period["today"], period["start"], period["end"]
    query = {"start_date": start.isoformat(), "end_date": end.isoformat()}
    with count_dynamodb_calls() as calls:
        response = admin.api().get("/api/analytics", query)
    assert response.status_code == 200, response.json()
    months = len(months_between(start, end))
    assert calls["Query"] == 2 * months  # invoices and notes: one Query each a month
    assert calls.get("Scan", 0) == 0
    a = response.json()["analytics"]

    # Sales: A 280 + B 220 + C 280 + E 280 + F 220 = 1280 (D was voided: never counted).
    # Refunds today: A 50 + B 220 + E 232 + F 220 = 722, four notes. Net 1280 - 722 = 558, which
    # is what was kept: A 230 + C 280 + E 48.
    summary = a["summary"]
    assert (summary["gross_revenue"], summary["refund_count"], summary["refund_value"]) == (1280, 4, 722)
    assert summary["total_revenue"] == 558
    assert summary["total_transactions"] == 5
    daily = defaultdict(int, {today - dt.timedelta(days=2): 280, today - dt.timedelta(days=1): 220})
    daily[today] += 280 - 722  # C, less the day's four refunds
    daily[period["e_day"]] += 280
    daily[end] += 220  # F
    revenue = a["revenue_analytics"]
    assert revenue["daily_breakdown"] == {d.isoformat(): v for d, v in sorted(daily.items())}
    assert revenue["monthly_breakdown"] == _monthly(daily)
    assert sum(revenue["monthly_breakdown"].values()) == 558
    assert revenue["daily_refunds"] == {today.isoformat(): {"count": 4, "value": 722}}
    assert revenue["monthly_refunds"] == {today.strftime("%Y-%m"): {"count": 4, "value": 722}}
    assert revenue["payment_method_breakdown"] == {"cash": 1280}  # what was paid, before refunds

    # A period without today has the sales of its days and no refund.
    before = admin.api().get(
        "/api/analytics", {"start_date": start.isoformat(), "end_date": (today - dt.timedelta(days=1)).isoformat()}
    )
    s = before.json()["analytics"]["summary"]
    assert (s["total_revenue"], s["gross_revenue"], s["refund_count"], s["refund_value"]) == (500, 500, 0, 0)


def test_the_dashboard_shows_net_gross_and_refunds(admin, period):
    today = period["today"]
    query = {"start_date": period["start"].isoformat(), "end_date": period["end"].isoformat()}
    response = period["client"].get("/admin/billing/analytics/", query)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="total-revenue">$558.00<' in html
    assert 'id="gross-revenue">$1,280.00<' in html
    assert 'id="refund-value">$722.00<' in html
    assert 'id="refund-count">(4 refunds)<' in html
    table = html.split('id="refunds-by-period"')[1].split("</table>")[0]
    assert f"<tr><td>{today.day} {today:%b}</td><td>4</td><td>$722.00</td></tr>" in table


def test_the_csv_lists_refunds_as_negative_rows_and_its_revenue_adds_up_to_net(admin, period):
    query = {"start_date": period["start"].isoformat(), "end_date": period["end"].isoformat()}
    response = period["client"].get("/admin/billing/analytics/export.csv", query)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode(), newline="")))
    assert rows[0] == [
        "Date",
        "Invoice number",
        "Customer",
        "Reference",
        "Method",
        "Net",
        "GST",
        "Total",
        "Status",
        "Revenue",
    ]
    today, refs, invoices = period["today"], period["refs"], period["invoices"]

    def sale(name: str, day: dt.date, status: str, revenue: str) -> list[str]:
        total = {"A": "280.00", "C": "280.00", "E": "280.00"}.get(name, "220.00")
        net, gst = ("254.55", "25.45") if total == "280.00" else ("200.00", "20.00")
        invoice = invoices[name]
        reference = f"Appointment {refs[name][:8].upper()}"
        row = [day.isoformat(), str(invoice.invoice_number), "Jane Buyer", reference, "Cash", net, gst, total]
        return [*row, status, revenue]

    def refund(name: str, note: int, net: str, gst: str, total: str) -> list[str]:
        invoice = invoices[name]
        reference = f"Appointment {refs[name][:8].upper()}"
        row = [today.isoformat(), str(invoice.invoice_number), "Jane Buyer", reference, "Cash", net, gst, total]
        return [*row, f"Adjustment note {note}", total]

    expected_sales = [
        ("A", today - dt.timedelta(days=2), "Generated", "280.00"),
        ("B", today - dt.timedelta(days=1), "Generated", "220.00"),
        ("D", today - dt.timedelta(days=1), "Cancelled", "0.00"),  # voided: not revenue
        ("C", today, "Generated", "280.00"),
        ("E", period["e_day"], "Generated", "280.00"),
        ("F", period["end"], "Cancelled", "220.00"),  # refunded, then cancelled
    ]
    # Refund notes in the order they were issued: 50 (GST 4.55), 220 (20.00), 232 (21.09), 220.
    notes = [
        refund("A", 1, "-45.45", "-4.55", "-50.00"),
        refund("B", 2, "-200.00", "-20.00", "-220.00"),
        refund("E", 3, "-210.91", "-21.09", "-232.00"),
        refund("F", 4, "-200.00", "-20.00", "-220.00"),
    ]
    keyed = [((d.isoformat(), 0, invoices[n].invoice_number), sale(n, d, st, rev)) for n, d, st, rev in expected_sales]
    keyed += [((today.isoformat(), 1, number), row) for number, row in enumerate(notes, start=1)]
    assert rows[1:] == [row for _, row in sorted(keyed, key=lambda pair: pair[0])]
    assert sum(float(row[9]) for row in rows[1:]) == pytest.approx(558)


def test_the_backfill_gives_invoices_adjusted_before_adjusted_cents_existed_their_total(
    admin, support, customer, make_appointment
):
    """An early cancellation restored from before adjustedCents: its cancelled invoice looked voided
    while its note was subtracted (money off twice) until ``invoices_backfill`` runs."""
    from django.core.management import call_command

    ref = _paid(admin, make_appointment, customer, plan_id=1, hours=72)
    response = support.api().patch(f"/api/appointments/{ref}", {"status": "CANCELLED"}, format="json")
    assert response.status_code == 200, response.json()
    invoice = _invoice(ref)
    assert (invoice.status, invoice.adjusted_cents) == ("cancelled", 22000)
    invoice.update(actions=[Invoice.adjusted_cents.remove()])  # as a backup from before held it
    today = clock.business_today()
    query = {"start_date": today.isoformat(), "end_date": invoice.effective_day}  # in three days or four

    def revenue() -> tuple[int, int]:
        summary = admin.api().get("/api/analytics", query).json()["analytics"]["summary"]
        return summary["total_revenue"], summary["gross_revenue"]

    assert revenue() == (-220, 0)
    call_command("invoices_backfill")
    call_command("invoices_backfill")  # again: nothing left to do
    assert Invoice.get(invoice.invoice_id).adjusted_cents == 22000
    assert revenue() == (0, 220)
