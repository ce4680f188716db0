"""The customer record: everything the business holds about one customer, read for the staff page
(billing.portal.customers) and the privacy export and anonymisation (billing.privacy).

It lives in billing because it combines every app (chat's customer, chats and inquiries, bookings'
appointments, shop's orders, billing's money, emails' mail) and only billing may use them all
(devtools/imports.py). Every read is a Query on an index by customer, or a BatchGetItem by key:

- customer: GetItem; appointments and orders: ``createdUserId-index``; payments: ``userId-index``;
- invoices: BatchGetItem of the invoice ids the appointments and orders carry;
- chat: ``clientId-sentAtMs-index``; inquiries: ``userId-createdAt-index``;
- emails: ``contactEmail-createdAt-index``, one Query per address the customer used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from billing import records, selectors
from billing.models import Invoice, Payment
from bookings import selectors as booking_selectors
from bookings.models import Appointment
from chat import selectors as chat_selectors
from chat.models import Customer, Inquiry, Message
from emails import selectors as email_selectors
from emails.models import EmailMetadata
from shop import selectors as shop_selectors
from shop.models import Order

RECENT = 50  # of chat messages and of emails per address on the page (the export reads them all)


@dataclass
class CustomerRecord:
    customer: Customer
    appointments: list[Appointment] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    inquiries: list[Inquiry] = field(default_factory=list)
    emails: list[EmailMetadata] = field(default_factory=list)

    @property
    def records(self) -> list[records.Record]:
        return [*self.appointments, *self.orders]


def addresses_of(customer: Customer, held: list[records.Record], inquiries: list[Inquiry]) -> set[str]:
    """Every email address the customer gave: the profile's, each booking's and order's, each inquiry's."""
    found = {customer.user_email or ""}
    found |= {records.record_contact(record).email for record in held}
    found |= {inquiry.email for inquiry in inquiries}
    return {email_selectors.normalise_address(address) for address in found} - {"", "n/a"}


def customer_record(user_id: str, *, recent: int | None = RECENT) -> CustomerRecord | None:
    """The customer's record, each kind newest first; ``recent`` caps chat messages and emails per
    address (None: all of them). None for an unknown customer."""
    customer = chat_selectors.customer_get(user_id)
    if customer is None:
        return None
    found = CustomerRecord(
        customer=customer,
        appointments=booking_selectors.appointments_of_customer(user_id),
        orders=shop_selectors.orders_of_customer(user_id),
        payments=selectors.payments_of_customer(user_id),
        messages=chat_selectors.messages_of_customer(user_id, limit=recent),
        inquiries=chat_selectors.inquiries_of_customer(user_id),
    )
    invoice_ids = [record.invoice_id for record in found.records if record.invoice_id]
    found.invoices = sorted(selectors.invoices_get_many(invoice_ids), key=lambda i: i.created_at, reverse=True)
    emails: dict[str, EmailMetadata] = {}
    for address in sorted(addresses_of(customer, found.records, found.inquiries)):
        emails |= {email.message_id: email for email in email_selectors.emails_with(address, limit=recent)}
    found.emails = sorted(emails.values(), key=lambda email: email.created_at, reverse=True)
    return found
