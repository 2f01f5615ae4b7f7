"""The one import workflow: upload → checked preview → confirm → result, run as background jobs (ImportJob).

Each app registers its imports in its AppConfig.ready() (`register(ImportKind(...))`): a name, a label, the
permission an uploader needs, its upload page, and `run(source, filename, user, dry_run, progress)` →
ImportOutcome, which calls the app's import service. This module knows no domain app.

- `job_create` (the upload pages) passes the file through the upload gate (core/uploads.py), writes it to the
  private storage a chunk at a time (its size counted as it is written: past the limit nothing is kept) and
  enqueues the check through the outbox once the transaction commits;
- the task `core.tasks.check_import` runs the dry run as the uploader; its outcome is the preview (errors with
  row, column and reason, or what would be created, updated and left unchanged);
- `job_confirm` (the owner, on a job whose preview is clean) enqueues `core.tasks.apply_import`, which runs the
  import for real; the file is deleted once applied or refused, and `purge_import_jobs` (beat, daily) deletes
  files left waiting and old jobs.
Both tasks claim their job atomically, so a task delivered twice (the outbox delivers at least once) runs once;
a claim older than CLAIM_LEASE (its worker died) is taken over. A task hands the import the stored file open, not
its content: the services read it a row at a time (core/tabular.py), so a task's memory does not grow with it.

Progress: the services call progress(done, total) as they go through the rows, inside their transaction. On
PostgreSQL it is written through a connection of its own, so that the job page sees it while the import runs;
SQLite admits one writer at a time, so there the page sees the counts when each step ends.
"""

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import outbox
from core.models import ImportJob, ImportJobStatus
from core.tabular import PREVIEW_ROWS, excerpt
from core.uploads import TABLE, check_upload, store_upload

logger = logging.getLogger(__name__)

# A check or an import claimed longer ago than this is taken over (its worker died mid-way).
CLAIM_LEASE = timedelta(minutes=30)
# A checked file not confirmed within this time is deleted (its job is cancelled); jobs are kept this long.
PENDING_LIFETIME = timedelta(days=1)
JOB_LIFETIME = timedelta(days=90)
PROGRESS_INTERVAL_SECONDS = 1.0
STORAGE = "private"


@dataclass
class ImportOutcome:
    """What an import run answers, in the terms every import page shows. `plan` (optional): one entry per row,
    {"row", "key", "action", "changes": [text]}: action "create", "update" (a record's fields change), "replace"
    (a value is replaced: changes say the old and the new) or "unchanged"."""

    ok: bool
    rows_total: int
    errors: list[dict] = field(default_factory=list)  # RowError.as_dict()
    counts: dict[str, int] = field(default_factory=dict)  # {"create": n, "update": n, "unchanged": n}
    plan: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    plan_total: int | None = None  # the plan's rows when `plan` keeps only the first ones (None: len(plan))

    def as_json(self) -> dict:
        return {"ok": self.ok, "rows_total": self.rows_total, "counts": self.counts,
                "errors": self.errors[:PREVIEW_ROWS], "errors_total": len(self.errors),
                "plan": self.plan[:PREVIEW_ROWS],
                "plan_total": len(self.plan) if self.plan_total is None else self.plan_total, "notes": self.notes}


# run(source, filename: str, user, dry_run: bool, progress) → outcome; `source` is the stored file, open (binary,
# seekable): the import reads it as it needs, never whole.
Run = Callable[..., ImportOutcome]


@dataclass(frozen=True)
class ImportKind:
    name: str
    label: str
    permission: str
    upload_url: str  # URL name of its upload page
    run: Run
    done_url: str = ""  # URL name of the page that shows what was imported, if any
    plan_key_label: str = ""  # what the preview's per-row "key" is (e.g. "Symbol")


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> None:
    if _KINDS.get(kind.name, kind) != kind:
        raise ValueError(f"Import kind {kind.name!r} is already registered")
    _KINDS[kind.name] = kind


def import_kind(name: str) -> ImportKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise ValueError(f"Unknown import kind {name!r}; registered: {', '.join(sorted(_KINDS))}")


