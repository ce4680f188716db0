"""Read what the live-event layer delivered to a test's channel in the staff group.

A drain sends an end marker to its own channel and reads until the marker comes back, so it
returns exactly what was published before it, however slow the machine: waiting for an idle
gap instead made a loaded run's first read time out and see nothing.

Each drain's marker carries its own token. channels_redis keeps every message it hands out in a
backup queue until a background cleaner pops it; the last one read (the marker) is still there
when ``async_to_sync`` closes the loop and cancels that cleaner, so the next receive puts it back
on the channel. A drain therefore skips markers that are not its own.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers

from autolab.events import STAFF_GROUP

_END = "test.end_of_events"


def _layer() -> Any:
    # A fresh layer per call: every async_to_sync call runs its own event loop, and a layer's
    # connections and receive buffers are bound to one.
    return channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)


def join_staff() -> str:
    """A new plain channel name, added to the staff group."""
    channel = f"livetest.{uuid.uuid4().hex}"
    async_to_sync(_layer().group_add)(STAFF_GROUP, channel)
    return channel


def leave_staff(channel: str) -> None:
    async_to_sync(_layer().group_discard)(STAFF_GROUP, channel)


def drain(channel: str) -> list[dict[str, Any]]:
    """The live events ``channel`` received since the last drain, oldest first."""

    async def read() -> list[dict[str, Any]]:
        layer = _layer()
        token = uuid.uuid4().hex
        await layer.send(channel, {"type": _END, "token": token})
        events = []
        async with asyncio.timeout(30):
            while (message := await layer.receive(channel)).get("token") != token:
                if message["type"] != _END:
                    events.append(message["event"])
        return events

    return async_to_sync(read)()
