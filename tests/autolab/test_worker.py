from autolab.celery import app


def test_a_real_worker_runs_tasks(celery_worker: object) -> None:
    result = app.send_task("autolab.health_ping_task")
    assert result.get(timeout=30) == "pong"
