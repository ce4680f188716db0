"""How the staff search finds customers (autolab.search): by name, email or phone."""

from __future__ import annotations

from collections.abc import Iterator

from autolab import search
from autolab.dynamodb import transaction
from autolab.permissions import Permission
from chat.models import Customer

KIND = "customer"


def customer_document(customer: Customer) -> search.Document:
    name = customer.user_name or customer.user_email or f"Customer {customer.user_id[:8]}"
    details = [part for part in (customer.user_email, customer.contact_number) if part]
    return search.Document(
        kind=KIND,
        record_id=customer.user_id,
        label=name,
        subtitle=" · ".join(details),
        texts=(customer.user_name, customer.user_email),
        phones=(customer.contact_number,),
    )


def customer_save_new(customer: Customer) -> None:
    """Store a new customer; one with a name, email or phone is stored with its index entries, in
    one transaction (an anonymous visitor is one PutItem, as before)."""
    document = customer_document(customer)
    if not document.tokens():
        customer.save(condition=Customer.user_id.does_not_exist())
        return
    with transaction() as writer:
        writer.save(customer, condition=Customer.user_id.does_not_exist())
        search.add_to(writer, document)


def customer_indexed(customer: Customer) -> None:
    """Index the customer as just updated (the postings of details it no longer has go)."""
    search.index(customer_document(customer))


def _load(user_id: str) -> search.Document | None:
    customer = Customer.get_by_id(user_id)
    return customer_document(customer) if customer is not None else None


def _everything() -> Iterator[search.Document]:
    for customer in Customer.scan():  # search_reindex only, offline
        yield customer_document(customer)


def register() -> None:
    search.register(
        search.Kind(
            name=KIND,
            title="Customer",
            permissions=(Permission.USERS_VIEW,),
            url_name="admin:chat-customer",
            url_kwarg="user_id",
            load=_load,
            everything=_everything,
        )
    )
