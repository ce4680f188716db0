"""A form sent twice (a double tap, a retried POST) does its work once.

The form carries a random key. The first submit claims it atomically (Redis ``SET NX`` through
``cache.add``) and remembers what it made under it; a repeat gets that id back instead of making
another. A failed attempt gives the key up, so the corrected form can be sent again.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from django.core.cache import cache

from autolab.exceptions import Conflict

PENDING = "pending"
KEEP_SECONDS = 24 * 3600
WAIT_SECONDS = 5  # a repeat sent while the first is at work waits this long for its result
_KEY = re.compile(r"^[0-9a-f]{32}$")


def _wait_for(name: str) -> str | None:
    """What the first submit made, waiting up to ``WAIT_SECONDS`` while it is still at work."""
    deadline = time.monotonic() + WAIT_SECONDS
    earlier = cache.get(name)
    while earlier == PENDING and time.monotonic() < deadline:
        time.sleep(0.05)
        earlier = cache.get(name)
    return None if earlier is None else str(earlier)


def new_key() -> str:
    return uuid.uuid4().hex


def submit_once(scope: str, key: str, make: Callable[[], str], *, busy: str) -> str:
    """``make()`` (the id of what it made), once per ``key`` in ``scope``; a repeat returns the first
    id (waiting for it while the first is at work; a Conflict saying ``busy`` after WAIT_SECONDS). A key that is
    not one of ``new_key``'s is not guarded."""
    if not _KEY.match(key or ""):
        return make()
    name = f"once:{scope}:{key}"
    if not cache.add(name, PENDING, KEEP_SECONDS):
        earlier = _wait_for(name)
        if earlier is None:  # given up meanwhile: try again from the start
            return submit_once(scope, key, make, busy=busy)
        if earlier == PENDING:
            raise Conflict(busy)
        return earlier
    try:
        made = make()
    except BaseException:
        cache.delete(name)
        raise
    cache.set(name, made, KEEP_SECONDS)
    return made
