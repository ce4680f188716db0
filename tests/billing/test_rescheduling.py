"""Rescheduling a paid appointment or order moves its invoice's effective date (§3.8), so revenue by
day, the invoice list and analytics follow the schedule rather than the day of payment."""

from __future__ import annotations

import datetime as dt

from autolab import clock
from billing.analytics.transactions import compact_of
from billing.models import Invoice


def _day(offset: int) -> str:
    return (clock.business_today() + dt.timedelta(days=offset)).isoformat()


def _ddmmyyyy(iso_day: str) -> str:
    return dt.date.fromisoformat(iso_day).strftime("%d/%m/%Y")


def _confirm_cash(persona, reference: str, kind: str) -> None:
    body = {"referenceNumber": reference, "type": kind, "paymentMethod": "cash"}
    response = persona.api().post("/api/payments/confirm", body, format="json")
    assert response.status_code == 200, response.json()


def _revenue_by_day(persona) -> dict[str, float]:
    params = {"start_date": _day(0), "end_date": _day(30), "analytics_type": "revenue"}
    response = persona.api().get("/api/analytics", params)
    assert response.status_code == 200, response.json()
    return response.json()["analytics"]["revenue_analytics"]["daily_breakdown"]


def _effective_dates(persona, day: str) -> list[str]:
    response = persona.api().get("/api/payments/invoices", {"start_date": day, "end_date": day})
    assert response.status_code == 200, response.json()
    return [i["analyticsData"]["operation_data"]["effectiveDate"] for i in response.json()["invoices"]]


def test_rescheduling_a_paid_appointment_moves_its_revenue_day(admin, support, mechanic, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    _confirm_cash(admin, appointment.appointment_id, "appointment")
    assert _revenue_by_day(admin) == {_day(0): 280}  # paid before it was scheduled: dated by payment
    (invoice,) = Invoice.reference_index.query(appointment.appointment_id)
    assert invoice.analytics_txn == compact_of(invoice.analytics_data.as_dict())  # what analytics reads

    for offset in (10, 12):
        slot = {"date": _day(offset), "start": "09:00", "end": "11:00"}
        body = {"scheduledTimeSlot": slot, "assignedMechanicId": mechanic.user_id}
        response = support.api().patch(f"/api/appointments/{appointment.appointment_id}", body, format="json")
        assert response.status_code == 200, response.json()
        assert _revenue_by_day(admin) == {_day(offset): 280}
        assert _effective_dates(admin, _day(offset)) == [_ddmmyyyy(_day(offset))]
    assert _effective_dates(admin, _day(0)) == []
    assert _effective_dates(admin, _day(10)) == []


def test_rescheduling_a_paid_order_moves_its_revenue_day(admin, support, customer, make_order):
    order = make_order(created_user_id=customer.user_id)
    _confirm_cash(admin, order.order_id, "order")
    response = support.api().patch(f"/api/orders/{order.order_id}", {"scheduledDate": _day(5)}, format="json")
    assert response.status_code == 200, response.json()
    assert _revenue_by_day(admin) == {_day(5): 399.95}
    assert _effective_dates(admin, _day(5)) == [_ddmmyyyy(_day(5))]
    assert _effective_dates(admin, _day(0)) == []


def test_scheduling_before_payment_dates_the_invoice_by_the_schedule(admin, support, customer, make_order):
    order = make_order(created_user_id=customer.user_id)
    response = support.api().patch(f"/api/orders/{order.order_id}", {"scheduledDate": _day(3)}, format="json")
    assert response.status_code == 200, response.json()
    _confirm_cash(admin, order.order_id, "order")
    assert _revenue_by_day(admin) == {_day(3): 399.95}
