"""The draft invoice of a paid appointment or order, built from the record as it is now."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from autolab import clock
from autolab.money import to_money
from billing import pdf, records
from billing.invoices.dates import parse_any_date
from billing.invoices.snapshot import Booking, Draft, Sale, SoldItem, SoldService, Vehicle, draft_of
from bookings.models import Appointment
from bookings.selectors import plan_cached
from chat.selectors import customer_get
from staffapp.selectors import staff_get_by_user_id


def booked_by(created_user_id: str) -> str:
    """ "STAFF" when staff booked without naming a customer, the customer's userId, else "NONE".

    Ids are server-issued UUIDs, never both: the customer is looked up first (one GetItem, the
    usual case) and the Staff userId index only when it is not one."""
    if created_user_id and customer_get(created_user_id) is not None:
        return created_user_id
    if created_user_id and staff_get_by_user_id(created_user_id) is not None:
        return "STAFF"
    return "NONE"


def record_draft(record: records.Record) -> Draft:
    """The invoice of a paid appointment or order (PDF lines included in its metadata)."""
    method = record.payment_method or "unknown"
    reference_number = records.record_id_of(record)
    sale = _record_sale(record, method)
    return draft_of(
        sale,
        payment_id=_payment_id(record, method, reference_number),
        reference_number=reference_number,
        reference_type=records.record_type_of(record),
    )


def _record_sale(record: records.Record, method: str) -> Sale:
    lines, services, items = _record_lines(record)
    paid_day = _paid_day(record)
    amount = record.payment_amount if record.payment_amount is not None else records.record_amount(record)
    return Sale(
        contact=records.record_contact(record),
        vehicle=Vehicle(record.car_make, record.car_model, str(record.car_year)),
        lines=lines,
        services=services,
        items=items,
        payment_method=method,
        amount=Decimal(amount),
        paid_day=paid_day,
        effective_day=parse_any_date(record.scheduled_date or "") or paid_day,
        booking=_booking(record),
        buyer_abn=record.buyer_abn or "",
    )


def _booking(record: records.Record) -> Booking:
    by = booked_by(record.created_user_id)
    if by == "NONE":
        return Booking()
    return Booking(booked_by=by, booked_date=record.created_date, booked_at=str(record.created_at))


def _paid_day(record: records.Record) -> dt.date:
    moment = record.paid_at or record.payment_confirmed_at or clock.epoch_now()
    return clock.to_local(clock.from_epoch(moment)).date()


def _payment_id(record: records.Record, method: str, reference_number: str) -> str:
    """The Stripe intent, or the original's ``<method>_<record>_<when>`` for staff-confirmed payments."""
    if method == "stripe" and record.payment_intent_id:
        return record.payment_intent_id
    return f"{method}_{reference_number}_{record.payment_confirmed_at or record.paid_at or clock.epoch_now()}"


def _record_lines(record: records.Record) -> tuple[list[pdf.Line], list[SoldService], list[SoldItem]]:
    """(PDF lines, services sold, items sold) from the catalogue and the record."""
    vehicle = f"{record.car_make} {record.car_model} {record.car_year}".strip()
    if isinstance(record, Appointment):
        plan = plan_cached(record.service_id, record.plan_id)
        service_name = plan.service_name if plan else "Inspection service"
        plan_name = plan.plan_name if plan else f"Plan {record.plan_id}"
        line = pdf.Line(service_name, f"{vehicle} | {plan_name}", 1, to_money(record.price))
        return [line], [SoldService(plan_name, record.price)], []
    catalogue = records.item_prices_get([(item.category_id, item.item_id) for item in record.items])
    lines: list[pdf.Line] = []
    items: list[SoldItem] = []
    for item in record.items:
        entry = catalogue.get((item.category_id, item.item_id))
        name = entry.item_name if entry else f"Item {item.category_id}-{item.item_id}"
        category = entry.category_name if entry else ""
        lines.append(pdf.Line(name, f"{vehicle} | {category}".strip(" |"), item.quantity, to_money(item.unit_price)))
        items.append(SoldItem(name, item.unit_price, item.quantity, item.total_price))
    return lines, [], items
