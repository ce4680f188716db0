"""The chat WebSocket at /ws/ (behaviour reference §4): customers ``init``, staff ``staff-init``, ``ping``.

The socket is push-only apart from these actions; messages are sent over REST. Every live event
published with ``autolab.events.publish`` to a group this socket joined is forwarded as JSON.

Close codes the server uses:
- 1012 ``LIVE_UNAVAILABLE`` (service restart): the channel layer's Redis went away; the socket's
  groups may be gone with it, so the client reconnects and sends ``init`` again (history is in
  ``GET /api/messages``). An error frame with a message comes first.
- 4001 ``REPLACED``: a newer socket of the same customer took over.
- 4003 ``ACCESS_CHANGED``: the staff member was deactivated, lost the token or had their roles
  changed. Checked on every forwarded push and when staffapp signals a change; a client that still
  may chat reconnects and sends ``staff-init`` again (its groups follow its new roles).
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

import redis.exceptions
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.http.request import split_domain_port, validate_host

from autolab import events
from autolab.client_ip import client_ip_from_scope
from autolab.exceptions import NotFound
from autolab.throttling import PublicWriteThrottle
from chat import live, selectors, services
from chat.badges import badges_for
from chat.validation import clean_profile

logger = logging.getLogger(__name__)

REPLACED_CLOSE_CODE = 4001
ACCESS_CHANGED_CLOSE_CODE = 4003
LIVE_LOST_CLOSE_CODE = 1012
LIVE_LOST_MESSAGE = "Live chat is unavailable right now; reconnect in a moment"
_LIVE_LAYER_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, ConnectionError)


class _NewCustomerThrottle(PublicWriteThrottle):
    """``init`` without a userId creates a customer: the same per-address budget as
    ``POST /api/users/register`` (shared with it, so alternating the two gains nothing)."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def get_ident(self, request: Any) -> str:
        return self.address


