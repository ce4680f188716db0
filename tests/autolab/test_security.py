"""Production settings pass Django's deploy checks; failed logins are throttled; the portal has a CSP."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import Client

from autolab.tasks import backup_task


def _deploy_check(extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "autolab.settings.production",
        "DJANGO_ALLOWED_HOSTS": "autolab.example.com",
        **extra_env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = _deploy_check({"DJANGO_SECRET_KEY": "k" * 20 + "-Zq8!xV3#pL0@rT6^mW2&yB9*nC5(hJ7)" + "e" * 10})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_real_secret_key() -> None:
    result = _deploy_check({"DJANGO_SECRET_KEY": "dev-only-insecure-secret-key-change-me"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.fixture
def limits_on(settings) -> None:
    settings.API_RATE_LIMITS = "on"


def test_failed_token_logins_are_throttled(admin, anon, limits_on) -> None:
    for _ in range(5):
        response = anon.post("/api/auth/token", {"email": admin.email, "password": "wrong"}, format="json")
        assert response.status_code == 401
    response = anon.post("/api/auth/token", {"email": admin.email, "password": admin.password}, format="json")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.json()["message"]


def test_successful_logins_are_never_throttled(admin, anon, limits_on) -> None:
    for _ in range(8):
        response = anon.post("/api/auth/token", {"email": admin.email, "password": admin.password}, format="json")
        assert response.status_code == 200


def test_failed_portal_logins_are_throttled(admin, limits_on) -> None:
    client = Client()
    for _ in range(5):
        assert client.post("/admin/login/", {"username": admin.email, "password": "nope"}).status_code == 200
    response = client.post("/admin/login/", {"username": admin.email, "password": admin.password})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_portal_pages_carry_a_content_security_policy(admin) -> None:
    client = Client()
    client.login(username=admin.email, password=admin.password)
    policy = client.get("/admin/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_no_secret_appears_in_responses_or_the_schema(anon, settings) -> None:
    schema = anon.get("/api/schema/").content.decode()
    health = anon.get("/api/health").content.decode()
    for secret in (settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET, settings.SECRET_KEY):
        assert secret not in schema
        assert secret not in health


def test_the_daily_backup_task_writes_a_backup_and_prunes_only_old_folders(tmp_path, settings) -> None:
    settings.BACKUP_DIR = tmp_path
    old = tmp_path / "2020-01-01T00-00-00Z"
    old.mkdir()
    os.utime(old, (0, 0))
    message = backup_task.delay().get()
    folders = [p.name for p in tmp_path.iterdir()]
    assert "2020-01-01T00-00-00Z" not in folders
    assert len(folders) == 1
    assert (tmp_path / folders[0] / "Staff.json").exists()
    assert "1 old backups removed" in message


PUBLIC_WRITES = [
    "/api/users/register",
    "/api/appointments",
    "/api/orders",
    "/api/inquiries",
    "/api/messages",
    "/api/payments/stripe/intent",
]


def test_public_writes_are_rate_limited_per_client(anon, limits_on) -> None:
    from rest_framework.throttling import SimpleRateThrottle

    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {**original, "public_write": "5/min"}
    try:
        for _ in range(5):
            assert anon.post("/api/inquiries", {}, format="json").status_code == 400
        for path in PUBLIC_WRITES:
            response = anon.post(path, {}, format="json")
            assert response.status_code == 429, path
            assert response.json()["success"] is False
        other_client = anon.post("/api/inquiries", {}, format="json", REMOTE_ADDR="10.9.8.7")
        assert other_client.status_code == 400
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original


SECRET_PATTERNS = [
    r"sk_live_[A-Za-z0-9]{8,}",
    r"rk_live_[A-Za-z0-9]{8,}",
    r"AKIA[0-9A-Z]{16}",
    r"-----BEGIN (?:RSA |EC |OPENSSH )?PRIVATE KEY-----",
    r"xox[baprs]-[A-Za-z0-9-]{10,}",
]


def test_no_secret_is_committed_to_the_repository() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    pattern = re.compile("|".join(SECRET_PATTERNS))
    leaks = []
    for name in tracked:
        path = root / name
        if path.is_file() and path.stat().st_size < 2_000_000:
            text = path.read_text(errors="ignore")
            leaks += [f"{name}: {match.group(0)[:12]}..." for match in pattern.finditer(text)]
    assert leaks == []


def test_no_secret_reaches_a_log_line(admin, anon, caplog, settings) -> None:
    import logging

    settings.STRIPE_SECRET_KEY = "sk_test_" + "s3cr3t" * 5
    caplog.set_level(logging.DEBUG)
    anon.post("/api/auth/token", {"email": admin.email, "password": admin.password}, format="json")
    anon.post("/api/auth/token", {"email": admin.email, "password": "wrong-" + admin.password}, format="json")
    anon.post(
        "/api/payments/stripe/intent", {"userId": "x", "referenceNumber": "y", "type": "appointment"}, format="json"
    )
    admin.api().get("/api/auth/me")
    logged = caplog.text
    for secret in (
        admin.password,
        admin.token,
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_WEBHOOK_SECRET,
        settings.SECRET_KEY,
    ):
        assert secret not in logged
