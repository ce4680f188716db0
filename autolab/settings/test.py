"""Settings for the test suite: the same stack, with fast password hashing and eager tasks.

The test plugin (tests/plugin.py) starts a private DynamoDB Local and Redis and exports their URLs
before these settings are read.
"""

from autolab.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")  # noqa: F405
# Tasks run in-process unless a test starts the real worker (tests/conftest.py::celery_worker).
CELERY_TASK_ALWAYS_EAGER = True
# A subprocess (daphne, worker) that needs the same logins gets DATABASE_URL pointing at a file.
DATABASES = {"default": env.db("DATABASE_URL", default="sqlite://:memory:")}  # noqa: F405
API_RATE_LIMITS = env("API_RATE_LIMITS", default="off")  # noqa: F405
# Tests never call out: Stripe goes to the suite's fake server (tests/billing/fake_stripe.py) or,
# where a test does not start it, to a closed local port.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="http://127.0.0.1:9")  # noqa: F405
STRIPE_SECRET_KEY = "sk_test_autolab_suite"  # noqa: S105
# The SES webhook tests sign their SNS envelopes as this topic (tests/emails/conftest.py).
SNS_ALLOWED_TOPIC_ARNS = env.list("SNS_ALLOWED_TOPIC_ARNS", default=[DEV_SNS_TOPIC_ARN])  # noqa: F405
# WhiteNoise indexes every static file (through the finders) whenever its middleware is built, and
# Django's test Client builds the middleware stack once per client: that index was a fifth of the
# suite's time. Looking a file up when it is asked for (WhiteNoise's development mode) serves the
# same files.
WHITENOISE_AUTOREFRESH = True
# Web Push: a fixed local test key pair (test settings only); pushes go to the tests' own local
# push endpoint over http. Off unless a test turns it on (tests/staffapp/test_push.py), so other
# tests' request counts stay those of the request.
PUSH_ENABLED = env.bool("PUSH_ENABLED", default=False)  # noqa: F405
PUSH_BACKEND = "staffapp.push.WebPushBackend"
PUSH_ALLOW_HTTP_ENDPOINTS = True
VAPID_PRIVATE_KEY = "PLgz0zlZyIr6LaQHrLgEAiqqty-PV3_DmFUwSL_4PWk"
VAPID_KEY_FILE = ""
PUSH_TIMEOUT_SECONDS = 5.0
