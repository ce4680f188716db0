"""Settings for the test suite: the same stack, with fast password hashing and eager tasks.

The test plugin (tests/plugin.py) starts a private moto server and Redis and exports their URLs
before these settings are read.
"""

from autolab.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in-process unless a test starts the real worker (tests/conftest.py::celery_worker).
CELERY_TASK_ALWAYS_EAGER = True
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
API_RATE_LIMITS = env("API_RATE_LIMITS", default="off")  # noqa: F405
