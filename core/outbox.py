"""Queued work that survives a broker outage (the transactional outbox).

`enqueue(task, ...)` inside a transaction writes a TaskOutbox row with the change itself; after commit it tries
to publish at once (no waiting: a short connection timeout, no retry), and marks the row sent. If Redis is down
the request still succeeds and the row stays pending; `relay_outbox()` — run every minute by beat, by the
`relay_outbox` command, and after each successful publish — sends what is pending, oldest first.

Delivery is at least once (a publisher can die between publishing and marking the row sent): the tasks sent this
way are idempotent (digests claim their DigestSend row, the scan and report builds re-check their state).
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=2)
RELAY_BATCH = 200
# How long a publish may wait for the broker before the row is left for the relay.
PUBLISH_RETRY_POLICY = {"max_retries": 0}


def _task_name(task) -> str:
    return task if isinstance(task, str) else task.name


def enqueue(task, *args, **kwargs):
    """Queue `task` (a task or its name) with JSON-serialisable arguments once the current transaction commits."""
    from core.models import TaskOutbox

    row = TaskOutbox.objects.create(task=_task_name(task), args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: _publish_now(row.pk))
    return row


def _claim(pk: int) -> bool:
    from core.models import TaskOutbox

    now = timezone.now()
    return bool(TaskOutbox.objects.filter(pk=pk, sent_at__isnull=True).filter(
        claimed_at__isnull=True).update(claimed_at=now) or TaskOutbox.objects.filter(
        pk=pk, sent_at__isnull=True, claimed_at__lt=now - CLAIM_LEASE).update(claimed_at=now))


def _publish(row) -> bool:
    from core.celery_app import app
    from core.models import TaskOutbox

    try:
        if app.conf.task_always_eager:  # tests and CELERY_TASK_ALWAYS_EAGER: run in this process, as .delay() would
            if row.task not in app.tasks:
                app.loader.import_default_modules()  # autodiscovery is lazy outside a worker
            app.tasks[row.task].apply(args=row.args, kwargs=row.kwargs).get()
        else:
            app.send_task(row.task, args=row.args, kwargs=row.kwargs, retry=False,
                          retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as exc:  # any broker failure: keep the row for the relay
        TaskOutbox.objects.filter(pk=row.pk).update(claimed_at=None, attempts=row.attempts + 1,
                                                    last_error=f"{exc.__class__.__name__}: {exc}"[:1000])
        logger.warning("broker unavailable, %s kept in the outbox (#%s): %s", row.task, row.pk, exc)
        return False
    TaskOutbox.objects.filter(pk=row.pk).update(sent_at=timezone.now(), attempts=row.attempts + 1, last_error="")
    return True


def _publish_now(pk: int) -> None:
    from core.models import TaskOutbox

    if not _claim(pk):
        return
    if _publish(TaskOutbox.objects.get(pk=pk)):
        relay_outbox(limit=RELAY_BATCH)  # the broker answers: also send what an outage left behind


def relay_outbox(*, limit: int = RELAY_BATCH) -> dict:
    """Publish pending rows, oldest first; stop at the first failure (the broker is still down)."""
    from core.models import TaskOutbox

    sent = failed = 0
    pending = TaskOutbox.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)[:limit]
    for pk in list(pending):
        if not _claim(pk):
            continue
        if _publish(TaskOutbox.objects.get(pk=pk)):
            sent += 1
        else:
            failed += 1
            break
    return {"sent": sent, "failed": failed, "pending": TaskOutbox.objects.filter(sent_at__isnull=True).count()}


def purge_sent(*, older_than: timedelta = timedelta(days=7)) -> int:
    from core.models import TaskOutbox

    deleted, _ = TaskOutbox.objects.filter(sent_at__lt=timezone.now() - older_than).delete()
    return deleted
