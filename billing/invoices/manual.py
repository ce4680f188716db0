"""Manual ("walk-in") tax invoices: staff invoice a sale that has no appointment or order."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from autolab import audit, clock
from autolab.money import to_money
from autolab.permissions import StaffIdentity
from billing import pdf, records
from billing.invoices.completion import invoice_complete
from billing.invoices.numbering import invoice_issue
from billing.invoices.snapshot import Booking, Draft, Sale, SoldItem, SoldService, Vehicle, draft_of
from billing.models import Invoice


@dataclass(frozen=True)
class ManualItem:
    name: str
    description: str
    is_service: bool
    unit_price: Decimal
    quantity: int
    total: Decimal


def _manual_reference(payment_method: str, reference_number: str) -> tuple[str, str]:
    """(payment id, referenceType) following the original's naming of manual payments."""
    if reference_number:
        return f"{payment_method}_{reference_number}", "admin_set"
    payment_id = f"{payment_method}_inv_{uuid.uuid4().hex[:8]}"
    # The original derived the type from the second "_" token, so bank_transfer_inv_... is admin_set.
    reference_type = "invoice_id" if payment_id.split("_")[1] == "inv" else "admin_set"
    return payment_id, reference_type


def _manual_sale(
    *, payment_method: str, contact: records.Contact, vehicle: Vehicle, items: list[ManualItem], payment_day: dt.date
) -> Sale:
    vehicle_text = " ".join(part for part in (vehicle.make, vehicle.model, vehicle.year) if part)
    lines = [
        pdf.Line(
            item.name,
            f"{item.description}{vehicle_text}" if item.description else vehicle_text,
            item.quantity,
            item.unit_price,
        )
        for item in items
    ]
    return Sale(
        contact=contact,
        vehicle=vehicle,
        lines=lines,
        services=[SoldService(i.name, i.total) for i in items if i.is_service],
        items=[SoldItem(i.name, i.unit_price, i.quantity, i.total) for i in items if not i.is_service],
        payment_method=payment_method,
        amount=to_money(sum((item.total for item in items), Decimal(0))),
        paid_day=payment_day,
        effective_day=payment_day,
        booking=Booking(),
        is_walk_in=True,
    )


def _manual_draft(
    *,
    payment_method: str,
    reference_number: str,
    contact: records.Contact,
    vehicle: Vehicle,
    items: list[ManualItem],
    payment_day: dt.date,
) -> Draft:
    payment_id, reference_type = _manual_reference(payment_method, reference_number)
    sale = _manual_sale(
        payment_method=payment_method, contact=contact, vehicle=vehicle, items=items, payment_day=payment_day
    )
    return draft_of(sale, payment_id=payment_id, reference_number=payment_id, reference_type=reference_type)


_AUDITED = ("invoiceNumber", "status", "referenceNumber", "paymentIntentId")


def invoice_create_manual(
    *,
    actor: StaffIdentity,
    payment_method: str,
    reference_number: str,
    contact: records.Contact,
    vehicle: Vehicle,
    items: list[ManualItem],
    payment_day: dt.date | None = None,
) -> Invoice:
    """A walk-in tax invoice, numbered like every other, with its PDF generated right away.

    Without ``payment_day`` it was paid today (business time)."""
    draft = _manual_draft(
        payment_method=payment_method,
        reference_number=reference_number,
        contact=contact,
        vehicle=vehicle,
        items=items,
        payment_day=payment_day or clock.business_today(),
    )
    draft.metadata["createdBy"] = actor.user_id
    invoice = invoice_complete(invoice_issue(draft))
    audit.record(
        actor, "invoice.create_manual", "invoice", invoice.invoice_id, {}, audit.snapshot(invoice, only=_AUDITED)
    )
    return invoice
