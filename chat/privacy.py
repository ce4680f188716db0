"""Anonymising a customer's own data in chat (Australian Privacy Principle 11.2): the profile, the
chat messages and the inquiries. Names, addresses, phones and every text the customer or staff
wrote are replaced with the placeholders of ``autolab.privacy``; ids and times stay, so the
conversation's shape (who wrote when) and the records pointing at it remain. Each step is safe to
run again: what is anonymised already is not written twice.
"""

from __future__ import annotations

from autolab import clock, privacy, search
from autolab.privacy import (
    ANONYMISED_EMAIL,
    ANONYMISED_FIRST_NAME,
    ANONYMISED_LAST_NAME,
    ANONYMISED_NAME,
    ANONYMISED_PHONE,
    REMOVED,
)
from chat import searching, selectors
from chat.models import Customer, Inquiry, Message

_PROFILE = {
    "user_name": ANONYMISED_NAME,
    "user_email": ANONYMISED_EMAIL,
    "contact_number": ANONYMISED_PHONE,
    "user_device": REMOVED,
    "user_location": REMOVED,
    "last_message": REMOVED,
}


# The stored names of what is personal, as audit entries name them (autolab.audit.history_redact).
PROFILE_FIELDS = frozenset(getattr(Customer, name).attr_name for name in _PROFILE) | {"searchText"}
INQUIRY_FIELDS = frozenset({"firstName", "lastName", "email", "message", "reply"})


def messages_anonymise(client_id: str) -> int:
    """Replace the text of every message of the customer's conversation; the number written."""
    written = 0
    for message in selectors.messages_of_customer(client_id):
        if message.message != REMOVED:
            message.update(actions=[Message.message.set(REMOVED)], condition=Message.message_id.exists())
            written += 1
    return written


def inquiries_anonymise(user_id: str) -> int:
    """Replace the name, email, text and reply subjects of every inquiry of the customer; the
    number written (the replies themselves are emails, anonymised with the customer's mail)."""
    written = 0
    for inquiry in selectors.inquiries_of_customer(user_id):
        wanted = {
            "first_name": ANONYMISED_FIRST_NAME,
            "last_name": ANONYMISED_LAST_NAME,
            "email": ANONYMISED_EMAIL,
            "message": REMOVED,
        }
        actions = [
            getattr(Inquiry, name).set(value) for name, value in wanted.items() if getattr(inquiry, name) != value
        ]
        replies = list(inquiry.replies or [])
        if any(reply.subject != REMOVED for reply in replies):  # a first reply's subject quotes the message
            for reply in replies:
                reply.subject = REMOVED
            actions.append(Inquiry.replies.set(replies))
        if actions:
            inquiry.update(actions=actions, condition=Inquiry.inquiry_id.exists())
            written += 1
    return written


def customer_anonymise(customer: Customer) -> bool:
    """Replace the profile with placeholders and mark the customer anonymised (the last step of
    the whole job, so a customer marked anonymised has nothing of theirs left to do)."""
    actions = privacy.placeholder_actions(customer, _PROFILE)
    if customer.search_text:
        actions.append(Customer.search_text.remove())
    if customer.anonymised_at is None:  # if_not_exists: two runs at once keep the first's time
        actions.append(Customer.anonymised_at.set(Customer.anonymised_at | clock.epoch_now()))
    search.remove(searching.KIND, customer.user_id)  # no longer found by what they were (a rerun repairs it)
    if not actions:
        return False
    customer.update(actions=actions, condition=Customer.user_id.exists())
    return True
