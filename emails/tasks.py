"""Celery entry points of email: thin, taking ids; the rules live in services and suppression."""

from __future__ import annotations

import random

from celery import shared_task

MAX_RETRIES = 8


def _backoff(retries: int) -> int:
    """5 s, 10 s, 20 s ... capped at 10 minutes, with jitter so retries do not stampede."""
    return min(600, 5 * 2**retries) + random.randint(0, 5)


@shared_task(bind=True, name="chat.emails.email_send_task", acks_late=True, max_retries=MAX_RETRIES)
def email_send_task(self, message_id: str, queued: dict | None = None) -> str:
    """Render, check suppression and send one queued email, at most once (``queued``: the record
    as it was queued, when the enqueuer had it)."""
    from emails import services

    try:
        return services.email_deliver(message_id=message_id, queued=queued)
    except services.TransientEmailError as error:
        if self.request.retries >= self.max_retries:
            services.email_mark_failed(message_id=message_id, reason=f"Gave up after retries: {error}")
            raise
        raise self.retry(exc=error, countdown=_backoff(self.request.retries)) from error


@shared_task(name="chat.emails.outbox_reconcile_task")
def outbox_reconcile_task() -> dict[str, int]:
    """Periodic: re-enqueue sends whose enqueue was lost; settle sends a dead worker left."""
    from emails import services

    return services.outbox_reconcile()


@shared_task(name="chat.emails.suppression_cleanup_task")
def suppression_cleanup_task() -> int:
    """Periodic: expired suppressions leave the active list."""
    from emails import suppression

    return suppression.suppression_cleanup()
