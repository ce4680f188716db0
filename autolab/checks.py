"""Deployment checks of the secrets: production refuses development placeholders (issue #20.4).

One rule, used twice: ``autolab.settings.production`` raises ImproperlyConfigured at import (so
daphne, the Celery worker and beat never start with one), and ``manage.py check --deploy`` reports
``autolab.E001`` under any other settings module run with DEBUG off.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

# Words that only a made-up value contains (the .env.example and base-settings defaults use them).
PLACEHOLDER_MARKERS = ("placeholder", "change-me", "changeme", "dev-only", "insecure", "example", "dummy")

# setting name -> (environment variable, accepted prefixes, shortest real length)
SECRETS: dict[str, tuple[str, tuple[str, ...], int]] = {
    "SECRET_KEY": ("DJANGO_SECRET_KEY", ("",), 50),
    "STRIPE_SECRET_KEY": ("STRIPE_SECRET_KEY", ("sk_", "rk_"), 24),
    "STRIPE_PUBLISHABLE_KEY": ("STRIPE_PUBLISHABLE_KEY", ("pk_",), 24),
    "STRIPE_WEBHOOK_SECRET": ("STRIPE_WEBHOOK_SECRET", ("whsec_",), 24),
}


def secret_problems(values: Mapping[str, Any]) -> list[str]:
    """One sentence per secret in ``values`` (setting name -> value) that is unset or made up."""
    problems = []
    for name, (variable, prefixes, shortest) in SECRETS.items():
        value = str(values.get(name) or "")
        if not value:
            problems.append(f"{variable} is not set")
        elif any(marker in value.lower() for marker in PLACEHOLDER_MARKERS):
            problems.append(f"{variable} is a development placeholder; set the real value")
        elif not value.startswith(prefixes):
            problems.append(f"{variable} must start with {' or '.join(prefixes)}")
        elif len(value) < shortest or len(set(value)) < 5:
            problems.append(f"{variable} is too short to be real (at least {shortest} random characters)")
    return problems


@register(Tags.security, deploy=True)
def check_secrets(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """A deployment with a placeholder Stripe webhook secret accepts forged payments."""
    values = {name: getattr(settings, name, "") for name in SECRETS}
    return [Error(problem, id="autolab.E001") for problem in secret_problems(values)]