# ---------------------------------------------------------------- reads


def upload_limits() -> dict:
    """The limits an upload page states (README "Security" lists them all)."""
    return {"upload_bytes": settings.TCMS_MAX_UPLOAD_BYTES, "rows": settings.TCMS_MAX_IMPORT_ROWS}


def is_import_administrator(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or getattr(user, "is_administrator", False))


def jobs_visible_to(user):
    """The jobs a user may see: their own; an administrator sees every one."""
    jobs = ImportJob.objects.select_related("owner")
    return jobs if is_import_administrator(user) else jobs.filter(owner=user)


# ---------------------------------------------------------------- writes (pages)


def _storage():
    return storages[STORAGE]


@transaction.atomic
def job_create(*, kind: str, upload, user, language: str = "en") -> ImportJob:
    """Check `upload` at the gate (ValidationError), keep it privately, and queue its check (a dry run)."""
    registered = import_kind(kind)
    if not user.has_perm(registered.permission):
        raise PermissionDenied
    check_upload(upload, TABLE)
    name = PurePath(getattr(upload, "name", "") or "").name or "upload"
    stored = store_upload(upload, _storage(), f"imports/{uuid.uuid4().hex}{PurePath(name).suffix.lower()}")
    try:
        job = ImportJob.objects.create(kind=kind, owner=user, file_name=name[:255], stored_name=stored,
                                       language=language)
        outbox.enqueue("tcms.tasks.check_import", job.pk)
    except Exception:
        _storage().delete(stored)
        raise
    return job


def _owned(job: ImportJob, user) -> None:
    if job.owner_id != getattr(user, "pk", None):
        raise PermissionDenied


@transaction.atomic
def job_confirm(*, job: ImportJob, user) -> ImportJob:
    """The owner confirms a checked, clean import: queue it to be applied."""
    _owned(job, user)
    if not user.has_perm(import_kind(job.kind).permission):
        raise PermissionDenied
    if not ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.READY).update(
            status=ImportJobStatus.CONFIRMED, rows_done=0):
        raise ValidationError(_("This import cannot be confirmed any more (it is: %(status)s).") % {
            "status": ImportJobStatus(ImportJob.objects.values_list("status", flat=True).get(pk=job.pk)).label})
    outbox.enqueue("tcms.tasks.apply_import", job.pk)
    job.refresh_from_db()
    return job


@transaction.atomic
def job_cancel(*, job: ImportJob, user) -> ImportJob:
    """The owner drops a checked import that is waiting for confirmation; its file is deleted."""
    _owned(job, user)
    if not ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.READY).update(
            status=ImportJobStatus.CANCELLED, finished_at=timezone.now()):
        raise ValidationError(_("Only an import waiting for confirmation can be cancelled."))
    job.refresh_from_db()
    _discard_file(job)
    return job


# ---------------------------------------------------------------- the tasks' work


def _discard_file(job: ImportJob) -> None:
    if job.stored_name:
        _storage().delete(job.stored_name)
        ImportJob.objects.filter(pk=job.pk).update(stored_name="")
        job.stored_name = ""


def _claim(job_id: int, waiting: str, running: str) -> bool:
    now = timezone.now()
    stale = Q(status=running, started_at__lt=now - CLAIM_LEASE)
    return bool(ImportJob.objects.filter(Q(status=waiting) | stale, pk=job_id).update(
        status=running, started_at=now, rows_done=0))


