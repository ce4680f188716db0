"""Email: the outbox every app uses to email a customer.

``email_customer`` records the message in EmailMetadata (the outbox) once per ``dedupe_key`` (an
EmailOutboxKeys item, written in the same transaction; the message id itself is random) and
enqueues the send; the worker (``delivery.email_deliver``) renders it, checks suppression and sends
it exactly once. A transactional email can instead be written in another record's transaction
(``OutboxEmail``), so it exists exactly when that change does.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from pynamodb.transactions import TransactWrite

from autolab.batch import BatchRead
from emails import tasks
from emails.models import EmailMetadata, EmailOutboxKey, SmsMessage
from emails.records import QUEUED, new_message_id, queued_message
from emails.rendering import TRANSACTIONAL_TYPES
from emails.selectors import email_get, normalise_address
from emails.threads import message_create, outbox_write, outbox_write_items


@dataclass(frozen=True)
class OutboxEmail:
    """One customer email, not yet written: its message and its dedupe key.

    Written inside the transaction of the record it is about (``add_to`` or ``write_items``, with
    the thread head), then ``enqueue``d once committed: the email exists exactly when the change
    does, and a repeat of the change (the same dedupe key) can never queue a second one.
    """

    record: EmailMetadata
    key: EmailOutboxKey

    @property
    def message_id(self) -> str:
        return self.record.message_id

    def add_to(self, transaction: TransactWrite) -> None:
        outbox_write(transaction, self.record, self.key)

    def write_items(self) -> tuple[list[dict], list[dict]]:
        """The raw (puts, updates) for a low-level ``transact_write_items``."""
        return outbox_write_items(self.record, self.key)

    def enqueue(self) -> None:
        """Hand the committed message to the email worker (the reconciler covers a lost enqueue)."""
        tasks.email_send_enqueue(self.message_id, queued=self.record)


def email_customer(
    *,
    email_type: str,
    to_email: str,
    to_name: str = "",
    context: dict[str, Any],
    dedupe_key: str,
    attachments: list[str] | None = None,
) -> str:
    """Queue one customer email; the same ``dedupe_key`` never queues a second message.

    ``context`` must be JSON-serialisable: the template is rendered from it in the worker.
    Returns the EmailMetadata ``messageId``.
    """
    email = outbox_message(
        email_type=email_type,
        to_email=to_email,
        to_name=to_name,
        context=context,
        dedupe_key=dedupe_key,
        attachments=attachments,
    )
    if not message_create(email.record, outbox_key=email.key):
        return _queued_before(email.key.dedupe_key)
    email.enqueue()
    return email.message_id


def _queued_before(dedupe_key: str) -> str:
    """The message an earlier call queued under this key; handed to the worker again while it is
    still queued, as when a process died between writing it (e.g. in an invoice's transaction)
    and enqueueing it, and the caller's retry is what asks again."""
    message_id = EmailOutboxKey.get(dedupe_key, consistent_read=True).message_id
    record = email_get(message_id)
    if record is not None and record.status == QUEUED:
        tasks.email_send_enqueue(message_id)
    return message_id


def outbox_message(
    *,
    email_type: str,
    to_email: str,
    to_name: str = "",
    context: dict[str, Any],
    dedupe_key: str,
    attachments: list[str] | None = None,
) -> OutboxEmail:
    """The outbox message of one customer email and its dedupe key (``email_customer``'s
    arguments), to be written in a transaction (see ``OutboxEmail``)."""
    if email_type not in TRANSACTIONAL_TYPES:
        raise ValueError(f"Unknown email type {email_type!r}")
    message_id = new_message_id()
    record = queued_message(
        message_id=message_id,
        thread_id=message_id,
        from_name=settings.BUSINESS_NAME,
        attachments=attachments or [],
        to_emails={normalise_address(to_email)},
        to_name=to_name or None,
        subject="",
        email_type=email_type,
        context=json.dumps({**context, "to_name": to_name}, default=str),
        tags={"sent", "transactional"},
    )
    key = EmailOutboxKey(dedupe_key=dedupe_hash(dedupe_key), message_id=message_id, created_at=record.created_at)
    return OutboxEmail(record, key)


def dedupe_hash(dedupe_key: str) -> str:
    return hashlib.sha256(dedupe_key.encode()).hexdigest()


def already_queued(email_keys: list[str], sms_keys: list[str]) -> set[str]:
    """Which of these email dedupe keys and SMS idempotency keys were used before: ONE
    BatchGetItem, so a periodic job can skip what it sent without a write per item."""
    batch = BatchRead()
    hashed = {dedupe_hash(key): key for key in [*email_keys, *sms_keys]}
    for key in email_keys:
        batch.add(EmailOutboxKey, dedupe_hash(key))
    for key in sms_keys:
        batch.add(SmsMessage, dedupe_hash(key))
    if not hashed:
        return set()
    found = batch.run()
    used = [raw["dedupeKey"]["S"] for raw in found.get(EmailOutboxKey.Meta.table_name, [])]
    used += [raw["smsId"]["S"] for raw in found.get(SmsMessage.Meta.table_name, [])]
    return {hashed[key] for key in used}
