"""Live events: one ``publish`` to the staff group or a customer's group, used by every app.

Chat's consumer joins sockets to these groups and forwards each event as JSON. Publishing never
fails the write that caused it: a lost live event is logged, the data is already stored.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

STAFF_GROUP = "staff"


def customer_group(user_id: str) -> str:
    return f"customer.{user_id}"


def staff_member_group(staff_user_id: str) -> str:
    return f"staff.{staff_user_id}"


def publish(group: str, event_type: str, payload: dict[str, Any]) -> None:
    """Send ``{"type": event_type, ...payload}`` to every socket in ``group``."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "live.event", "event": {**payload, "type": event_type}}
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.exception("Could not publish %s to %s", event_type, group)


def publish_to_staff(event_type: str, payload: dict[str, Any]) -> None:
    publish(STAFF_GROUP, event_type, payload)


def staff_access_changed(staff_user_id: str) -> None:
    """Tell a staff member's open sockets that their roles or access changed: they re-check and
    close if the member may no longer see what they joined (the consumer's ``staff_access_changed``).
    A lost signal is covered by the re-check on every forwarded event."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(staff_member_group(staff_user_id), {"type": "staff.access_changed"})
    except Exception:
        logger.exception("Could not signal an access change to staff %s", staff_user_id)
