"""Coordination items in the BillingKeys table: counter, active-invoice locks, event ids, markers."""

from __future__ import annotations

from pynamodb.exceptions import PutError

from autolab import clock
from autolab.dynamodb import condition_failed
from billing.models import BillingKey

COUNTER = "counter"
INVOICE_COUNTER = "invoiceNumber"
ADJUSTMENT_COUNTER = "adjustmentNoteNumber"
ACTIVE_INVOICE = "active-invoice"
STRIPE_EVENT = "stripe-event"
PENDING_INVOICE = "pending-invoice"


def reference_key(reference_type: str, reference_number: str) -> str:
    return f"{reference_type}#{reference_number}"


def key_get(kind: str, key: str) -> BillingKey | None:
    return BillingKey.get_or_none(kind, key, consistent_read=True)


def active_lock_get(reference_type: str, reference_number: str) -> BillingKey | None:
    return key_get(ACTIVE_INVOICE, reference_key(reference_type, reference_number))


def active_lock(reference_type: str, reference_number: str, invoice_id: str) -> BillingKey:
    """The item saying ``invoice_id`` is the record's one active invoice (saved create-only)."""
    return BillingKey(kind=ACTIVE_INVOICE, key=reference_key(reference_type, reference_number), invoice_id=invoice_id)


def counter_value(name: str = INVOICE_COUNTER) -> int:
    item = key_get(COUNTER, name)
    return int(item.value or 0) if item else 0


def event_claim(event_id: str) -> bool:
    """Record a Stripe event id; False when it was already processed (a duplicate delivery)."""
    item = BillingKey(kind=STRIPE_EVENT, key=event_id, created_at=clock.epoch_now())
    try:
        item.save(condition=BillingKey.key.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            return False
        raise
    return True


def event_release(event_id: str) -> None:
    """Forget an event whose handling failed, so Stripe's retry is processed again."""
    BillingKey(kind=STRIPE_EVENT, key=event_id).delete()


def pending_marker(reference_type: str, reference_number: str) -> BillingKey:
    return BillingKey(
        kind=PENDING_INVOICE, key=reference_key(reference_type, reference_number), created_at=clock.epoch_now()
    )


def pending_clear(reference_type: str, reference_number: str) -> None:
    BillingKey(kind=PENDING_INVOICE, key=reference_key(reference_type, reference_number)).delete()


def pending_list(older_than: int, limit: int = 200) -> list[tuple[str, str]]:
    """(type, id) of paid records still waiting for their invoice, oldest marker first."""
    found = []
    for item in BillingKey.query(PENDING_INVOICE, limit=limit):
        if (item.created_at or 0) <= older_than:
            reference_type, _, reference_number = item.key.partition("#")
            found.append((reference_type, reference_number))
    return found
