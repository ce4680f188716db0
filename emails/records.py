"""What every writer of EmailMetadata records shares: the delivery states, the marks of a message we
sent (``queued_message``), the record clock (epoch milliseconds) and fresh message ids.

It sits below the outbox, delivery, the mailbox and inbound mail, so none of them has to import
another for these (importing them from the outbox is what tied the email modules in a circle).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from email.utils import parseaddr
from typing import Any

from django.conf import settings

from autolab import clock
from emails.models import EmailMetadata
from emails.selectors import month_of, normalise_address

QUEUED, SENDING, SENT, SUPPRESSED, FAILED, UNCERTAIN = "queued", "sending", "sent", "suppressed", "failed", "uncertain"
FINAL_STATES = (SENT, SUPPRESSED, FAILED, UNCERTAIN)
SENT_CONTENT_TYPE = "application/sent-email"  # marks a message we sent (the original's value)
BODY_LIMIT = 100_000  # characters of each body kept on the record (DynamoDB items stop at 400 KB)


def now_ms() -> int:
    """Now in epoch milliseconds: ``createdAt`` of email records, as in the original."""
    return int(clock.now().timestamp() * 1000)


def new_message_id() -> str:
    """A fresh, unguessable id for a message we send (Message-ID ``<id@our-domain>``).

    Never derived from anything about the message: a predictable id would let an outsider join a
    customer's thread or take the id of an email before we send it.
    """
    return str(uuid.uuid4())


def contact_address(*, received: bool, from_email: str | None, to_emails: Iterable[str] | None) -> str | None:
    """Whom an email is with (``contactEmail``): a received mail's sender, a sent one's first recipient."""
    if received:
        return normalise_address(from_email or "") or None
    recipients = sorted(normalise_address(address) for address in to_emails or ())
    return recipients[0] if recipients else None


def queued_message(
    *, message_id: str, thread_id: str, from_name: str, attachments: list[str], **fields: Any
) -> EmailMetadata:
    """A message we send as the outbox first records it: from our address, queued, read, in this
    month's mailbox, with its stored ``attachments``; ``fields`` are what the kind of message adds."""
    created_ms = now_ms()
    return EmailMetadata(
        message_id=message_id,
        thread_id=thread_id,
        from_email=normalise_address(parseaddr(settings.DEFAULT_FROM_EMAIL)[1]),
        from_name=from_name,
        content_type=SENT_CONTENT_TYPE,
        status=QUEUED,
        outbox_state=QUEUED,
        attachments=attachments or None,
        has_attachments=bool(attachments),
        attachment_count=len(attachments),
        is_read=True,
        created_at=created_ms,
        mailbox_month=month_of(created_ms),
        updated_at=clock.iso_local(),
        contact_email=contact_address(received=False, from_email=None, to_emails=fields.get("to_emails")),
        **fields,
    )
