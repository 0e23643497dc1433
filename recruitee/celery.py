"""The Celery application (`celery -A recruitee worker`). Configuration lives in Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recruitee.settings.local")

app = Celery("recruitee")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
