"""The Celery application. Workers start with ``celery -A asetw worker``; beat with ``celery -A asetw beat``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asetw.settings")

app = Celery("asetw")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
