"""Production: DEBUG off, real secrets required, HTTPS everywhere (behind a TLS load balancer)."""

from django.core.exceptions import ImproperlyConfigured

from autolab.checks import secret_problems
from autolab.settings.base import *  # noqa: F403
from autolab.settings.base import env

DEBUG = False
# No development fallbacks: every secret comes from the environment, and a missing or placeholder
# one stops every process (web, worker, beat, manage.py) here, naming the variable.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
if _problems := secret_problems(globals()):
    raise ImproperlyConfigured("Refusing to start with placeholder secrets: " + "; ".join(_problems) + ".")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
SMS_BACKEND = env("SMS_BACKEND", default="emails.sms.SnsBackend")

# The load balancer terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# The load balancer's health check calls /api/health over plain HTTP inside the VPC.
SECURE_REDIRECT_EXEMPT = [r"^api/health$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[f"https://{host}" for host in ALLOWED_HOSTS])
LOGGING["formatters"]["plain"] = {"()": "autolab.logging.JsonFormatter"}  # noqa: F405
