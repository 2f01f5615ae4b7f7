"""The one list of scheduled jobs. Every entry runs in UTC."""

from datetime import timedelta

from celery.schedules import crontab
from django.conf import settings


def beat_schedule() -> dict:
    schedule = {
        "worker-heartbeat": {
            "task": "tcms.tasks.heartbeat",
            "schedule": timedelta(seconds=settings.TCMS_WORKER_HEARTBEAT_SECONDS),
        },
        # Tasks queued while the broker was down (tcms/outbox.py).
        "tcms-relay-outbox": {"task": "tcms.tasks.relay_outbox", "schedule": timedelta(minutes=1)},
        # Uploaded files nobody confirmed, and old import jobs (tcms/imports.py).
        "tcms-purge-import-jobs": {"task": "tcms.tasks.purge_import_jobs", "schedule": crontab(minute=30, hour=3)},
        # Early warning (alerts): scan before the digests so that today's changes are in today's digest.
        "alerts-scan-early-warnings": {"task": "alerts.tasks.scan_early_warnings",
                                       "schedule": crontab(minute=0, hour=5)},
        "alerts-daily-digests": {"task": "alerts.tasks.send_digests", "schedule": crontab(minute=0, hour=6),
                                 "kwargs": {"frequency": "DAILY"}},
        "alerts-weekly-digests": {"task": "alerts.tasks.send_digests",
                                  "schedule": crontab(minute=0, hour=6, day_of_week="mon"),
                                  "kwargs": {"frequency": "WEEKLY"}},
    }
    for extra in getattr(settings, "TCMS_EXTRA_SCHEDULES", ()):
        schedule.update(extra())
    return schedule
