"""Chat messages and their signals (typing, receipts, edits, deletes): writes, rules and live pushes.

A message is stored first, then pushed in the same call (§4.4), whoever sends it: REST, the
portal or a worker. The conversation of a customer is keyed by ``clientId`` (their userId).
"""

from __future__ import annotations

import contextlib
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action

from autolab import clock, events
from autolab.dynamodb import condition_failed, failed_conditions, transaction
from autolab.exceptions import Conflict, NotFound, PermissionDenied, ServiceUnavailable, ValidationError
from autolab.permissions import Permission, StaffIdentity
from chat import live, offline, selectors
from chat.models import Customer, Message
from chat.validation import MESSAGE_ID_RE, clean_message_text, clean_text

ALL = "ALL"  # receiverId of every customer message (§4.3)
PREVIEW_LENGTH = 200


class Signal(StrEnum):
    TYPING = "TYPING"
    MESSAGE_RECEIVED = "MESSAGE_RECEIVED"
    MESSAGE_VIEWED = "MESSAGE_VIEWED"
    MESSAGE_EDITED = "MESSAGE_EDITED"
    MESSAGE_DELETED = "MESSAGE_DELETED"


@dataclass(frozen=True)
class Actor:
    """Who sends or signals: a staff member, or a customer identified by their userId."""

    user_id: str
    staff: StaffIdentity | None = None

    @property
    def is_staff(self) -> bool:
        return self.staff is not None


@dataclass(frozen=True)
class SentMessage:
    """A stored and pushed message, with the name its receiver sees it from."""

    message: Message
    sender_name: str


def may_chat(staff: StaffIdentity) -> bool:
    return staff.has(Permission.CHAT_INBOX)


def actor_for(*, staff: StaffIdentity | None, user_id: str | None) -> Actor:
    """The actor of a chat request: the signed-in chat staff member, else an existing customer."""
    if staff is not None:
        if not may_chat(staff):
            raise PermissionDenied("Your roles do not include chat")
        return Actor(user_id=staff.user_id, staff=staff)
    customer_id = clean_text(user_id)
    if not customer_id:
        raise ValidationError("userId is required")
    if selectors.customer_get(customer_id) is None:
        raise NotFound(f"User not found: {customer_id}")
    return Actor(user_id=customer_id)


def _new_message_id(client_message_id: str | None) -> str:
    if client_message_id in (None, ""):
        return str(uuid.uuid4())
    if not isinstance(client_message_id, str) or not MESSAGE_ID_RE.match(client_message_id):
        raise ValidationError("messageId must be 1-100 letters, digits or _ . : -")
    return client_message_id


def message_send(
    *, client_id: str, text: str | None, staff: StaffIdentity | None, message_id: str | None = None
) -> SentMessage:
    """Store a message in ``client_id``'s conversation and push it live.

    A staff sender writes to the customer; otherwise the customer ``client_id`` is the sender.
    The id is the server's unless the client's is unused (409 otherwise).
    """
    if staff is not None and not may_chat(staff):
        raise PermissionDenied("Your roles do not include chat")
    body = clean_message_text(text)
    customer = selectors.customer_get(client_id)
    if customer is None:
        raise NotFound(f"User not found: {client_id}")
    if not events.live_reachable():
        # Refused rather than stored undelivered: the sender sees it failed and sends it again.
        raise ServiceUnavailable("Live chat is unavailable right now; the message was not sent. Please try again.")
    sender, receiver = (staff.user_id, client_id) if staff else (client_id, ALL)
    sent_ms = time.time_ns() // 1_000_000
    message = Message(
        message_id=_new_message_id(message_id),
        message=body,
        sender_id=sender,
        receiver_id=receiver,
        client_id=client_id,
        sent=True,
        received=False,
        viewed=False,
        created_at=sent_ms // 1000,
        sent_at_ms=sent_ms,
    )
    _store_with_summary(message, from_customer=staff is None)
    customer.unread_count = (customer.unread_count or 0) + (0 if staff else 1)
    customer.last_message_at = message.created_at
    sender_name = staff.name if staff else (customer.user_name or "Customer")
    _push_new_message(message, customer, sender_name)
    return SentMessage(message, sender_name)


def _store_with_summary(message: Message, *, from_customer: bool) -> None:
    """The message and its conversation summary (inbox row), in one transaction."""
    actions: list[Action] = [
        Customer.inbox_key.set(selectors.INBOX_KEY),
        Customer.last_message_at.set(message.created_at),
        Customer.last_message_at_ms.set(message.sent_at_ms),
        Customer.last_message_id.set(message.message_id),
        Customer.last_message.set(message.message[:PREVIEW_LENGTH]),
        Customer.last_sender_id.set(message.sender_id),
    ]
    if from_customer:
        actions.append(Customer.unread_count.add(1))
    else:
        actions += offline.reply_actions(message.sent_at_ms or message.created_at * 1000)
    try:
        with transaction() as writer:
            writer.save(message, condition=Message.message_id.does_not_exist())
            writer.update(Customer(user_id=message.client_id), actions=actions, condition=Customer.user_id.exists())
    except TransactWriteError as error:
        failed = failed_conditions(error)  # in request order: the message (a put), then the customer
        if 0 in failed:
            raise Conflict(f"messageId {message.message_id} is already used") from error
        if 1 in failed:
            raise NotFound(f"User not found: {message.client_id}") from error
        raise


