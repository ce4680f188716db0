"""Anonymising the emails exchanged with a customer's address (Australian Privacy Principle 11.2).

Each email to or from the address keeps its id, thread, times, type and delivery state; its
subject and bodies become "[removed]", the address becomes the anonymised placeholder and the
greeting name goes. Files attached to them are kept: an invoice PDF sent by email is a tax record.
The address's delivery events (EmailAnalytics, keyed by the address, so they cannot be rewritten)
are deleted and counted. Its suppression entries are kept, so the address is never mailed again.
Safe to run again: an email already anonymised no longer carries the address.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.expressions.update import Action

from autolab.privacy import ANONYMISED_EMAIL, REMOVED
from emails import selectors
from emails.models import EmailAnalytics, EmailMetadata, EmailThreadHead


@dataclass
class EmailsAnonymised:
    emails: int = 0
    delivery_events_deleted: int = 0


def emails_anonymise(addresses: set[str]) -> EmailsAnonymised:
    done = EmailsAnonymised()
    for address in sorted({selectors.normalise_address(a) for a in addresses} - {"", ANONYMISED_EMAIL}):
        for email in selectors.emails_with(address):
            email.update(actions=_actions(email, address), condition=EmailMetadata.message_id.exists())
            _thread_head_anonymise(email.thread_id or email.message_id, address)
            done.emails += 1
        for event in EmailAnalytics.query(address):
            event.delete()
            done.delivery_events_deleted += 1
    return done


def _swap(addresses: set[str] | None, address: str) -> set[str] | None:
    if not addresses or address not in addresses:
        return addresses
    return (addresses - {address}) | {ANONYMISED_EMAIL}


def _actions(email: EmailMetadata, address: str) -> list[Action]:
    actions: list[Action] = [
        EmailMetadata.subject.set(REMOVED),
        EmailMetadata.contact_email.set(ANONYMISED_EMAIL),
    ]
    if email.body_text:
        actions.append(EmailMetadata.body_text.set(REMOVED))
    if email.body_html:
        actions.append(EmailMetadata.body_html.remove())
    if email.from_email == address:
        actions.append(EmailMetadata.from_email.set(ANONYMISED_EMAIL))
    if email.from_email == address and email.from_name:
        actions.append(EmailMetadata.from_name.remove())
    for attribute, value in (
        (EmailMetadata.to_emails, email.to_emails),
        (EmailMetadata.cc_emails, email.cc_emails),
        (EmailMetadata.bcc_emails, email.bcc_emails),
    ):
        swapped = _swap(value, address)
        if swapped != value and swapped:
            actions.append(attribute.set(swapped))
    # The greeting name and the render context (it holds the names the body was made from).
    actions += [EmailMetadata.to_name.remove(), EmailMetadata.context.remove()]
    return actions


def _thread_head_anonymise(thread_id: str, address: str) -> None:
    head = EmailThreadHead.get_or_none(thread_id)
    if head is None:
        return
    swapped = _swap(head.participants, address)
    actions: list[Action] = [EmailThreadHead.subject.set(REMOVED)]
    if swapped != head.participants and swapped:
        actions.append(EmailThreadHead.participants.set(swapped))
    head.update(actions=actions)
