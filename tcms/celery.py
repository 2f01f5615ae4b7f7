"""The Celery application (core/celery_app.py), wired: the schedule is one list, in UTC (tcms/schedule.py)."""

from celery.signals import worker_ready

from core.celery_app import app


@app.on_after_finalize.connect
def _install_schedule(sender, **kwargs):
    from tcms.schedule import beat_schedule

    sender.conf.beat_schedule = beat_schedule()


@worker_ready.connect
def _record_worker_ready(sender=None, **kwargs):
    # Report alive at once rather than waiting for beat's first heartbeat.
    import logging

    from django.db import DatabaseError

    from core.services import worker_heartbeat_record

    try:
        worker_heartbeat_record(hostname=getattr(sender, "hostname", "") or "worker")
    except DatabaseError as exc:  # e.g. not migrated yet: the scheduled heartbeat will report later
        logging.getLogger(__name__).warning("worker heartbeat not recorded: %s", exc)
