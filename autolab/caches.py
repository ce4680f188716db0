"""Short-lived caches of reference data (service plans, active mechanics), invalidated on write.

Where: Django's cache, which is the shared Redis of every web process and worker
(``settings.CACHES``), not a dict inside each process. Deleting a key on write therefore reaches
every process at once; the short TTL only bounds how long a change can go unseen when a delete
is lost (Redis unreachable at that moment, or a write made outside the services). An in-process
cache would save the Redis round trip but leave other processes serving an old price or a
deactivated mechanic until their TTL ran out. A cache failure never fails a request: the loader
runs and its answer is used uncached.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

logger = logging.getLogger(__name__)

T = TypeVar("T")
TTL_SECONDS = 60
MECHANICS_KEY = "bookings:mechanics"


def plan_key(service_id: int, plan_id: int) -> str:
    return f"bookings:plan:{int(service_id)}:{int(plan_id)}"


def cached(key: str, loader: Callable[[], T | None], ttl: int = TTL_SECONDS) -> T | None:
    """The cached value of ``key``, else ``loader()`` (stored unless it is None)."""
    try:
        value = cache.get(key)
    except Exception:  # Redis down: read through
        logger.warning("Cache unavailable reading %s", key, exc_info=True)
        return loader()
    if value is not None:
        return value
    value = loader()
    if value is not None:
        try:
            cache.set(key, value, ttl)
        except Exception:
            logger.warning("Cache unavailable writing %s", key, exc_info=True)
    return value


def peek(key: str) -> object | None:
    """The cached value of ``key`` without loading it (None when absent or unreachable)."""
    try:
        return cache.get(key)
    except Exception:
        return None


def store(key: str, value: object, ttl: int = TTL_SECONDS) -> None:
    try:
        cache.set(key, value, ttl)
    except Exception:
        logger.warning("Cache unavailable writing %s", key, exc_info=True)


def invalidate(*keys: str) -> None:
    """Forget ``keys`` everywhere (called by the writes that change them)."""
    try:
        cache.delete_many(list(keys))
    except Exception:
        logger.warning("Cache unavailable invalidating %s", keys, exc_info=True)


def staff_changed() -> None:
    """A staff member was created, edited, (de)activated or had roles changed."""
    invalidate(MECHANICS_KEY)
