"""The appointment or order a payment belongs to: reads by key and billing's payment-field writes.

Appointments and orders belong to bookings and shop; billing owns only their payment fields and
writes them with conditional updates (the models' ``version`` adds optimistic locking on top).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from autolab.dynamodb import condition_failed, retry_on_conflict
from autolab.exceptions import Conflict, NotFound, ValidationError
from bookings.models import Appointment, AppointmentStatus
from bookings.reservations import hold_release
from shop.models import ItemPrice, Order, OrderStatus

Record = Appointment | Order
RECORD_TYPES = ("appointment", "order")
_MODELS: dict[str, type[Appointment] | type[Order]] = {"appointment": Appointment, "order": Order}
_VERSION_RETRIES = 5


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str


def record_model(record_type: str) -> type[Appointment] | type[Order]:
    if record_type not in _MODELS:
        raise ValidationError("type must be 'appointment' or 'order'")
    return _MODELS[record_type]


def record_get(record_type: str, record_id: str) -> Record | None:
    """The appointment or order by id, or None."""
    return record_model(record_type).get_by_id(record_id, longest=100, consistent_read=True)


def record_type_of(record: Record) -> str:
    return "appointment" if isinstance(record, Appointment) else "order"


def record_id_of(record: Record) -> str:
    return record.appointment_id if isinstance(record, Appointment) else record.order_id


def record_amount(record: Record) -> Decimal:
    """What the customer owes: the record's own GST-inclusive price, never a client figure."""
    return Decimal(record.price if isinstance(record, Appointment) else record.total_price)


def record_contact(record: Record) -> Contact:
    """Buyer or seller for appointments (by ``isBuyer``), the customer for orders."""
    if isinstance(record, Order):
        return Contact(record.customer_name or "", record.customer_email or "", record.customer_phone or "")
    if record.is_buyer:
        return Contact(record.buyer_name or "", record.buyer_email or "", record.buyer_phone or "")
    return Contact(record.seller_name or "", record.seller_email or "", record.seller_phone or "")


def cancelled_status(model: type[Appointment] | type[Order]) -> AppointmentStatus | OrderStatus:
    """The status a cancelled record of ``model`` has (the same string for both)."""
    return AppointmentStatus.CANCELLED if model is Appointment else OrderStatus.CANCELLED


def record_is_cancelled(record: Record) -> bool:
    return record.status == cancelled_status(type(record))


def item_prices_get(keys: list[tuple[int, int]]) -> dict[tuple[int, int], ItemPrice]:
    """Catalogue items by (categoryId, itemId) in one BatchGet."""
    unique = sorted(set(keys))
    return {(item.category_id, item.item_id): item for item in ItemPrice.batch_get(unique)} if unique else {}


def record_update(
    record_type: str,
    record_id: str,
    *,
    allowed: Callable[[Record], None],
    actions: Callable[[Record], list[Action]],
    condition: Callable[[type[Appointment] | type[Order]], Condition | None],
) -> Record:
    """Apply billing ``actions`` when ``allowed(record)`` passes (it raises otherwise).

    ``condition`` repeats the rule on the server, so a concurrent writer cannot slip in between
    the check and the write; a version conflict re-reads and re-checks.
    """
    model = record_model(record_type)

    def attempt() -> Record:
        record = record_get(record_type, record_id)
        if record is None:
            raise NotFound(f"{record_type.capitalize()} not found")
        allowed(record)
        record.update(actions=actions(record), condition=condition(model))
        return record

    changed = Conflict("The record changed while it was being updated; please try again")
    return retry_on_conflict(attempt, attempts=_VERSION_RETRIES, or_raise=changed)


def record_set_if(record: Record, actions: list[Action], condition: Condition | None) -> bool:
    """One conditional update of ``record``; False when the condition (or version) failed."""
    try:
        record.update(actions=actions, condition=condition)
    except UpdateError as error:
        if not condition_failed(error):
            raise
        return False
    return True


def release_hold(record_type: str, record_id: str) -> None:
    """A record that stopped being paid gives back the slot its payment held (appointments)."""
    if record_type == "appointment":
        hold_release(record_id)


def describe(record: Record) -> dict[str, Any]:
    """A small JSON-safe summary of the record for events and portal pages."""
    return {
        "type": record_type_of(record),
        "referenceNumber": record_id_of(record),
        "paymentStatus": record.payment_status,
        "paymentMethod": record.payment_method,
    }


def reference_label(reference_type: str, reference_number: str) -> str:
    """``Appointment 1A2B3C4D``: a record's short id as the portal shows it; a manual reference as typed."""
    if reference_type in RECORD_TYPES:
        return f"{reference_type.capitalize()} {reference_number[:8].upper()}"
    return reference_number
