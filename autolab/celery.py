import os

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autolab.settings.base")

app = Celery("autolab")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Added to whatever transport options the settings give (client timeouts), not replacing them.
app.conf.broker_transport_options = {
    **(app.conf.broker_transport_options or {}),
    "visibility_timeout": settings.CELERY_VISIBILITY_TIMEOUT_SECONDS,
}
app.autodiscover_tasks()
