"""Where chat's live pushes go: a customer's socket, their assigned staff member, or the inbox.

Every push goes through ``autolab.events.publish``; the consumer forwards it to the sockets.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from autolab import events
from chat.models import Customer, Message

logger = logging.getLogger(__name__)

# Staff who may chat (Permission.CHAT_INBOX) join this group on staff-init.
INBOX_GROUP = "staffinbox"


def to_customer(user_id: str, event_type: str, payload: dict[str, Any]) -> None:
    events.publish(events.customer_group(user_id), event_type, payload)


def to_staff_member(staff_user_id: str, event_type: str, payload: dict[str, Any]) -> None:
    events.publish(events.staff_member_group(staff_user_id), event_type, payload)


def to_inbox(event_type: str, payload: dict[str, Any]) -> None:
    events.publish(INBOX_GROUP, event_type, payload)


def to_customer_staff(customer: Customer, event_type: str, payload: dict[str, Any]) -> None:
    """To the customer's assigned staff member, or to every inbox staff member when unassigned."""
    if customer.assigned_to:
        to_staff_member(customer.assigned_to, event_type, payload)
    else:
        to_inbox(event_type, payload)


def customer_profile(customer: Customer) -> dict[str, Any]:
    """The profile fields the original protocol pushes (§4.2)."""
    return {
        "userId": customer.user_id,
        "userEmail": customer.user_email,
        "userName": customer.user_name,
        "userDevice": customer.user_device,
        "userLocation": customer.user_location,
        "contactNumber": customer.contact_number,
        "assignedTo": customer.assigned_to,
    }


def message_dict(message: Message) -> dict[str, Any]:
    """A stored message as the REST API and the pushes show it."""
    return {
        "messageId": message.message_id,
        "message": message.message,
        "senderId": message.sender_id,
        "receiverId": message.receiver_id,
        "clientId": message.client_id,
        "sent": message.sent,
        "received": message.received,
        "viewed": message.viewed,
        "createdAt": message.created_at,
        "timestamp": message.created_at,
        "editedAt": message.edited_at,
    }


def message_with_sender(message: Message, sender_name: str) -> dict[str, Any]:
    """A message just sent, as its sender gets it back and its receiver gets it pushed."""
    return {**message_dict(message), "senderName": sender_name}


def inbox_update(customer: Customer, reason: str, **extra: Any) -> None:
    """Tell every inbox page that a conversation changed (last message, unread count, assignee)."""
    payload = {
        "subtype": reason,
        "clientId": customer.user_id,
        "userName": customer.user_name,
        "userEmail": customer.user_email,
        "assignedTo": customer.assigned_to,
        "unreadCount": customer.unread_count or 0,
        "lastMessageAt": customer.last_message_at,
        **extra,
    }
    to_inbox("inbox", payload)
    badges_changed()


def badges_changed() -> None:
    """What the header badges count changed: every staff socket sends its member fresh counts
    (the consumer's ``badges_changed`` reads them for that member). A lost signal costs only
    freshness: the next page load reads them again."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(events.STAFF_GROUP, {"type": "badges.changed"})
    except Exception:
        logger.exception("Could not signal a badge change")
