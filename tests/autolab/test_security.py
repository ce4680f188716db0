"""Production settings pass Django's deploy checks; failed logins are throttled; the portal has a CSP."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from autolab.tasks import backup_task


def _random(length: int = 56) -> str:
    import secrets

    return secrets.token_urlsafe(length)[:length]


def real_looking_secrets() -> dict[str, str]:
    return {
        "DJANGO_SECRET_KEY": _random(),
        "STRIPE_SECRET_KEY": f"sk_live_{_random(40)}",
        "STRIPE_PUBLISHABLE_KEY": f"pk_live_{_random(40)}",
        "STRIPE_WEBHOOK_SECRET": f"whsec_{_random(32)}",
    }


def _manage(args: list[str], extra_env: dict[str, str], settings_module: str) -> subprocess.CompletedProcess:
    # Only the variables given here: nothing from the developer's shell may fill a secret in.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "DJANGO_"))}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DJANGO_ALLOWED_HOSTS": "autolab.example.com",
        **extra_env,
    }
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def _deploy_check(extra_env: dict[str, str], settings_module: str = "autolab.settings.production"):
    return _manage(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], extra_env, settings_module)


def test_check_deploy_is_clean_with_production_settings_and_real_secrets() -> None:
    result = _deploy_check(real_looking_secrets())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _production_refusal(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> str:
    """Import the production settings module afresh with only ``values`` as secrets and return why it
    refused (in-process: the same module every process imports, without a Django start per case)."""
    for key in [key for key in os.environ if key.startswith(("STRIPE_", "DJANGO_"))]:
        monkeypatch.delenv(key)
    for key, value in {"DJANGO_ALLOWED_HOSTS": "autolab.example.com", **values}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delitem(sys.modules, "autolab.settings.production", raising=False)
    with pytest.raises(ImproperlyConfigured) as refused:
        importlib.import_module("autolab.settings.production")
    return str(refused.value)


def test_manage_py_with_a_placeholder_secret_exits_naming_it() -> None:
    result = _deploy_check({**real_looking_secrets(), "STRIPE_WEBHOOK_SECRET": "whsec_dev_placeholder"})
    assert result.returncode == 1
    assert "Refusing to start with placeholder secrets" in result.stderr
    assert "STRIPE_WEBHOOK_SECRET" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_SECRET_KEY", "dev-only-insecure-secret-key-change-me"),
        ("STRIPE_SECRET_KEY", "sk_test_dev_placeholder"),
        ("STRIPE_PUBLISHABLE_KEY", "pk_test_dev_placeholder"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_dev_placeholder"),
        ("STRIPE_WEBHOOK_SECRET", ""),
        ("STRIPE_WEBHOOK_SECRET", "whsec_short"),
        ("STRIPE_SECRET_KEY", "pk_live_" + "x1y2z3" * 6),
    ],
)
def test_production_settings_refuse_a_placeholder_secret(monkeypatch, variable: str, value: str) -> None:
    message = _production_refusal(monkeypatch, {**real_looking_secrets(), variable: value})
    assert message.startswith("Refusing to start with placeholder secrets")
    assert variable in message
    others = set(real_looking_secrets()) - {variable}
    assert not any(other in message for other in others)


def test_production_falls_back_to_no_secret_at_all(monkeypatch) -> None:
    """The dev defaults of base settings (whsec_dev_placeholder...) never reach production."""
    message = _production_refusal(monkeypatch, {"DJANGO_SECRET_KEY": _random()})
    for variable in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"):
        assert f"{variable} is not set" in message


def test_check_deploy_reports_placeholders_as_an_error_under_any_settings() -> None:
    result = _deploy_check({"DJANGO_DEBUG": "false"}, settings_module="autolab.settings.base")
    assert result.returncode == 1
    assert "(autolab.E001) STRIPE_WEBHOOK_SECRET is a development placeholder" in result.stderr
    assert "(autolab.E001) DJANGO_SECRET_KEY is a development placeholder" in result.stderr


def test_the_web_process_refuses_to_start_with_a_placeholder_webhook_secret() -> None:
    """The Procfile web process imports autolab.asgi:application; with a placeholder it exits first."""
    env = {**real_looking_secrets(), "STRIPE_WEBHOOK_SECRET": "whsec_dev_placeholder"}
    result = _manage(
        ["-m", "autolab.serve", "-b", "127.0.0.1", "-p", "0", "autolab.asgi:application"],
        env,
        "autolab.settings.production",
    )
    assert result.returncode == 1
    assert "STRIPE_WEBHOOK_SECRET is a development placeholder" in result.stderr


def test_the_worker_refuses_to_start_with_a_placeholder_webhook_secret() -> None:
    env = {**real_looking_secrets(), "STRIPE_WEBHOOK_SECRET": "whsec_dev_placeholder"}
    result = _manage(["-m", "celery", "-A", "autolab", "worker", "--pool", "solo"], env, "autolab.settings.production")
    assert result.returncode != 0
    assert "STRIPE_WEBHOOK_SECRET is a development placeholder" in result.stderr


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
