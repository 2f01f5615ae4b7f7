"""Celery tasks: they take ids and call the services."""

from celery import shared_task

from reports import services


@shared_task(name="reports.tasks.build_report", ignore_result=True)
def build_report(request_id: int) -> str:
    """Build a requested report; running it again for a built request does nothing (see report_request_run)."""
    return services.report_request_run(request_id=request_id).status
