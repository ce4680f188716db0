"""Celery entry points of inspections: the report PDF of a submitted inspection, and the reconciler
that re-queues submitted inspections whose render was never queued or never finished."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from pynamodb.exceptions import PynamoDBConnectionError, UpdateError

from autolab import clock

logger = logging.getLogger(__name__)


@shared_task(
    name="inspections.report_render_task",
    autoretry_for=(PynamoDBConnectionError, UpdateError, OSError),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=6,
    acks_late=True,
    reject_on_worker_lost=True,
)
def report_render_task(appointment_id: str, submission: int) -> str | None:
    """Render, store and list the PDF of one submission (idempotent: listed once whatever reruns)."""
    from inspections.reporting import report_publish

    return report_publish(appointment_id=appointment_id, submission=submission)


@shared_task(name="inspections.report_reconcile_task")
def report_reconcile_task() -> int:
    """Re-queue inspections still submitted (not reported) a grace period after their submit."""
    from inspections.selectors import submitted_before

    waiting = submitted_before(clock.epoch_now() - settings.INSPECTION_REPORT_GRACE_SECONDS)
    for inspection in waiting:
        report_render_task.delay(inspection.appointment_id, inspection.submission)
    if waiting:
        logger.info("Reconciler re-queued %d inspection reports", len(waiting))
    return len(waiting)
