from pathlib import Path

from celery import shared_task

from core.services import worker_heartbeat_record


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
    from core import outbox

    outbox.relay_outbox()
    outbox.purge_sent()


@shared_task(name="tcms.tasks.check_import", ignore_result=True)
def check_import(job_id: int) -> str:
    """The dry run of an uploaded file (tcms/imports.py); running it again for a checked job does nothing."""
    from core.imports import job_check

    return job_check(job_id).status


@shared_task(name="tcms.tasks.apply_import", ignore_result=True)
def apply_import(job_id: int) -> str:
    """The import of a confirmed file; running it again for an applied job does nothing."""
    from core.imports import job_apply

    return job_apply(job_id).status


@shared_task(name="tcms.tasks.purge_import_jobs", ignore_result=True)
def purge_import_jobs() -> None:
    """Delete uploaded files left waiting and old import jobs."""
    from core.imports import purge_import_jobs as purge

    purge()
