"""Live events: one ``publish`` to the staff group or a customer's group, used by every app.

Chat's consumer joins sockets to these groups and forwards each event as JSON. Publishing never
fails the write that caused it: a lost live event is logged, the data is already stored.

Observers (``observe``) see every published event after it went to the sockets: staffapp's Web
Push reaches staff whose portal is closed from this one place, rather than from each publisher.
An observer must be quick (it runs in the publishing request; push enqueues a task) and its
failure is logged, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

STAFF_GROUP = "staff"

Observer = Callable[[str, str, dict[str, Any]], None]
_observers: dict[str, Observer] = {}


def observe(observer: Observer) -> None:
    """Call ``observer(group, event_type, payload)`` after every ``publish``; again is a no-op."""
    _observers.setdefault(f"{observer.__module__}.{observer.__qualname__}", observer)


def _tell_observers(group: str, event_type: str, payload: dict[str, Any]) -> None:
    for name, observer in list(_observers.items()):
        try:
            observer(group, event_type, payload)
        except Exception:
            logger.exception("Live event observer %s failed on %s to %s", name, event_type, group)


def customer_group(user_id: str) -> str:
    return f"customer.{user_id}"


def staff_member_group(staff_user_id: str) -> str:
    return f"staff.{staff_user_id}"


def publish(group: str, event_type: str, payload: dict[str, Any]) -> None:
    """Send ``{"type": event_type, ...payload}`` to every socket in ``group``."""
    layer = get_channel_layer()
    if layer is not None:
        message = {"type": "live.event", "event": {**payload, "type": event_type}}
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception:
            logger.exception("Could not publish %s to %s", event_type, group)
    _tell_observers(group, event_type, payload)


def live_reachable() -> bool:
    """Can live events be delivered right now? (One PING to the channel layer's Redis.)"""
    layer = get_channel_layer()
    if layer is None or not hasattr(layer, "connection"):
        return True  # the in-memory layer of a single process is always there

    async def ping() -> bool:
        return bool(await layer.connection(0).ping())

    try:
        return async_to_sync(ping)()
    except Exception as error:
        logger.warning("Channel layer unreachable: %s", error)
        return False


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
