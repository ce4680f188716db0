from celery import shared_task


@shared_task(name="autolab.health_ping_task")
def health_ping_task() -> str:
    """Answers "pong": proves a worker is consuming the queue."""
    return "pong"
