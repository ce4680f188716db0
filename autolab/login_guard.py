"""Throttling of failed staff sign-ins (portal and API token), per address and per account.

Only failures count, so a member who types their password right is never slowed down.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

from autolab.client_ip import client_ip  # noqa: F401 - the one rule for "which address", used by callers

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _keys(ip: str, email: str) -> list[str]:
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:ip:{ip[:64]}", f"login-fail:user:{account}"]


def _enabled() -> bool:
    return str(settings.API_RATE_LIMITS).lower() != "off"


def is_locked(ip: str, email: str) -> bool:
    if not _enabled():
        return False
    return any((cache.get(key) or 0) >= MAX_FAILURES for key in _keys(ip, email))


def record_failure(ip: str, email: str) -> None:
    for key in _keys(ip, email):
        cache.add(key, 0, WINDOW_SECONDS)
        cache.incr(key)


def reset(ip: str, email: str) -> None:
    cache.delete(_keys(ip, email)[1])
