from pathlib import Path

from celery import shared_task

from tcms.services import worker_heartbeat_record


@shared_task(name="tcms.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    from celery import current_task

    hostname = getattr(current_task.request, "hostname", None) or "worker"
    worker_heartbeat_record(hostname=hostname)


@shared_task(name="tcms.tasks.probe", ignore_result=True)
def probe(token: str, path: str) -> None:
    """Write `token` to `path`: lets a check prove that a task went through the broker and ran."""
    Path(path).write_text(token)


@shared_task(name="tcms.tasks.relay_outbox", ignore_result=True)
def relay_outbox() -> None:
    """Send the tasks an outage of the broker left in the outbox (tcms/outbox.py), and forget old sent ones."""
    from tcms import outbox

    outbox.relay_outbox()
    outbox.purge_sent()
