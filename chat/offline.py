"""Chat offline fallback (#16.6): a staff reply the customer has not seen within
``CHAT_OFFLINE_EMAIL_MINUTES`` is emailed to them, when their address is known, with a link back
to the chat.

Seen is the chat's own read receipt: the website sends ``MESSAGE_VIEWED`` when its panel shows a
staff message (``Message.viewed``). Every staff message puts its conversation on a due-queue, the
sparse GSI ``offlineKey-offlineDueAtMs-index`` of Users (in the message's own transaction):
``offlineDueAtMs`` (when to look, kept if already set), ``offlineLastMs`` (the newest staff
message). ``offlineThroughMs`` is the newest staff message already dealt with (emailed, seen, or
with nowhere to email it); a batch is the staff messages after it.

The beat task (``offline_emails_send``) Queries the queue for what is due and, per conversation,
reads the staff messages after ``offlineThroughMs`` (a Query of the conversation index, then a
consistent BatchGetItem of their receipts). The email is written in ONE transaction with the
conversation's move of ``offlineThroughMs`` (conditioned on the values read), so of two runs at
once exactly one writes it, and a reply arriving meanwhile fails the write and is taken up, with
the rest of its batch, by the next run. Suppression is the outbox's: the worker checks it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action

from autolab import clock, dynamodb
from autolab.dynamodb import condition_failed
from chat.models import Customer, Message
from emails.services import outbox_message

DUE = "DUE"
EMAIL_TYPE = "chat_offline_reply"
# The conversation GSI is eventually consistent: a newest reply it does not show yet is waited
# for, unless it is older than this (then it was deleted).
INDEX_LAG_MS = 60_000


def delay_ms() -> int:
    return int(settings.CHAT_OFFLINE_EMAIL_MINUTES) * 60_000


def reply_actions(sent_ms: int) -> list[Action]:
    """What a staff reply adds to its conversation (in the message's transaction)."""
    return [
        Customer.offline_key.set(DUE),
        Customer.offline_due_at_ms.set(Customer.offline_due_at_ms | (sent_ms + delay_ms())),
        Customer.offline_last_ms.set(sent_ms),
    ]


def chat_url() -> str:
    """The website's chat: its widget, on every page, keeps the conversation in that browser."""
    return settings.FRONTEND_ROOT_URL.rstrip("/") + "/?chat=open"


@dataclass(frozen=True)
class Outcome:
    emailed: int = 0
    seen: int = 0  # batches found seen (or with nowhere to email them), taken off the queue
    waiting: int = 0  # batches not due yet, or changing under the run


def offline_emails_send(now_ms: int | None = None) -> dict[str, int]:
    """Email every unseen batch that is due at ``now_ms`` (default now) and not emailed before."""
    moment = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    totals = {"emailed": 0, "seen": 0, "waiting": 0}
    for customer in Customer.offline_index.query(DUE, Customer.offline_due_at_ms <= moment):
        outcome = _conversation(customer, moment)
        for name in totals:
            totals[name] += getattr(outcome, name)
    return totals


def _staff_messages_after(customer: Customer, through: int) -> list[Message]:
    found = Message.conversation_index.query(
        customer.user_id,
        Message.sent_at_ms > through,
        filter_condition=Message.sender_id != customer.user_id,
    )
    ids = [message.message_id for message in found]
    if not ids:
        return []
    # The index may lag a receipt: read the messages themselves, consistently.
    fresh = {message.message_id: message for message in Message.batch_get(ids, consistent_read=True)}
    return sorted(fresh.values(), key=lambda message: message.sent_at_ms or 0)


def _conversation(customer: Customer, now_ms: int) -> Outcome:
    through = customer.offline_through_ms or 0
    last = customer.offline_last_ms or 0
    messages = [m for m in _staff_messages_after(customer, through) if (m.sent_at_ms or 0) <= last]
    if last > through and not any(m.sent_at_ms == last for m in messages) and now_ms - last < INDEX_LAG_MS:
        return Outcome(waiting=1)  # the newest reply is not in the index yet
    unseen = [message for message in messages if not message.viewed]
    if not unseen or not customer.user_email:
        return Outcome(seen=1) if _done(customer, through, last) else Outcome(waiting=1)
    oldest_ms = unseen[0].sent_at_ms or 0
    if oldest_ms + delay_ms() > now_ms:
        _wait_until(customer, oldest_ms + delay_ms())
        return Outcome(waiting=1)
    return Outcome(emailed=1) if _email(customer, unseen, through, last) else Outcome(waiting=1)


def _unchanged(customer: Customer, through: int, last: int) -> Any:
    """The conversation is as read: no reply since, and nobody dealt with this batch meanwhile."""
    same_through = (
        Customer.offline_through_ms == through
        if customer.offline_through_ms is not None
        else Customer.offline_through_ms.does_not_exist()
    )
    return (Customer.offline_key == DUE) & (Customer.offline_last_ms == last) & same_through


def _settled_actions(last: int) -> list[Action]:
    return [Customer.offline_through_ms.set(last), Customer.offline_key.remove(), Customer.offline_due_at_ms.remove()]


def _done(customer: Customer, through: int, last: int) -> bool:
    try:
        customer.update(actions=_settled_actions(last), condition=_unchanged(customer, through, last))
    except UpdateError as error:
        if condition_failed(error):
            return False  # a reply came meanwhile: the next run looks again
        raise
    return True


def _wait_until(customer: Customer, due_ms: int) -> None:
    try:
        customer.update(actions=[Customer.offline_due_at_ms.set(due_ms)], condition=Customer.offline_key == DUE)
    except UpdateError as error:
        if not condition_failed(error):
            raise


def _when(message: Message) -> str:
    return clock.to_local(clock.from_epoch(message.created_at)).strftime("%a %d %b, %H:%M")


def _email(customer: Customer, unseen: list[Message], through: int, last: int) -> bool:
    """The email and the batch's settlement, in one transaction; False when another run (or a
    new reply) got there first."""
    email = outbox_message(
        email_type=EMAIL_TYPE,
        to_email=customer.user_email or "",
        to_name=customer.user_name or "",
        context={
            "chatMessages": [{"text": message.message, "at": _when(message)} for message in unseen],
            "chatUrl": chat_url(),
        },
        dedupe_key=f"chat_offline:{customer.user_id}:{unseen[0].message_id}",
    )
    try:
        with dynamodb.transaction() as writer:
            writer.update(
                Customer(user_id=customer.user_id),
                actions=_settled_actions(last),
                condition=_unchanged(customer, through, last),
            )
            email.add_to(writer)
    except TransactWriteError as error:
        if dynamodb.failed_conditions(error):
            return False
        raise
    email.enqueue()
    return True
