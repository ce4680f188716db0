import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autolab.settings.base")

app = Celery("autolab")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Email lives in a sub-package of chat; its tasks are discovered explicitly.
app.autodiscover_tasks(["chat.emails"])
