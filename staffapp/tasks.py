"""Thin Celery entry points of staffapp."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from staffapp.push import PushRetry


@shared_task(
    name="staffapp.push_notify_task",
    autoretry_for=(PushRetry,),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
    acks_late=True,
)
def push_notify_task(notice: dict[str, Any]) -> dict[str, int]:
    """Push one notice to its recipients' devices; a retry pushes only what has not gone out."""
    from staffapp import push

    return push.deliver(push.Notice(**notice))