def _service(function: Any) -> Any:
    # PynamoDB is blocking I/O: run it in a worker thread, not serialised on one thread.
    return sync_to_async(function, thread_sensitive=False)


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        except _LIVE_LAYER_ERRORS as error:
            # Not a crash (1011): tell the client, close so it reconnects once Redis is back.
            logger.warning("Channel layer lost on %s (%s); closing with %d", scope.get("path"), error, 1012)
            frame = {"type": "error", "success": False, "error": "LIVE_UNAVAILABLE", "message": LIVE_LOST_MESSAGE}
            await send({"type": "websocket.send", "text": await self.encode_json(frame)})
            await send({"type": "websocket.close", "code": LIVE_LOST_CLOSE_CODE})
            # Pooled connections of this process point at the Redis that went away: drop them, so
            # the reconnecting sockets start on fresh ones instead of failing once more each.
            layer = self.channel_layer
            if isinstance(layer, RedisChannelLayer):
                with contextlib.suppress(Exception):
                    await layer.close_pools()
            if getattr(self, "role", None) is not None:
                await _service(services.connection_close)(connection_id=self.channel_name)

    async def connect(self) -> None:
        self.role: str | None = None
        self.user_id: str | None = None
        self.staff: Any = None  # the StaffIdentity a staff socket was opened with
        self.staff_token: str | None = None
        self.joined: list[str] = []
        self.badges_sent: list[dict[str, Any]] | None = None
        self.refreshed_at = time.monotonic()
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.role is not None:
            await _service(services.connection_close)(connection_id=self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        action = content.get("action") if isinstance(content, dict) else None
        handlers = {"init": self.customer_init, "staff-init": self.staff_init, "ping": self.ping}
        # Only text names an action: an unhashable one (a list) would raise here and drop the socket.
        handler = handlers.get(action) if isinstance(action, str) else None
        if handler is None:
            await self.send_json({"type": "error", "success": False, "error": "UNKNOWN_ACTION"})
            return
        await handler(content)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None  # not JSON: answered as an unknown action, the socket stays open

    async def customer_init(self, content: dict[str, Any]) -> None:
        if self.role is not None:
            await self._init_failed("ALREADY_INITIALISED")
            return
        user_id = content.get("userId")
        if user_id is not None and not isinstance(user_id, str):
            await self._init_failed("INVALID_USER_ID")
            return
        if not user_id:
            throttle = _NewCustomerThrottle(client_ip_from_scope(self.scope))
            if not await _service(throttle.allow_request)(None, None):
                wait = int(throttle.wait() or 60)
                message = f"Too many new chats from this address; try again in {wait} seconds"
                await self.send_json(
                    {
                        "type": "connection",
                        "subtype": "init",
                        "success": False,
                        "error": "RATE_LIMITED",
                        "message": message,
                    }
                )
                return
        try:
            result = await _service(services.customer_connect)(
                connection_id=self.channel_name, user_id=user_id or None, profile=clean_profile(content, strict=False)
            )
        except NotFound:
            await self._init_failed("INVALID_USER_ID")
            return
        except Exception:
            # The socket stays open; the website retries init on its reconnect schedule.
            logger.exception("Customer init failed on %s", self.channel_name)
            await self._init_failed("UPDATE_USER_RECORD_FAILED")
            return
        for old_channel in result.replaced_connection_ids:
            await self.channel_layer.send(old_channel, {"type": "chat.replaced"})
        self.role, self.user_id = "customer", result.customer.user_id
        await self._join(events.customer_group(self.user_id))
        reply = {"type": "connection", "subtype": "init", "success": True, **live.customer_profile(result.customer)}
        await self.send_json(reply)

    async def staff_init(self, content: dict[str, Any]) -> None:
        if self.role is not None:
            await self._init_failed("ALREADY_INITIALISED")
            return
        # Token in the first message only: URLs (with a ?token=) end up in proxy and access logs.
        token = content.get("token")
        if not token and not self._same_origin():
            # A session cookie rides along with any page's socket: only the portal's own pages may use it.
            await self._init_failed("INVALID_ORIGIN")
            return
        staff = await database_sync_to_async(selectors.staff_for_socket)(self.scope.get("user"), token)
        if staff is None:
            await self._init_failed("INVALID_TOKEN" if token else "INVALID_USER")
            return
        try:
            may_chat = await _service(services.staff_connect)(connection_id=self.channel_name, staff=staff)
        except Exception:
            logger.exception("Staff init failed on %s", self.channel_name)
            await self._init_failed("UPDATE_CONNECTION_FAILED")
            return
        self.role, self.user_id = "staff", staff.user_id
        self.staff, self.staff_token = staff, token
        # The counts the page was rendered with, as far as this socket knows: later ones go out on change.
        self.badges_sent = [badge.as_json() for badge in await _service(badges_for)(staff)]
        await self._join(events.STAFF_GROUP)
        await self._join(events.staff_member_group(staff.user_id))
        if may_chat:
            await self._join(live.INBOX_GROUP)
        reply = {"type": "connection", "subtype": "init", "success": True, "userId": staff.user_id, "staff": True}
        await self.send_json({**reply, "userName": staff.name, "chat": may_chat})
        if content.get("badges") is True:  # the portal's live script: fresh counts after a (re)connect
            await self.send_json({"type": "badges", "badges": self.badges_sent})

    async def ping(self, content: dict[str, Any]) -> None:
        # Pings come every 25 s; the row's expiry only needs pushing forward every few minutes.
        due = time.monotonic() - self.refreshed_at >= services.CONNECTION_REFRESH_AFTER.total_seconds()
        if self.role is not None and due:
            self.refreshed_at = time.monotonic()
            await _service(services.connection_refresh)(connection_id=self.channel_name)

    async def live_event(self, message: dict[str, Any]) -> None:
        if self.role == "staff" and not await self._staff_still_allowed():
            return
        await self.send_json(message["event"])

    async def badges_changed(self, message: dict[str, Any]) -> None:
        """A service changed what the header badges count: send this member's fresh counts."""
        if self.role != "staff" or not await self._staff_still_allowed():
            return
        badges = [badge.as_json() for badge in await _service(badges_for)(self.staff)]
        if badges != self.badges_sent:  # only what changed for this member (most signals change nothing)
            self.badges_sent = badges
            await self.send_json({"type": "badges", "badges": badges})

    async def staff_access_changed(self, message: dict[str, Any]) -> None:
        """staffapp changed this member's roles or access: close unless nothing that matters changed."""
        if self.role == "staff":
            await self._staff_still_allowed()

    async def _staff_still_allowed(self) -> bool:
        """Re-read the member (login, token, Staff item); close the socket when it no longer matches."""
        current = await database_sync_to_async(selectors.staff_for_socket)(self.scope.get("user"), self.staff_token)
        if current is not None and (current.user_id, current.roles) == (self.staff.user_id, self.staff.roles):
            return True
        self.role = "revoked"  # nothing more is forwarded; its connection row is still dropped on close
        await self.send_json({"type": "connection", "subtype": "revoked", "success": False, "error": "ACCESS_CHANGED"})
        await self.close(code=ACCESS_CHANGED_CLOSE_CODE)
        return False

    async def chat_replaced(self, message: dict[str, Any]) -> None:
        """A newer socket of the same customer took over: this one says so and closes."""
        self.role = None  # its row is already gone; nothing to clean up on close
        await self.send_json({"type": "connection", "subtype": "replaced", "success": False, "error": "REPLACED"})
        await self.close(code=REPLACED_CLOSE_CODE)

    async def _join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.joined.append(group)

    async def _init_failed(self, error: str) -> None:
        await self.send_json({"type": "connection", "subtype": "init", "success": False, "error": error})

    def _same_origin(self) -> bool:
        """The page's full origin (scheme, host and port) is this server's own or a trusted one,
        as Django's CSRF check decides for forms: another port or scheme on the same host is another site."""
        headers = dict(self.scope.get("headers") or [])
        origin = headers.get(b"origin", b"").decode("latin-1").lower()
        host = headers.get(b"host", b"").decode("latin-1").lower()
        if not origin:
            return False
        if origin in {trusted.lower() for trusted in settings.CSRF_TRUSTED_ORIGINS}:
            return True
        scheme = "https" if self.scope.get("scheme") == "wss" else "http"
        hostname, _ = split_domain_port(host)
        return bool(hostname) and origin == f"{scheme}://{host}" and validate_host(hostname, settings.ALLOWED_HOSTS)
