"""Privacy requests (Australian Privacy Principles 11-13): export everything held about a customer
(APP 12, access) and anonymise a customer on request (APP 11.2, de-identify what is not needed)
while keeping the tax records the law requires.

Kept on anonymisation, by law: tax invoices and their PDFs, adjustment notes, refunds and payments.
The ATO requires business records of sales to be kept for five years (Taxation Administration Act
1953, Income Tax Assessment Act 1936 s 262A), and a tax invoice must show who it was issued to, so
an issued invoice is never edited (ARCHITECTURE.md §8). The appointments and orders stay as well
(their prices, dates and invoice links are what those documents refer to), with every personal
field replaced by a placeholder. Nothing is deleted except the address's email delivery events,
which are keyed by the address itself; the export and the audit entry say how many. The staff audit
trail of the customer and their records keeps who changed what and when, with the personal values
it recorded replaced by the placeholder.

Anonymisation is idempotent and resumable: each step skips what is done, so running it again after
an interruption finishes the job. The steps run in an order that keeps that true: emails first,
while the records that name the customer's addresses are still intact; the customer profile last,
which marks the customer anonymised.

It lives in billing because it reads and writes every app (see billing.customers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from autolab import audit, clock
from autolab.exceptions import NotFound
from autolab.permissions import StaffIdentity
from autolab.privacy import REMOVED
from billing import customers, records, selectors
from bookings import privacy as booking_privacy
from bookings.selectors import appointments_of_customer
from chat import privacy as chat_privacy
from chat import selectors as chat_selectors
from emails import privacy as email_privacy
from emails import selectors as email_selectors
from shop import privacy as shop_privacy
from shop.selectors import orders_of_customer

KEPT = (
    "Tax invoices and their PDFs, adjustment notes, refunds and payments are kept unchanged: the ATO "
    "requires sales records to be kept for five years, and a tax invoice must show whom it was issued to."
)
AUDIT_LIMIT = 500  # entries per record in an export (a record has a few dozen at most)


def _plain(items: list[Any]) -> list[dict[str, Any]]:
    return [audit.snapshot(item) for item in items]


def _record_key(record: records.Record) -> tuple[str, str]:
    return records.record_type_of(record), records.record_id_of(record)


def customer_export(*, user_id: str, actor: StaffIdentity) -> dict[str, Any]:
    """Everything held about the customer, as JSON-ready data by stored (camelCase) field names;
    writes the audit entry of the export."""
    found = customers.customer_record(user_id, recent=None)
    if found is None:
        raise NotFound(f"User not found: {user_id}")
    references = [records.record_id_of(record) for record in found.records]
    invoices = [invoice for ref in references for invoice in selectors.invoices_for_reference(ref)]
    payments = {p.payment_intent_id: p for p in found.payments}
    payments |= {p.payment_intent_id: p for ref in references for p in selectors.payments_for_reference(ref)}
    addresses = sorted(customers.addresses_of(found.customer, found.records, found.inquiries))
    audited = [("customer", user_id), *map(_record_key, found.records)]
    audited += [("invoice", i.invoice_id) for i in invoices] + [("inquiry", i.inquiry_id) for i in found.inquiries]
    exported: dict[str, Any] = {
        "customerId": user_id,
        "exportedAt": clock.now().isoformat(),
        "exportedBy": actor.email,
        "customer": audit.snapshot(found.customer),
        "connections": _plain(chat_selectors.connections_of_user(user_id)),
        "appointments": _plain(found.appointments),
        "orders": _plain(found.orders),
        "payments": _plain(sorted(payments.values(), key=lambda p: p.created_at)),
        "invoices": _plain(invoices),
        "refunds": _plain([r for ref in references for r in selectors.refunds_for_reference(ref)]),
        "adjustmentNotes": _plain([n for ref in references for n in selectors.notes_for_reference(ref)]),
        "chatMessages": _plain(found.messages),
        "inquiries": _plain(found.inquiries),
        "emailAddresses": addresses,
        "emails": _plain(found.emails),
        "emailDeliveryEvents": _plain([e for a in addresses for e in email_selectors.analytics_for(a, limit=1000)]),
        "emailSuppressions": _plain([s for a in addresses for s in email_selectors.suppression_list_for(a)]),
        "auditEntries": _plain(
            [e for kind, key in audited for e in audit.history(kind, key, limit=AUDIT_LIMIT).entries]
        ),
    }
    counts = {name: len(value) for name, value in exported.items() if isinstance(value, list)}
    audit.record(actor, "customer.export", "customer", user_id, changes={"exported": [None, counts]})
    return exported


def _audit_redact(user_id: str) -> int:
    """The personal values in the staff audit trail of the customer and their records (who did
    what, and when, stays); the entries rewritten."""
    trails = [
        ("customer", user_id, chat_privacy.PROFILE_FIELDS),
        *(
            ("appointment", a.appointment_id, booking_privacy.PERSONAL_FIELDS)
            for a in appointments_of_customer(user_id)
        ),
        *(("order", o.order_id, shop_privacy.PERSONAL_FIELDS) for o in orders_of_customer(user_id)),
        *(
            ("inquiry", i.inquiry_id, chat_privacy.INQUIRY_FIELDS)
            for i in chat_selectors.inquiries_of_customer(user_id)
        ),
    ]
    return sum(audit.history_redact(kind, record_id, fields, REMOVED) for kind, record_id, fields in trails)


@dataclass
class Anonymised:
    """What one run wrote (zeros on a run after a complete one)."""

    emails: int
    email_delivery_events_deleted: int
    chat_messages: int
    inquiries: int
    appointments: int
    orders: int
    audit_entries: int
    customer: bool
    anonymised_at: dt.datetime | None

    def counts(self) -> dict[str, int]:
        return {name: int(value) for name, value in asdict(self).items() if name != "anonymised_at"}


def customer_anonymise(*, user_id: str, actor: StaffIdentity) -> Anonymised:
    """Anonymise the customer's own data, keep the tax records (module docstring); safe to re-run."""
    found = customers.customer_record(user_id, recent=1)
    if found is None:
        raise NotFound(f"User not found: {user_id}")
    mailed = email_privacy.emails_anonymise(customers.addresses_of(found.customer, found.records, found.inquiries))
    done = Anonymised(
        emails=mailed.emails,
        email_delivery_events_deleted=mailed.delivery_events_deleted,
        chat_messages=chat_privacy.messages_anonymise(user_id),
        inquiries=chat_privacy.inquiries_anonymise(user_id),
        appointments=booking_privacy.appointments_anonymise(user_id),
        orders=shop_privacy.orders_anonymise(user_id),
        audit_entries=_audit_redact(user_id),
        customer=chat_privacy.customer_anonymise(found.customer),
        anonymised_at=None,
    )
    at = found.customer.anonymised_at  # the update above read the item back
    done.anonymised_at = clock.from_epoch(at) if at else None
    audit.record(actor, "customer.anonymise", "customer", user_id, changes={"anonymised": [None, done.counts()]})
    return done