def _push_new_message(message: Message, customer: Customer, sender_name: str) -> None:
    payload = {**live.message_with_sender(message, sender_name), "subtype": "new", "messageType": "general"}
    if message.receiver_id == ALL:
        # The stored receiver stays "ALL"; the assigned staff member sees themselves as receiver (§4.4).
        live.to_customer_staff(customer, "message", {**payload, "receiverId": customer.assigned_to or ALL})
    else:
        live.to_customer(customer.user_id, "message", payload)
    live.inbox_update(customer, "message", lastMessage=payload)


def _signal(status: object) -> Signal:
    if isinstance(status, str):
        with contextlib.suppress(ValueError):
            return Signal(status)
    raise ValidationError(f"status must be one of {', '.join(Signal)}")


def message_notify(
    *,
    status: str,
    actor: Actor,
    client_id: str | None = None,
    message_id: str | None = None,
    new_message: str | None = None,
) -> Signal:
    """Apply one chat signal (§4.5) for ``actor`` and push it; returns the signal applied."""
    signal = _signal(status)
    if signal is Signal.TYPING:
        _typing(actor, clean_text(client_id))
    elif signal in (Signal.MESSAGE_RECEIVED, Signal.MESSAGE_VIEWED):
        message_acknowledge(
            actor=actor, message=_message_for(actor, message_id), viewed=signal is Signal.MESSAGE_VIEWED
        )
    elif signal is Signal.MESSAGE_EDITED:
        _edit(actor, _own_message(actor, message_id), clean_message_text(new_message, "newMessage"))
    else:
        _delete(actor, _own_message(actor, message_id))
    return signal


def _typing(actor: Actor, client_id: str) -> None:
    now = clock.epoch_now()
    if actor.is_staff:
        if not client_id:
            raise ValidationError("clientId is required when staff are typing")
        if selectors.customer_get(client_id) is None:
            raise NotFound(f"User not found: {client_id}")
        payload = {
            "subtype": "status",
            "success": True,
            "status": "TYPING",
            "senderId": actor.user_id,
            "timestamp": now,
        }
        live.to_customer(client_id, "notification", payload)
        return
    if not selectors.connection_is_live(actor.user_id):
        # The website reconnects its socket when it reads this message (original-frontends §2.0).
        raise ValidationError(f"No connection found for userId: {actor.user_id}")
    customer = selectors.customer_get(actor.user_id)
    payload = {
        "subtype": "status",
        "success": True,
        "status": "TYPING",
        "senderId": actor.user_id,
        "clientId": actor.user_id,
        "timestamp": now,
    }
    if customer is not None and not customer.assigned_to:
        payload.update({"staff_broadcast": True, "assigned_to": None})
    if customer is not None:
        live.to_customer_staff(customer, "notification", payload)


def _message_for(actor: Actor, message_id: str | None) -> Message:
    """The message, if the actor may see it: customers only within their own conversation (else 404)."""
    if not clean_text(message_id):
        raise ValidationError("messageId is required")
    message = selectors.message_get(clean_text(message_id))
    if message is None or (not actor.is_staff and _conversation_of(message) != actor.user_id):
        raise NotFound("Message not found")
    return message


def _conversation_of(message: Message) -> str:
    # Messages written before clientId existed: a customer message is keyed by its sender.
    return message.client_id or (message.sender_id if message.receiver_id == ALL else message.receiver_id)


def _own_message(actor: Actor, message_id: str | None) -> Message:
    message = _message_for(actor, message_id)
    if message.sender_id != actor.user_id:
        raise PermissionDenied("You can only edit or delete your own messages")
    return message


def message_acknowledge(*, actor: Actor, message: Message, viewed: bool) -> None:
    """Mark a message received (or viewed, which implies received) by its receiver; tell the sender."""
    receiver_ok = (message.receiver_id == ALL and actor.is_staff) or message.receiver_id == actor.user_id
    if not receiver_ok:
        raise PermissionDenied("Only the receiver of a message can acknowledge it")
    newly_viewed = _flag(message, viewed=viewed)
    status = Signal.MESSAGE_VIEWED if viewed else Signal.MESSAGE_RECEIVED
    payload = {
        "subtype": "status",
        "success": True,
        "messageId": message.message_id,
        "status": str(status),
        "message": message.message,
        "senderId": message.sender_id,
        "receiverId": message.receiver_id,
        "clientId": _conversation_of(message),
        "timestamp": clock.epoch_now(),
    }
    _to_sender(message, payload)
    if newly_viewed and message.receiver_id == ALL:
        _decrement_unread(_conversation_of(message))


