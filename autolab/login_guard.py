"""Throttling of failed staff sign-ins (portal and API token), per address and per account.

Only failures count, so a member who types their password right is never slowed down.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _keys(client_ip: str, email: str) -> list[str]:
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:ip:{client_ip[:64]}", f"login-fail:user:{account}"]


def _enabled() -> bool:
    return str(settings.API_RATE_LIMITS).lower() != "off"


def is_locked(client_ip: str, email: str) -> bool:
    if not _enabled():
        return False
    return any((cache.get(key) or 0) >= MAX_FAILURES for key in _keys(client_ip, email))


def record_failure(client_ip: str, email: str) -> None:
    for key in _keys(client_ip, email):
        cache.add(key, 0, WINDOW_SECONDS)
        cache.incr(key)


def reset(client_ip: str, email: str) -> None:
    cache.delete(_keys(client_ip, email)[1])


def client_ip(meta: dict) -> str:
    return str(meta.get("REMOTE_ADDR", "unknown"))