class _ProgressWriter:
    """progress(done, total) for the services: written at most once a PROGRESS_INTERVAL_SECONDS, and at the end.

    Inside the import's transaction an update through the same connection would stay invisible to the job page
    until the end: on PostgreSQL it goes through a second connection in autocommit; on SQLite (one writer at a
    time) it waits for the end of the transaction."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.written_at = 0.0
        self.side = None

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.written_at < PROGRESS_INTERVAL_SECONDS:
            return
        self.written_at = now
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id).update(rows_done=done, rows_total=total)
        elif connection.vendor == "postgresql":
            if self.side is None:
                self.side = connections.create_connection("default")
            table = self.side.ops.quote_name(ImportJob._meta.db_table)
            with self.side.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET rows_done = %s, rows_total = %s WHERE id = %s",
                               [done, total, self.job_id])

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


def _run(job: ImportJob, *, dry_run: bool) -> ImportOutcome:
    progress = _ProgressWriter(job.pk)
    try:
        with _storage().open(job.stored_name, "rb") as handle, translation.override(job.language):
            return import_kind(job.kind).run(handle, job.file_name, job.owner, dry_run, progress)
    finally:
        progress.close()


def _fail(job: ImportJob, error: Exception) -> None:
    if isinstance(error, PermissionDenied):
        # The owner lost the right to this kind of import since the upload: a refusal, not a fault.
        status, message = ImportJobStatus.REFUSED, str(error)
    else:
        logger.exception("import job %s (%s) failed", job.pk, job.kind)
        status, message = ImportJobStatus.FAILED, f"{type(error).__name__}: {error}"
    ImportJob.objects.filter(pk=job.pk).update(status=status, finished_at=timezone.now(),
                                               message=excerpt(message, 500))
    _discard_file(job)


def _run_claimed(job_id: int, *, waiting: str, running: str, dry_run: bool) -> ImportJob:
    """Claim a job waiting in `waiting`, run its file (dry or not) and record the outcome: a dry run that passed
    waits for confirmation (READY, the preview kept, the file too); anything else is finished and its file gone."""
    if not _claim(job_id, waiting, running):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    try:
        outcome = _run(job, dry_run=dry_run)
    except Exception as error:
        _fail(job, error)
    else:
        finished = not (dry_run and outcome.ok)
        passed = ImportJobStatus.READY if dry_run else ImportJobStatus.DONE
        kept = {"preview" if dry_run else "result": outcome.as_json()}
        ImportJob.objects.filter(pk=job_id).update(
            status=passed if outcome.ok else ImportJobStatus.REFUSED, rows_total=outcome.rows_total,
            rows_done=outcome.rows_total, finished_at=timezone.now() if finished else None, **kept)
        if finished:
            _discard_file(job)
    job.refresh_from_db()
    return job


def job_check(job_id: int) -> ImportJob:
    """Run the dry run of a queued job (the task's body). Idempotent: a job already checked is left as it is."""
    return _run_claimed(job_id, waiting=ImportJobStatus.QUEUED, running=ImportJobStatus.VALIDATING, dry_run=True)


def job_apply(job_id: int) -> ImportJob:
    """Apply a confirmed job (the task's body). Idempotent like job_check. Rows that became wrong since the
    preview (e.g. a project deleted meanwhile) refuse the whole file: the result lists them."""
    return _run_claimed(job_id, waiting=ImportJobStatus.CONFIRMED, running=ImportJobStatus.APPLYING, dry_run=False)


def purge_import_jobs(*, now=None) -> dict:
    """Delete the files of checked imports nobody confirmed within PENDING_LIFETIME (their jobs are cancelled)
    and of any finished job, and jobs older than JOB_LIFETIME. Run daily by beat."""
    now = now or timezone.now()
    expired = 0
    waiting = ImportJob.objects.filter(status=ImportJobStatus.READY, created_at__lt=now - PENDING_LIFETIME)
    for job in waiting:
        if ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.READY).update(
                status=ImportJobStatus.CANCELLED, finished_at=now,
                message=_("Not confirmed within a day: the file was deleted.")):
            _discard_file(job)
            expired += 1
    finished = ImportJob.objects.exclude(stored_name="").filter(
        status__in=[ImportJobStatus.DONE, ImportJobStatus.REFUSED, ImportJobStatus.FAILED,
                    ImportJobStatus.CANCELLED])
    for job in finished:
        _discard_file(job)
    old = ImportJob.objects.filter(created_at__lt=now - JOB_LIFETIME)
    for job in old.exclude(stored_name=""):
        _discard_file(job)
    deleted, _counts = old.delete()
    return {"expired": expired, "deleted": deleted}
