"""The one list of scheduled jobs. Every entry runs in UTC."""

from datetime import timedelta

from django.conf import settings


def beat_schedule() -> dict:
    schedule = {
        "worker-heartbeat": {
            "task": "tcms.tasks.heartbeat",
            "schedule": timedelta(seconds=settings.TCMS_WORKER_HEARTBEAT_SECONDS),
        },
    }
    for extra in getattr(settings, "TCMS_EXTRA_SCHEDULES", ()):
        schedule.update(extra())
    return schedule
