"""Loaded with ``-p tests.plugin`` before Django's settings: one private in-memory DynamoDB Local
and one private Redis per test run (per xdist worker under ``-n``), and a table suffix no other
run uses."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from devtools.dynamodb_local import start_dynamodb_local
from devtools.services import Service, start_redis

_services: list[Service] = []


def _is_xdist_controller(config: pytest.Config) -> bool:
    """Under ``-n N`` the controller only hands out tests; each worker starts its own services."""
    workers = getattr(config.known_args_namespace, "numprocesses", None)
    return bool(workers) and not os.environ.get("PYTEST_XDIST_WORKER")


def _start_services(config: pytest.Config) -> None:
    # Set by an outer run whose services a subprocess shares, and by `make test`'s warm-up,
    # which only collects (Makefile).
    if os.environ.get("AUTOLAB_TEST_SERVICES") == "started":
        return
    if _is_xdist_controller(config):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autolab.settings.test")
        return
    log_dir = Path(tempfile.mkdtemp(prefix="autolab-test-"))
    redis = start_redis(log_file=log_dir / "redis.log")
    dynamodb = start_dynamodb_local(log_file=log_dir / "dynamodb.log", short_lived=True)
    _services.extend([redis, dynamodb])
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    os.environ.update(
        {
            "AUTOLAB_TEST_SERVICES": "started",
            "AUTOLAB_TEST_LOG_DIR": str(log_dir),
            "DJANGO_SETTINGS_MODULE": "autolab.settings.test",
            "AUTOLAB_ENV": f"test{os.getpid()}{worker}",
            "DYNAMODB_ENDPOINT_URL": dynamodb.url,
            "REDIS_URL": redis.url,
            # The broker has a database of its own: tests flush database 0 between tests.
            "CELERY_BROKER_URL": redis.url.rsplit("/", 1)[0] + "/1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "ap-southeast-2",
            "MEDIA_ROOT": str(log_dir / "media"),
            "EMAIL_FILE_PATH": str(log_dir / "mail"),
            "SMS_FILE_PATH": str(log_dir / "sms"),
            "BACKUP_DIR": str(log_dir / "backups"),
        }
    )


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]):
    _start_services(early_config)
    return (yield)


def pytest_unconfigure(config: pytest.Config) -> None:
    for service in reversed(_services):
        service.stop()
    _services.clear()


def running_services() -> dict[str, Service]:
    return {service.name: service for service in _services}
