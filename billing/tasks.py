"""Celery entry points of billing: invoice generation by id and the periodic reconciler."""

from __future__ import annotations

import logging

from celery import shared_task
from pynamodb.exceptions import PynamoDBConnectionError, TransactWriteError

from autolab import clock
from autolab.exceptions import Conflict
from billing.adjustments.delivery import note_send
from billing.invoices.generation import invoice_generate_for_record
from billing.keys import pending_list

logger = logging.getLogger(__name__)

RECONCILE_GRACE_SECONDS = 120


@shared_task(
    name="billing.invoice_generate_task",
    autoretry_for=(PynamoDBConnectionError, TransactWriteError, Conflict, OSError),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=6,
    acks_late=True,
)
def invoice_generate_task(reference_type: str, reference_number: str) -> str | None:
    """Produce the one active invoice of a paid appointment or order (idempotent)."""
    invoice = invoice_generate_for_record(reference_type=reference_type, reference_number=reference_number)
    return invoice.invoice_id if invoice else None


@shared_task(
    name="billing.adjustment_note_deliver_task",
    autoretry_for=(PynamoDBConnectionError, OSError),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=6,
    acks_late=True,
)
def adjustment_note_deliver_task(note_id: str) -> None:
    """Render an adjustment note's PDF and email it to the customer (idempotent)."""
    note_send(note_id)


@shared_task(name="billing.invoice_reconcile_task")
def invoice_reconcile_task() -> int:
    """Re-enqueue paid records whose invoice is still missing after a grace period."""
    waiting = pending_list(older_than=clock.epoch_now() - RECONCILE_GRACE_SECONDS)
    for reference_type, reference_number in waiting:
        invoice_generate_task.delay(reference_type, reference_number)
    if waiting:
        logger.info("Reconciler re-enqueued %d invoices", len(waiting))
    return len(waiting)


@shared_task(name="billing.refund_reconcile_task")
def refund_reconcile_task() -> int:
    """Issue the adjustment note of any refund whose money went back but whose note was never
    issued (the process stopped in between); issuing is idempotent, so a race with a retry is safe."""
    from billing.adjustments.refunds import refund_settle, refunds_without_note  # refunds enqueues tasks

    waiting = refunds_without_note(older_than=clock.epoch_now() - RECONCILE_GRACE_SECONDS)
    for refund in waiting:
        refund_settle(refund)
    if waiting:
        logger.info("Reconciler issued the notes of %d refunds", len(waiting))
    return len(waiting)
