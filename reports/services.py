"""Writes: report requests (asked for, built, failed), implementation plans and milestones.

`generate` is the one way a report file is made: the Celery task (pages) and the export_gb_report command both
call it, so a report built either way has the same figures and checksum.
"""

import datetime as dt
import logging
import tempfile
from collections.abc import Callable
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core import outbox
from reports import selectors
from reports.builders import EXTENSIONS, build_report_file
from reports.models import ImplementationPlan, Milestone, ReportKind, ReportRequest, ReportStatus

logger = logging.getLogger(__name__)


def generate(*, kind: str, fmt: str, language: str, out: BinaryIO, year: int | None = None,
             period_start: dt.date | None = None, period_end: dt.date | None = None, as_of: dt.date | None = None,
             plan: ImplementationPlan | None = None, progress: Callable[[int], None] | None = None) -> str:
    """Compute the report's tables and write them to `out` in `fmt` and `language`; returns the data checksum."""
    with translation.override(language):
        if kind == ReportKind.ANNUAL:
            report = selectors.annual_report(year=year, as_of=as_of, progress=progress)
        elif kind == ReportKind.MIDTERM:
            report = selectors.midterm_report(start=period_start, end=period_end, as_of=as_of, progress=progress)
        elif kind == ReportKind.PLAN:
            report = selectors.plan_report(plan=plan, as_of=as_of)
        else:
            raise ValueError(f"Unknown report kind {kind!r}")
        if progress:
            progress(90)
        build_report_file(report, fmt=fmt, language=language, out=out, plan=plan if kind == ReportKind.PLAN else None)
    return report.checksum


@transaction.atomic
def report_request_create(*, user, kind: str, fmt: str, language: str, year: int | None = None,
                          period_start: dt.date | None = None, period_end: dt.date | None = None,
                          as_of: dt.date | None = None, plan: ImplementationPlan | None = None) -> ReportRequest:
    """Record a request and enqueue its build once the transaction commits."""
    if not user.has_perm("reports.export_reports"):
        raise ValidationError(_("You may not export reports."))
    request = ReportRequest(kind=kind, format=fmt, language=language, year=year, period_start=period_start,
                            period_end=period_end, as_of=as_of, plan=plan, requested_by=user)
    request.full_clean()
    request.save()
    # Through the outbox: a request made while the broker is down is built once it is back.
    outbox.enqueue("reports.tasks.build_report", request.pk)
    return request


def _set_progress(request_id: int, percent: int) -> None:
    ReportRequest.objects.filter(pk=request_id).update(progress=percent)


def report_request_run(*, request_id: int) -> ReportRequest:
    """Build the file of a request. Idempotent: a request already built (or being built by another worker) is left
    as it is; only a waiting or failed one is claimed, atomically, then built."""
    claimable = [ReportStatus.PENDING, ReportStatus.FAILED]
    claimed = ReportRequest.objects.filter(pk=request_id, status__in=claimable).update(
        status=ReportStatus.RUNNING, progress=5, message="")
    request = ReportRequest.objects.select_related("plan").get(pk=request_id)
    if not claimed:
        return request
    try:
        with tempfile.TemporaryFile() as scratch:
            checksum = generate(kind=request.kind, fmt=request.format, language=request.language, out=scratch,
                                year=request.year, period_start=request.period_start, period_end=request.period_end,
                                as_of=request.as_of, plan=request.plan,
                                progress=lambda percent: _set_progress(request_id, percent))
            scratch.seek(0)
            name = f"gb-{request.kind}-{request.describe_period().replace(' ', '')}-{request.language}-{request.pk}"
            request.file.save(f"{slug(name)}.{EXTENSIONS[request.format]}", File(scratch), save=False)
        request.checksum, request.status, request.progress = checksum, ReportStatus.DONE, 100
        request.finished_at = timezone.now()
        request.save(update_fields=["file", "checksum", "status", "progress", "finished_at"])
    except Exception as error:
        logger.exception("report request %s failed", request_id)
        ReportRequest.objects.filter(pk=request_id).update(status=ReportStatus.FAILED, finished_at=timezone.now(),
                                                           message=f"{type(error).__name__}: {error}"[:2000])
        request.refresh_from_db()
    return request


def slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text).strip("-")


@transaction.atomic
def plan_create(*, title: str, start_date: dt.date, end_date: dt.date, description: str = "") -> ImplementationPlan:
    plan = ImplementationPlan(title=title, start_date=start_date, end_date=end_date, description=description)
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def milestone_save(*, plan: ImplementationPlan, title: str, owner: str, due_date: dt.date, status: str,
                   start_date: dt.date | None = None, completed_on: dt.date | None = None,
                   milestone: Milestone | None = None) -> Milestone:
    """Create a milestone of `plan`, or update `milestone`."""
    milestone = milestone or Milestone(plan=plan)
    for name, value in {"title": title, "owner": owner, "due_date": due_date, "status": status,
                        "start_date": start_date, "completed_on": completed_on}.items():
        setattr(milestone, name, value)
    milestone.full_clean()
    milestone.save()
    return milestone
