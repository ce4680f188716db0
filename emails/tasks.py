"""Celery entry points of email: thin, taking ids; the rules live in delivery and suppression.

The task names keep their ``chat.emails.`` prefix (email lived in chat when they were named):
messages already queued, and the beat schedule, call them by these names.
"""

from __future__ import annotations

import logging
import random

from celery import shared_task
from kombu.exceptions import OperationalError as BrokerError

from emails import delivery, suppression
from emails.models import EmailMetadata

logger = logging.getLogger(__name__)

MAX_RETRIES = 8


def _backoff(retries: int) -> int:
    """5 s, 10 s, 20 s ... capped at 10 minutes, with jitter so retries do not stampede."""
    return min(600, 5 * 2**retries) + random.randint(0, 5)


@shared_task(bind=True, name="chat.emails.email_send_task", acks_late=True, max_retries=MAX_RETRIES)
def email_send_task(self, message_id: str, queued: dict | None = None) -> str:
    """Render, check suppression and send one queued email, at most once (``queued``: the record
    as it was queued, when the enqueuer had it)."""
    try:
        return delivery.email_deliver(message_id=message_id, queued=queued)
    except delivery.TransientEmailError as error:
        if self.request.retries >= self.max_retries:
            delivery.email_mark_failed(message_id=message_id, reason=f"Gave up after retries: {error}")
            raise
        raise self.retry(exc=error, countdown=_backoff(self.request.retries)) from error


def email_send_enqueue(message_id: str, *, queued: EmailMetadata | None = None) -> None:
    """Hand the message to the email worker; a lost enqueue is picked up by the reconciler.

    ``queued``: the record exactly as just written, sent along so the worker need not read it (see
    ``delivery.email_deliver``); only for transactional emails, whose records are small."""
    try:
        email_send_task.delay(message_id, queued.serialize() if queued is not None else None)
    except BrokerError:
        logger.exception("Could not enqueue email %s; the outbox reconciler will retry it", message_id)


@shared_task(name="chat.emails.outbox_reconcile_task")
def outbox_reconcile_task(older_than_seconds: int = 300) -> dict[str, int]:
    """Periodic: re-enqueue sends whose enqueue was lost; settle sends a dead worker left."""
    return delivery.outbox_reconcile(requeue=email_send_enqueue, older_than_seconds=older_than_seconds)


@shared_task(name="chat.emails.suppression_cleanup_task")
def suppression_cleanup_task() -> int:
    """Periodic: expired suppressions leave the active list."""
    return suppression.suppression_cleanup()