def _flag(message: Message, *, viewed: bool) -> bool:
    """Set received (and viewed); True when this call is the one that marked it viewed."""
    if not viewed:
        try:
            message.update(actions=[Message.received.set(True)], condition=Message.message_id.exists())
        except UpdateError as error:
            if condition_failed(error):
                raise NotFound("Message not found") from error
            raise
        return False
    try:
        message.update(
            actions=[Message.received.set(True), Message.viewed.set(True)],
            condition=Message.message_id.exists() & (Message.viewed == False),  # noqa: E712
        )
    except UpdateError as error:
        if condition_failed(error):
            return False  # already viewed (or deleted): the unread count must not drop twice
        raise
    return True


def _to_sender(message: Message, payload: dict[str, Any]) -> None:
    if message.sender_id == _conversation_of(message):
        live.to_customer(message.sender_id, "notification", payload)
    else:
        live.to_staff_member(message.sender_id, "notification", payload)


def _to_receiver(message: Message, payload: dict[str, Any]) -> None:
    if message.receiver_id != ALL:
        live.to_customer(message.receiver_id, "notification", payload)
        return
    customer = selectors.customer_get(_conversation_of(message))
    if customer is not None:
        live.to_customer_staff(customer, "notification", payload)


def _decrement_unread(client_id: str) -> None:
    customer = Customer(user_id=client_id)
    try:
        customer.update(actions=[Customer.unread_count.add(-1)], condition=Customer.unread_count > 0)
    except UpdateError as error:
        if condition_failed(error):
            return
        raise
    live.inbox_update(customer, "read")


def _edit(actor: Actor, message: Message, text: str) -> None:
    original = message.message
    try:
        message.update(
            actions=[Message.message.set(text), Message.edited_at.set(clock.epoch_now())],
            condition=Message.sender_id == actor.user_id,
        )
    except UpdateError as error:
        if condition_failed(error):
            raise NotFound("Message not found") from error  # deleted meanwhile
        raise
    client_id = _conversation_of(message)
    _update_summary_if_last(client_id, message.message_id, [Customer.last_message.set(text[:PREVIEW_LENGTH])])
    payload = _signal_payload(message, Signal.MESSAGE_EDITED, newMessage=text, originalMessage=original)
    _to_receiver(message, payload)


def _delete(actor: Actor, message: Message) -> None:
    # An unviewed customer message counts in the unread total: delete it only while still unviewed,
    # so a staff member viewing it at the same moment cannot make the count drop twice.
    was_unread = message.receiver_id == ALL and _delete_if(message, actor, Message.viewed == False)  # noqa: E712
    if not was_unread and not _delete_if(message, actor, None):
        raise NotFound("Message not found")
    client_id = _conversation_of(message)
    if was_unread:
        _decrement_unread(client_id)
    _replace_summary_after_delete(client_id, message.message_id)
    _to_receiver(message, _signal_payload(message, Signal.MESSAGE_DELETED))


def _delete_if(message: Message, actor: Actor, extra: Any) -> bool:
    condition = Message.sender_id == actor.user_id
    try:
        message.delete(condition=condition & extra if extra is not None else condition)
    except DeleteError as error:
        if condition_failed(error):
            return False
        raise
    return True


def _signal_payload(message: Message, signal: Signal, **extra: Any) -> dict[str, Any]:
    return {
        "subtype": "status",
        "success": True,
        "status": str(signal),
        "messageId": message.message_id,
        "senderId": message.sender_id,
        "receiverId": message.receiver_id,
        "clientId": _conversation_of(message),
        "timestamp": clock.epoch_now(),
        **extra,
    }


def _update_summary_if_last(client_id: str, message_id: str, actions: list[Any]) -> None:
    # Only when the summary still shows this message: a newer message must not be overwritten.
    customer = Customer(user_id=client_id)
    try:
        customer.update(actions=actions, condition=Customer.last_message_id == message_id)
    except UpdateError as error:
        if condition_failed(error):
            return
        raise
    live.inbox_update(customer, "message")


def _replace_summary_after_delete(client_id: str, message_id: str) -> None:
    latest = selectors.message_latest_for_client(client_id)
    if latest is None:
        actions = [Customer.last_message.set(""), Customer.last_message_id.remove()]
    else:
        actions = [
            Customer.last_message_id.set(latest.message_id),
            Customer.last_message.set(latest.message[:PREVIEW_LENGTH]),
            Customer.last_sender_id.set(latest.sender_id),
            Customer.last_message_at.set(latest.created_at),
            Customer.last_message_at_ms.set(latest.sent_at_ms or latest.created_at * 1000),
        ]
    _update_summary_if_last(client_id, message_id, actions)


def conversation_mark_viewed(*, client_id: str, staff: StaffIdentity) -> int:
    """Staff opened a conversation: every customer message in it becomes viewed (receipts pushed)."""
    actor = Actor(user_id=staff.user_id, staff=staff)
    unviewed = selectors.messages_unviewed_from_client(client_id)
    for message in unviewed:
        message_acknowledge(actor=actor, message=message, viewed=True)
    return len(unviewed)
