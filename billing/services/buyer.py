"""The buyer's ABN of a record, for its tax invoice (ATO: a tax invoice of $1,000 or more shows the
buyer's identity or ABN). The identity is the record's buyer name, always known from the booking or
order; the ABN is optional and is given before payment: an issued invoice is never edited, so the
ABN can no longer change once the record is paid (its invoice is being or has been issued)."""

from __future__ import annotations

from decimal import Decimal

from autolab import audit, clock
from autolab.exceptions import Conflict, NotFound, ValidationError
from autolab.permissions import StaffIdentity
from autolab.workflow import PaymentStatus
from billing import records
from billing.checks import abn_is_valid

_INVOICED = (PaymentStatus.PAID, PaymentStatus.REFUNDED)
BUYER_IDENTITY_FROM = Decimal(1000)  # GST-inclusive total from which the ATO wants the buyer identified


def needs_buyer_identity(total: Decimal) -> bool:
    return total >= BUYER_IDENTITY_FROM


def abn_normalised(text: str) -> str:
    """``"51 824 753 556"`` as ``"51824753556"``; "" for none; ValidationError when the checksum fails."""
    abn = "".join(text.split())
    if abn and not abn_is_valid(abn):
        raise ValidationError("Enter the buyer's ABN as its 11 digits (this one fails the ABN checksum)")
    return abn


def buyer_abn_set(*, actor: StaffIdentity, record_type: str, reference_number: str, abn: str) -> str:
    """Record (or clear, with "") the buyer's ABN of an unpaid record; the ABN stored."""
    value = abn_normalised(abn)
    record = records.record_get(record_type, reference_number)
    if record is None:
        raise NotFound(f"{record_type.capitalize()} not found")
    model = type(record)
    if record.payment_status in _INVOICED:
        raise ValidationError("The invoice is issued: its buyer's ABN can no longer change")
    before = record.buyer_abn or ""
    action = model.buyer_abn.set(value) if value else model.buyer_abn.remove()
    unpaid = ~model.payment_status.is_in(*_INVOICED)  # the invoice is not being issued meanwhile
    if not records.record_set_if(record, [action, model.updated_at.set(clock.epoch_now())], unpaid):
        raise Conflict("The record was paid or changed meanwhile; please reload")
    audit.record(actor, "record.buyer_abn", record_type, reference_number, changes={"buyerAbn": [before, value]})
    return value
