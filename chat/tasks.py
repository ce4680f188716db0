"""Periodic chat jobs."""

from __future__ import annotations

from celery import shared_task

from chat import services


@shared_task(
    name="chat.connections_sweep_task", autoretry_for=(OSError,), retry_backoff=True, retry_kwargs={"max_retries": 5}
)
def connections_sweep_task() -> int:
    """Delete Connections rows whose ttl passed (sockets whose process died without a disconnect)."""
    return services.connections_sweep()
