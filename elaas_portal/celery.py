"""The Celery app. Without REDIS_URL tasks run in-process (eager); with it they go to Redis."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elaas_portal.settings.local")

app = Celery("elaas_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
