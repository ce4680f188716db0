from celery import shared_task
from django.conf import settings

from autolab.backup import backup_tables, prune_backups


@shared_task(name="autolab.health_ping_task")
def health_ping_task() -> str:
    """Answers "pong": proves a worker is consuming the queue."""
    return "pong"


@shared_task(name="autolab.backup_task", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def backup_task() -> str:
    """Daily backup of every table; prunes old backup folders, never live data."""
    result = backup_tables(progress=False)
    removed = prune_backups(settings.BACKUP_RETENTION_DAYS)
    return f"{result.item_count} items to {result.folder}; {len(removed)} old backups removed"
