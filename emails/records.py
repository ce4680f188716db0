"""What every writer of EmailMetadata records shares: the delivery states, the marks of a message we
sent, the record clock (epoch milliseconds) and fresh message ids.

It sits below the outbox, delivery, the mailbox and inbound mail, so none of them has to import
another for these (importing them from the outbox is what tied the email modules in a circle).
"""

from __future__ import annotations

import uuid

from autolab import clock

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
