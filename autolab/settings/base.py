"""All settings come from environment variables; every one has a safe dev default (.env.example)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autolab.env import BASE_DIR, env

AUTOLAB_ENV = env("AUTOLAB_ENV", default="dev")

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-secret-key-change-me")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "channels",
    "autolab",
    "staffapp",
    "bookings",
    "shop",
    "billing",
    "chat",
    "emails",
    "inspections",
]

MIDDLEWARE = [
    "autolab.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "autolab.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "staffapp.middleware.StaffMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "autolab.middleware.DataLayerUnavailableMiddleware",
]

ROOT_URLCONF = "autolab.urls"
ASGI_APPLICATION = "autolab.asgi.application"
WSGI_APPLICATION = "autolab.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The relational database holds only Django's auth, sessions, tokens and admin log.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'auth.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-au"
BUSINESS_TIME_ZONE = env("BUSINESS_TIME_ZONE", default="Australia/Perth")
TIME_ZONE = BUSINESS_TIME_ZONE
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
# daphne serves static files through WhiteNoise; in dev straight from the apps' static folders.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# "local" keeps reports and invoices under MEDIA_ROOT; "s3" uses AWS_STORAGE_BUCKET_NAME.
FILE_STORAGE = env("FILE_STORAGE", default="local")
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
# Another S3-compatible endpoint (tests: a moto server); unset means AWS.
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default="")
SIGNED_URL_MAX_AGE_SECONDS = env.int("SIGNED_URL_MAX_AGE_SECONDS", default=900)
# autolab's own public origin: every link it hands out (API answers, emails) is absolute on it.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}")
# Customers' invoice and report links (API answers, emails) open without a login until then.
CUSTOMER_LINK_MAX_AGE_SECONDS = env.int("CUSTOMER_LINK_MAX_AGE_SECONDS", default=7 * 24 * 3600)
# An appointment's manage link (emails, SMS) opens the customer's manage page until then; longer
# than the invoice links, since a booking can be weeks ahead of its email.
MANAGE_LINK_MAX_AGE_SECONDS = env.int("MANAGE_LINK_MAX_AGE_SECONDS", default=30 * 24 * 3600)

LOGIN_URL = "admin:login"
# Report uploads are up to 10 MB and arrive as one PUT body.
DATA_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024

# --- DynamoDB -------------------------------------------------------------------------------
# No endpoint means real AWS; `make run`, the tests and the bench point this at DynamoDB Local.
DYNAMODB_ENDPOINT_URL = env("DYNAMODB_ENDPOINT_URL", default=None)
AWS_DEFAULT_REGION = env("AWS_DEFAULT_REGION", default="ap-southeast-2")
DYNAMODB_READ_TIMEOUT_SECONDS = env.int("DYNAMODB_READ_TIMEOUT_SECONDS", default=10)

# --- Redis, Channels, Celery -----------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="") or "redis://127.0.0.1:6379/0"
# One set of client options for every Redis connection (docs/chat.md, "Keep-alive"). channels-redis
# waits for a socket's next message with a 5 s blocking BZPOPMIN; redis-py's default 5 s read timeout
# made that wait itself time out and crash idle sockets (1011). Reads get 30 s, well above any
# blocking call here; idle pooled connections are PINGed before reuse and kept alive by TCP.
REDIS_CLIENT_OPTIONS = {
    "socket_timeout": 30,
    "socket_connect_timeout": 5,
    "socket_keepalive": True,
    "health_check_interval": 15,
}
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # A staff socket gets two pushes per customer message; a burst must not overflow its
        # channel (channels-redis drops pushes beyond capacity, default 100).
        "CONFIG": {"hosts": [{"address": REDIS_URL, **REDIS_CLIENT_OPTIONS}], "capacity": 1000},
    }
}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or REDIS_URL
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_BROKER_TRANSPORT_OPTIONS = dict(REDIS_CLIENT_OPTIONS)
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_CLIENT_OPTIONS["socket_timeout"]
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CLIENT_OPTIONS["socket_connect_timeout"]
CELERY_REDIS_SOCKET_KEEPALIVE = True
CELERY_REDIS_BACKEND_HEALTH_CHECK_INTERVAL = REDIS_CLIENT_OPTIONS["health_check_interval"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A worker killed mid-task (SIGKILL, OOM) never acknowledges its message; Redis hands it to a worker
# again after this long. Above the task time limit plus the longest retry countdown (300 s).
CELERY_VISIBILITY_TIMEOUT_SECONDS = env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=900)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
from celery.schedules import crontab  # noqa: E402

# Periodic jobs; each app adds its entries here.
CELERY_BEAT_SCHEDULE: dict = {
    # 02:00 in Perth: every table to backups/<time>/ (or S3), older folders pruned by retention.
    "backup-daily": {"task": "autolab.backup_task", "schedule": crontab(hour=18, minute=0)},
}
# billing: paid appointments/orders still without an invoice (a lost enqueue) get one.
CELERY_BEAT_SCHEDULE["billing-invoice-reconcile"] = {"task": "billing.invoice_reconcile_task", "schedule": 300.0}
CELERY_BEAT_SCHEDULE["billing-refund-reconcile"] = {"task": "billing.refund_reconcile_task", "schedule": 300.0}
# email: re-enqueue sends whose enqueue was lost; settle sends left mid-way; expire suppressions.
CELERY_BEAT_SCHEDULE["email-outbox-reconcile"] = {"task": "chat.emails.outbox_reconcile_task", "schedule": 300.0}
CELERY_BEAT_SCHEDULE["email-suppression-cleanup"] = {"task": "chat.emails.suppression_cleanup_task", "schedule": 3600.0}
# chat: Connections rows whose ttl passed (a web process died without closing its sockets).
# bookings: reminders of the jobs starting within REMINDER_LEAD_HOURS (each sent once).
CELERY_BEAT_SCHEDULE["bookings-reminders"] = {"task": "bookings.reminders_send_task", "schedule": 900.0}
CELERY_BEAT_SCHEDULE["chat-connections-sweep"] = {"task": "chat.connections_sweep_task", "schedule": 600.0}
# chat: staff replies a customer has not seen within CHAT_OFFLINE_EMAIL_MINUTES are emailed to them.
CELERY_BEAT_SCHEDULE["chat-offline-emails"] = {"task": "chat.offline_emails_send_task", "schedule": 60.0}
# inspections: submitted inspections whose report render was lost (enqueue failed, retries ran out),
# once INSPECTION_REPORT_GRACE_SECONDS have passed since the submit.
INSPECTION_REPORT_GRACE_SECONDS = env.int("INSPECTION_REPORT_GRACE_SECONDS", default=300)
CELERY_BEAT_SCHEDULE["inspections-report-reconcile"] = {
    "task": "inspections.report_reconcile_task",
    "schedule": 300.0,
}

# --- Stripe ----------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="sk_test_dev_placeholder")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="pk_test_dev_placeholder")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="whsec_dev_placeholder")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")

# --- Email -----------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = Path(env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail")))
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Auto Lab Solutions <mail@autolabsolutions.com>")
# Text messages (emails.sms): one JSON file per message in dev and tests, Amazon SNS in production.
SMS_BACKEND = env("SMS_BACKEND", default="emails.sms.FileBackend")
SMS_FILE_PATH = Path(env("SMS_FILE_PATH", default=str(BASE_DIR / "var" / "sms")))
SMS_DEFAULT_COUNTRY_CODE = env("SMS_DEFAULT_COUNTRY_CODE", default="61")  # for local numbers (0412 ...)
SMS_SENDER_ID = env("SMS_SENDER_ID", default="")
AWS_SNS_ENDPOINT_URL = env("AWS_SNS_ENDPOINT_URL", default="")  # a local stand-in only; unset means AWS
# Staff Web Push (staffapp.push): pywebpush with VAPID keys in production; one JSON file per push in
# dev. VAPID_PRIVATE_KEY is PEM or the raw key base64url; unset, dev generates one into VAPID_KEY_FILE
# and elsewhere push is off (the Notifications page says so).
PUSH_ENABLED = env.bool("PUSH_ENABLED", default=True)
PUSH_BACKEND = env(
    "PUSH_BACKEND", default="staffapp.push.FileBackend" if AUTOLAB_ENV == "dev" else "staffapp.push.WebPushBackend"
)
PUSH_FILE_PATH = Path(env("PUSH_FILE_PATH", default=str(BASE_DIR / "var" / "push")))
PUSH_TTL_SECONDS = env.int("PUSH_TTL_SECONDS", default=4 * 3600)  # a push service keeps an undelivered push this long
PUSH_TIMEOUT_SECONDS = env.float("PUSH_TIMEOUT_SECONDS", default=10.0)
PUSH_ALLOW_HTTP_ENDPOINTS = env.bool("PUSH_ALLOW_HTTP_ENDPOINTS", default=False)  # browsers use https only
VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY", default="")
VAPID_KEY_FILE = env(
    "VAPID_KEY_FILE", default=str(BASE_DIR / "var" / "vapid-private.pem") if AUTOLAB_ENV == "dev" else ""
)
VAPID_SUBJECT = env("VAPID_SUBJECT", default="mailto:mail@autolabsolutions.com")
# Appointment reminders (bookings.reminders): this long before a scheduled job.
REMINDER_LEAD_HOURS = env.int("REMINDER_LEAD_HOURS", default=24)
# Chat offline fallback (chat.offline): a staff reply still unseen this long after it was sent is emailed.
CHAT_OFFLINE_EMAIL_MINUTES = env.int("CHAT_OFFLINE_EMAIL_MINUTES", default=10)
# A mechanic's calendar feed (bookings.calendar_feed) lists their jobs from this many days ago on.
CALENDAR_FEED_PAST_DAYS = env.int("CALENDAR_FEED_PAST_DAYS", default=30)
# SNS notifications are accepted only from these topics (our SES bounce/complaint/delivery/receipt
# topics). Empty (the default outside AUTOLAB_ENV=dev) refuses every SNS message, with a log line;
# dev and the test suite (settings/test.py) accept the suite's fixture topic.
DEV_SNS_TOPIC_ARN = "arn:aws:sns:ap-southeast-2:123456789012:ses-notifications-test"
SNS_ALLOWED_TOPIC_ARNS = env.list("SNS_ALLOWED_TOPIC_ARNS", default=[DEV_SNS_TOPIC_ARN] if AUTOLAB_ENV == "dev" else [])
# An SNS message signed longer ago than this is refused as a replay (SNS retries within minutes).
SNS_MAX_MESSAGE_AGE_SECONDS = env.int("SNS_MAX_MESSAGE_AGE_SECONDS", default=3600)
# A notification's SigningCertURL must match this after parsing: AWS's regional SNS hosts only
# (sns.<region>.amazonaws.com; not an S3 bucket host such as sns.s3.amazonaws.com), https, a .pem path.
SNS_SIGNING_CERT_URL_PATTERN = env(
    "SNS_SIGNING_CERT_URL_PATTERN",
    default=r"^https://sns\.[a-z]{2}(?:-[a-z]+)+-[0-9]\.amazonaws\.com/[A-Za-z0-9_/.-]+\.pem$",
)
# A SubscriptionConfirmation's SubscribeURL is visited only when it matches this pattern.
SNS_SUBSCRIBE_URL_PATTERN = env(
    "SNS_SUBSCRIBE_URL_PATTERN",
    default=r"^https://sns\.[a-z]{2}(?:-[a-z]+)+-[0-9]\.amazonaws\.com/\?Action=ConfirmSubscription&[^\s]+$",
)

# --- The business --------------------------------------------------------------------------
BUSINESS_NAME = env("BUSINESS_NAME", default="Auto Lab Solutions")
BUSINESS_ADDRESS = env("BUSINESS_ADDRESS", default="Perth, Western Australia")
BUSINESS_ABN = env("BUSINESS_ABN", default="51 824 753 556")
# A business below the GST threshold may not issue tax invoices or charge GST (ATO): with False its
# documents are plain "Invoice"s with no GST column or totals.
GST_REGISTERED = env.bool("GST_REGISTERED", default=True)
# Cancellation policy for a paid appointment cancelled by staff: free until CANCELLATION_FREE_HOURS
# before its scheduled start; later, CANCELLATION_FEE_CENTS plus CANCELLATION_FEE_PERCENT of what was
# paid is kept (both may be set; they add up, capped at the amount paid) and the rest is refunded.
CANCELLATION_FREE_HOURS = env.int("CANCELLATION_FREE_HOURS", default=24)
CANCELLATION_FEE_CENTS = env.int("CANCELLATION_FEE_CENTS", default=0)
CANCELLATION_FEE_PERCENT = env.float("CANCELLATION_FEE_PERCENT", default=0.0)
BUSINESS_EMAIL = env("BUSINESS_EMAIL", default="mail@autolabsolutions.com")
BUSINESS_PHONE = env("BUSINESS_PHONE", default="+61 451 237 048")
FRONTEND_ROOT_URL = env("FRONTEND_ROOT_URL", default="http://localhost:5173")
# Overrides "capacity = number of active mechanics" for availability when set.
BOOKING_CAPACITY = int(env("BOOKING_CAPACITY", default="") or 0) or None

# --- HTTP API --------------------------------------------------------------------------------
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=["http://localhost:5173"])
CORS_ALLOW_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
    "stripe-signature",
)
API_RATE_LIMITS = env("API_RATE_LIMITS", default="on")
# How many proxies we run in front of daphne (load balancer, nginx), each appending to
# X-Forwarded-For. 0: the header is ignored and the peer address is the client. Rate limits and the
# login lockout key on the address autolab.client_ip derives from this (docs/security.md).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Staff API tokens (POST /api/auth/token) expire this many seconds after issue (default 12 hours).
STAFF_TOKEN_TTL = env.int("STAFF_TOKEN_TTL", default=12 * 3600)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "staffapp.authentication.StaffTokenAuthentication",
        "staffapp.authentication.StaffSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["autolab.parsers.DepthLimitedJSONParser"],
    "EXCEPTION_HANDLER": "autolab.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "autolab.api.OpenAutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_RATES": {
        "public_write": "60/min",
        "login": "10/min",
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "autolab API",
    "DESCRIPTION": "Bookings, parts orders, payments, chat and email for Auto Lab Solutions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # A manual payment and a refund take the same three methods: one enum in the schema, not two.
    "ENUM_NAME_OVERRIDES": {
        "PaymentMethodEnum": "billing.services.payments.MANUAL_METHODS",
        "ChecklistItemKindEnum": "inspections.types.ITEM_KINDS",
    },
}

# --- Security --------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Backups ---------------------------------------------------------------------------------
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(BASE_DIR / "backups")))
# When set, `backup` (and the daily task) writes to s3://BACKUP_S3_BUCKET/BACKUP_S3_PREFIX<time>/.
BACKUP_S3_BUCKET = env("BACKUP_S3_BUCKET", default="")
BACKUP_S3_PREFIX = env("BACKUP_S3_PREFIX", default="backups/")
BACKUP_RETENTION_DAYS = env.int("BACKUP_RETENTION_DAYS", default=30)

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "autolab.middleware.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "botocore": {"level": "WARNING"},
        "pynamodb": {"level": "WARNING"},
    },
}

# Shared by every web process: throttling counters and short-lived caches live in Redis.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"autolab-{AUTOLAB_ENV}",
        "OPTIONS": REDIS_CLIENT_OPTIONS,
    }
}
