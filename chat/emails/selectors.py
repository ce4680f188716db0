"""Reads of email records: suppression, analytics, the mailbox. Always by key or index."""

from __future__ import annotations

from autolab import clock
from chat.models import EmailSuppression


def email_is_suppressed(address: str) -> bool:
    """Whether transactional mail to ``address`` (any case) must not be sent."""
    if not address:
        return False
    now = clock.now()
    for entry in EmailSuppression.query(address.strip().lower()):
        if entry.status == "active" and (entry.ttl is None or entry.ttl > now):
            return True
    return False
