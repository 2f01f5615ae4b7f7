"""The Celery application object (configured from Django's settings, CELERY_*). The project wiring (tcms/celery.py)
installs the schedule and the worker's signals; shared helpers (the outbox, the health checks) publish through it.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tcms.settings")

app = Celery("tcms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
