"""Loaded with ``-p tests.plugin`` before Django's settings: one private moto server and one
private Redis per test run (and per xdist worker), and a table suffix no other run uses."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from devtools.services import Service, start_moto, start_redis

_services: list[Service] = []


def _start_services() -> None:
    if os.environ.get("AUTOLAB_TEST_SERVICES") == "started":
        return
    log_dir = Path(tempfile.mkdtemp(prefix="autolab-test-"))
    redis = start_redis(log_file=log_dir / "redis.log")
    moto = start_moto(log_file=log_dir / "moto.log")
    _services.extend([redis, moto])
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    os.environ.update(
        {
            "AUTOLAB_TEST_SERVICES": "started",
            "AUTOLAB_TEST_LOG_DIR": str(log_dir),
            "DJANGO_SETTINGS_MODULE": "autolab.settings.test",
            "AUTOLAB_ENV": f"test{os.getpid()}{worker}",
            "DYNAMODB_ENDPOINT_URL": moto.url,
            "REDIS_URL": redis.url,
            # The broker has a database of its own: tests flush database 0 between tests.
            "CELERY_BROKER_URL": redis.url.rsplit("/", 1)[0] + "/1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "ap-southeast-2",
            "MEDIA_ROOT": str(log_dir / "media"),
            "EMAIL_FILE_PATH": str(log_dir / "mail"),
            "BACKUP_DIR": str(log_dir / "backups"),
        }
    )


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]):
    _start_services()
    return (yield)


def pytest_unconfigure(config: pytest.Config) -> None:
    for service in reversed(_services):
        service.stop()
    _services.clear()


def running_services() -> dict[str, Service]:
    return {service.name: service for service in _services}
