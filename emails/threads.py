"""Thread heads: every write of a message updates its thread's head in the same transaction.

A head carries what the thread list shows (message, unread and important counts, participants,
subject, newest message), so listing 20 threads is one BatchGetItem instead of 20 Queries. Threads
from before heads existed have none; they are read from their messages (selectors.thread_list)
and never get a head that would count only their newer messages.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from autolab import clock, dynamodb
from emails.models import EmailMetadata, EmailOutboxKey, EmailThreadHead
from emails.selectors import email_get

# Positions in message_create's transaction: DynamoDB lists puts before updates, so the outbox
# key (a put) comes before the head (an update).
_MESSAGE, _OUTBOX_KEY = 0, 1
_FLAG_ATTEMPTS = 5


def _failed_conditions(error: TransactWriteError) -> set[int]:
    """Positions of the transaction's items whose condition failed; raise for any other failure."""
    failed = dynamodb.failed_conditions(error)
    if not failed:
        raise error
    return failed


def _addresses(record: EmailMetadata) -> set[str]:
    return {record.from_email or "", *(record.to_emails or set()), *(record.cc_emails or set())} - {""}


def _head_actions(record: EmailMetadata, thread_subject: str) -> list[Any]:
    """What one new message adds to its thread's head."""
    actions = [
        EmailThreadHead.message_count.add(1),
        EmailThreadHead.unread_count.add(0 if record.is_read else 1),
        EmailThreadHead.important_count.add(1 if record.is_important else 0),
        EmailThreadHead.last_message_id.set(record.message_id),
        EmailThreadHead.last_created_at.set(record.created_at),
    ]
    if addresses := _addresses(record):
        actions.append(EmailThreadHead.participants.add(addresses))
    if subject := thread_subject or record.subject:
        actions.append(EmailThreadHead.subject.set(EmailThreadHead.subject | subject))
    return actions


def message_create(
    record: EmailMetadata,
    *,
    thread_subject: str = "",
    starts_thread: bool | None = None,
    outbox_key: EmailOutboxKey | None = None,
) -> bool:
    """Put a new message and fold it into its thread's head; False when the message id exists, or
    when ``outbox_key`` (a transactional send's dedupe key) was taken by an earlier send.

    ``thread_subject`` is the thread's subject when the message answers one (its parent's), so a
    reply's "Re: ..." never names a thread whose first message has no subject yet. ``starts_thread``
    defaults to "the thread is named after this message".
    """
    thread_id = record.thread_id or record.message_id
    actions = _head_actions(record, thread_subject)
    # A new thread starts its head; a reply joins an existing head (none: a thread from before heads).
    if starts_thread is None:
        starts_thread = thread_id == record.message_id
    head_condition = EmailThreadHead.thread_id.does_not_exist() if starts_thread else EmailThreadHead.thread_id.exists()
    try:
        with dynamodb.transaction() as transaction:
            transaction.save(record, condition=EmailMetadata.message_id.does_not_exist())
            if outbox_key is not None:
                transaction.save(outbox_key, condition=EmailOutboxKey.dedupe_key.does_not_exist())
            transaction.update(EmailThreadHead(thread_id=thread_id), actions=actions, condition=head_condition)
    except TransactWriteError as error:
        failed = _failed_conditions(error)
        if _MESSAGE in failed or (outbox_key is not None and _OUTBOX_KEY in failed):
            return False
        return _save_without_head(record, outbox_key)
    return True


def outbox_write(transaction: TransactWrite, record: EmailMetadata, outbox_key: EmailOutboxKey) -> None:
    """Add a transactional email that starts its own thread to another record's ``transaction``:
    the message, its dedupe key and its thread head, each conditioned on being new."""
    transaction.save(record, condition=EmailMetadata.message_id.does_not_exist())
    transaction.save(outbox_key, condition=EmailOutboxKey.dedupe_key.does_not_exist())
    transaction.update(
        EmailThreadHead(thread_id=record.message_id),
        actions=_head_actions(record, ""),
        condition=EmailThreadHead.thread_id.does_not_exist(),
    )


def outbox_write_items(record: EmailMetadata, outbox_key: EmailOutboxKey) -> tuple[list[dict], list[dict]]:
    """``outbox_write`` as the raw (puts, updates) of a low-level ``transact_write_items``."""
    puts = [
        record.get_save_kwargs_from_instance(condition=EmailMetadata.message_id.does_not_exist()),
        outbox_key.get_save_kwargs_from_instance(condition=EmailOutboxKey.dedupe_key.does_not_exist()),
    ]
    head = EmailThreadHead(thread_id=record.message_id)
    updates = [
        head.get_update_kwargs_from_instance(
            actions=_head_actions(record, ""), condition=EmailThreadHead.thread_id.does_not_exist()
        )
    ]
    return puts, updates


def _save_without_head(record: EmailMetadata, outbox_key: EmailOutboxKey | None) -> bool:
    if outbox_key is not None:  # a send's message and its dedupe key are written together or not at all
        try:
            with dynamodb.transaction() as transaction:
                transaction.save(record, condition=EmailMetadata.message_id.does_not_exist())
                transaction.save(outbox_key, condition=EmailOutboxKey.dedupe_key.does_not_exist())
        except TransactWriteError as error:
            _failed_conditions(error)
            return False
        return True
    try:
        record.save(condition=EmailMetadata.message_id.does_not_exist())
    except PutError as error:
        if dynamodb.condition_failed(error):
            return False
        raise
    return True


def _is(attribute: Any, value: bool) -> Any:
    """The flag has ``value`` (an item written without the flag reads as False)."""
    return attribute == value if value else (attribute == value) | attribute.does_not_exist()


def message_flags_set(
    *, message_id: str, is_read: bool | None = None, is_important: bool | None = None, actions: list[Any] | None = None
) -> bool:
    """Set a message's flags (plus ``actions``) and move its head's counts by the change, in one
    transaction conditioned on the flags read just before; False for an unknown message."""

    def attempt() -> bool:
        record = email_get(message_id)
        if record is None:
            return False
        was_read, was_important = bool(record.is_read), bool(record.is_important)
        now_read = was_read if is_read is None else is_read
        now_important = was_important if is_important is None else is_important
        message_actions = [*(actions or []), EmailMetadata.updated_at.set(clock.iso_local())]
        message_actions += [EmailMetadata.is_read.set(now_read), EmailMetadata.is_important.set(now_important)]
        head_actions: list[Action] = [
            EmailThreadHead.unread_count.add(int(was_read) - int(now_read)),
            EmailThreadHead.important_count.add(int(now_important) - int(was_important)),
        ]
        condition = _is(EmailMetadata.is_read, was_read) & _is(EmailMetadata.is_important, was_important)
        head = EmailThreadHead(thread_id=record.thread_id or record.message_id)
        try:
            with dynamodb.transaction() as transaction:
                transaction.update(record, actions=message_actions, condition=condition)
                transaction.update(head, actions=head_actions, condition=EmailThreadHead.thread_id.exists())
        except TransactWriteError as error:
            if _MESSAGE in _failed_conditions(error):
                raise  # changed (or deleted) meanwhile: read again
            record.update(actions=message_actions, condition=condition)  # a thread from before heads
        return True

    spent = RuntimeError(f"Email {message_id}: flags kept changing under {_FLAG_ATTEMPTS} attempts")
    return dynamodb.retry_on_conflict(attempt, attempts=_FLAG_ATTEMPTS, or_raise=spent)
