"""What an invoice stores about its sale: ``metadata`` and ``analyticsData``, built in one place.

Record invoices (``drafts``) and manual ones (``manual``) describe their sale as a ``Sale``; this
module turns it into the stored shapes (the seed's: strings for amounts, DD/MM/YYYY dates), which
analytics and the PDF read back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from autolab.money import money_str
from billing import pdf, records
from billing.invoices.dates import day_text
from billing.models import InvoicePaymentStatus


@dataclass(frozen=True)
class SoldService:
    name: str
    price: Decimal


@dataclass(frozen=True)
class SoldItem:
    name: str
    unit_price: Decimal
    quantity: int
    total: Decimal


@dataclass(frozen=True)
class Vehicle:
    make: str
    model: str
    year: str


@dataclass(frozen=True)
class Booking:
    """Who booked: the customer's userId, "STAFF", or "NONE" (a walk-in, with no booking dates)."""

    booked_by: str = "NONE"
    booked_date: str = ""
    booked_at: str = ""


@dataclass(frozen=True)
class Sale:
    """Everything sold on one invoice, to whom, and how and when it was paid."""

    contact: records.Contact
    vehicle: Vehicle
    lines: list[pdf.Line]
    services: list[SoldService]
    items: list[SoldItem]
    payment_method: str
    amount: Decimal
    paid_day: dt.date
    effective_day: dt.date
    booking: Booking
    # A walk-in (manual) invoice is paid after the work, and the original stored it a little
    # differently: "N/A" for a missing email and the payment date in metadata.
    is_walk_in: bool = False
    buyer_abn: str = ""  # printed with the buyer's name (billing.services.buyer)


@dataclass
class Draft:
    """Everything an invoice needs before it gets its number."""

    payment_intent_id: str
    reference_number: str
    reference_type: str
    metadata: dict[str, Any]
    analytics_data: dict[str, Any]
    effective_day: dt.date


def draft_of(sale: Sale, *, payment_id: str, reference_number: str, reference_type: str) -> Draft:
    """The unnumbered invoice of ``sale``."""
    return Draft(
        payment_intent_id=payment_id,
        reference_number=reference_number,
        reference_type=reference_type,
        metadata=invoice_metadata(sale),
        analytics_data=analytics_data(sale),
        effective_day=sale.effective_day,
    )


def analytics_data(sale: Sale) -> dict[str, Any]:
    """The invoice's analyticsData, the only input of billing.analytics."""
    booking = sale.booking
    return {
        "operation_type": "transaction",
        "operation_data": {
            "services": [{"service_name": s.name, "price": money_str(s.price)} for s in sale.services],
            "orders": [
                {
                    "item_name": i.name,
                    "unit_price": money_str(i.unit_price),
                    "quantity": str(i.quantity),
                    "total_price": money_str(i.total),
                }
                for i in sale.items
            ],
            "customerId": sale.contact.email,
            "vehicleDetails": {"make": sale.vehicle.make, "model": sale.vehicle.model, "year": sale.vehicle.year},
            "paymentDetails": {
                "payment_method": sale.payment_method,
                "amount": money_str(sale.amount),
                "date": day_text(sale.paid_day),
                "paid_before_operation": 0 if sale.is_walk_in else 1,
            },
            "bookingDetails": {
                "bookedBy": booking.booked_by,
                "bookedDate": booking.booked_date,
                "bookedAt": booking.booked_at,
            },
            "effectiveDate": day_text(sale.effective_day),
        },
    }


def invoice_metadata(sale: Sale) -> dict[str, Any]:
    """The invoice's metadata: buyer, vehicle, payment and the PDF's lines."""
    metadata: dict[str, Any] = {
        "userName": sale.contact.name,
        "userEmail": sale.contact.email or ("N/A" if sale.is_walk_in else ""),
        "userPhone": sale.contact.phone,
        "vehicleMake": sale.vehicle.make,
        "vehicleModel": sale.vehicle.model,
        "vehicleYear": sale.vehicle.year,
        "items": [line.name for line in sale.lines],
        "paymentMethod": sale.payment_method,
    }
    if sale.is_walk_in:
        metadata["paymentDate"] = day_text(sale.paid_day)
    if sale.buyer_abn:
        metadata["buyerAbn"] = sale.buyer_abn
    metadata.update(
        paymentStatus=InvoicePaymentStatus.COMPLETED.value,  # a raw map stores plain str only
        totalAmount=money_str(sale.amount),
        invoiceFormat="pdf",
        lines=lines_metadata(sale.lines),
    )
    return metadata


def lines_metadata(lines: list[pdf.Line]) -> list[dict[str, str]]:
    """PDF lines as stored in metadata, so the PDF can be rendered again from the invoice alone."""
    return [
        {
            "name": line.name,
            "description": line.description,
            "quantity": str(line.quantity),
            "unit_price": money_str(line.unit_price),
        }
        for line in lines
    ]


def document_lines(metadata: dict[str, Any]) -> list[pdf.Line]:
    """The PDF lines stored by ``lines_metadata``."""
    return [
        pdf.Line(line["name"], line.get("description", ""), int(line["quantity"]), Decimal(line["unit_price"]))
        for line in metadata.get("lines", [])
    ]
