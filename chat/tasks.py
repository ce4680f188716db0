"""Periodic chat jobs."""

from __future__ import annotations

from celery import shared_task

from chat import offline, services


@shared_task(
    name="chat.connections_sweep_task", autoretry_for=(OSError,), retry_backoff=True, retry_kwargs={"max_retries": 5}
)
def connections_sweep_task() -> int:
    """Delete Connections rows whose ttl passed (sockets whose process died without a disconnect)."""
    return services.connections_sweep()


@shared_task(
    name="chat.offline_emails_send_task", autoretry_for=(OSError,), retry_backoff=True, retry_kwargs={"max_retries": 3}
)
def offline_emails_send_task(at_ms: int | None = None) -> dict[str, int]:
    """Periodic: email the staff replies customers have not seen in time (``at_ms``: another moment)."""
    return offline.offline_emails_send(at_ms)
