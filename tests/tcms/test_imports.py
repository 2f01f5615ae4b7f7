"""The shared import workflow (tcms/imports.py) with an import kind of its own: claims, idempotent tasks, failure,
progress, cleanup, the job page."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from core import imports
from core.imports import ImportKind, ImportOutcome
from core.models import ImportJob, ImportJobStatus
from tcms.schedule import beat_schedule
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CSV = b"symbol\nA/1\nA/2\n"


class FakeImport:
    """An import kind whose run records how it was called."""

    def __init__(self, outcome: ImportOutcome | None = None, error: Exception | None = None):
        self.calls = []
        self.outcome = outcome or ImportOutcome(ok=True, rows_total=2, counts={"create": 2, "update": 0,
                                                                              "unchanged": 0})
        self.error = error

    def __call__(self, source, filename, user, dry_run, progress):
        # The stored file comes open, to be read as the import needs (never handed over whole).
        self.calls.append({"data": source.read(), "filename": filename, "user": user, "dry_run": dry_run,
                           "language": translation.get_language()})
        progress(1, 2)
        if self.error:
            raise self.error
        return self.outcome


@pytest.fixture
def fake(monkeypatch):
    run = FakeImport()
    kind = ImportKind(name="fake", label="Fake", permission="projects.import_projects", upload_url="projects:import",
                      run=run)
    monkeypatch.setitem(imports._KINDS, "fake", kind)
    return run


@pytest.fixture
def owner(db):
    return UserFactory(username="uploader", role=Role.OFFICER)


def _create(owner, django_capture_on_commit_callbacks, language="en") -> ImportJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.job_create(kind="fake", upload=SimpleUploadedFile("rows.csv", CSV), user=owner,
                                 language=language)
    job.refresh_from_db()
    return job


def test_check_and_apply_each_run_once_as_the_uploader(fake, owner, django_capture_on_commit_callbacks):
    job = _create(owner, django_capture_on_commit_callbacks, language="fr")
    assert job.status == ImportJobStatus.READY and job.preview["counts"]["create"] == 2
    assert storages["private"].exists(job.stored_name)
    imports.job_check(job.pk)  # delivered twice: the second does nothing
    assert [(c["data"], c["filename"], c["user"], c["dry_run"], c["language"]) for c in fake.calls] == [
        (CSV, "rows.csv", owner, True, "fr")]
    with django_capture_on_commit_callbacks(execute=True):
        imports.job_confirm(job=job, user=owner)
    imports.job_apply(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and job.result["ok"] and job.finished_at
    assert [c["dry_run"] for c in fake.calls] == [True, False]
    assert not job.stored_name and not storages["private"].listdir("imports")[1]
    with pytest.raises(ValidationError, match="cannot be confirmed any more"):
        imports.job_confirm(job=job, user=owner)


def test_a_claim_left_by_a_dead_worker_is_taken_over(fake, owner, django_capture_on_commit_callbacks):
    job = _create(owner, django_capture_on_commit_callbacks)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.VALIDATING, started_at=timezone.now())
    imports.job_check(job.pk)
    assert len(fake.calls) == 1  # a live claim is left alone
    ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - imports.CLAIM_LEASE * 2)
    assert imports.job_check(job.pk).status == ImportJobStatus.READY and len(fake.calls) == 2


def test_a_refused_check_keeps_the_errors_but_not_the_file(fake, owner, django_capture_on_commit_callbacks):
    fake.outcome = ImportOutcome(ok=False, rows_total=2, errors=[{"row": 3, "column": "symbol", "message": "bad"}]
                                 * 1500)
    job = _create(owner, django_capture_on_commit_callbacks)
    assert job.status == ImportJobStatus.REFUSED and not job.stored_name and job.finished_at
    assert len(job.preview["errors"]) == imports.PREVIEW_ROWS and job.preview["errors_total"] == 1500
    with pytest.raises(ValidationError):
        imports.job_confirm(job=job, user=owner)


def test_an_unexpected_error_fails_the_job_briefly(fake, owner, django_capture_on_commit_callbacks):
    fake.error = RuntimeError("x" * 5000)
    job = _create(owner, django_capture_on_commit_callbacks)
    assert job.status == ImportJobStatus.FAILED and job.message.startswith("RuntimeError: xxx")
    assert len(job.message) <= 500 and not job.stored_name


def test_the_gate_and_the_permission_come_first(fake, owner):
    with pytest.raises(ValidationError):
        imports.job_create(kind="fake", upload=SimpleUploadedFile("evil.exe", b"MZ"), user=owner)
    with pytest.raises(PermissionDenied):
        imports.job_create(kind="fake", upload=SimpleUploadedFile("rows.csv", CSV),
                           user=UserFactory(role=Role.SECRETARIAT))
    assert not ImportJob.objects.exists()
    with pytest.raises(ValueError, match="Unknown import kind"):
        imports.job_create(kind="nope", upload=SimpleUploadedFile("rows.csv", CSV), user=owner)


def test_a_file_past_the_limit_while_it_is_stored_is_refused_and_nothing_kept(fake, owner, settings):
    settings.TCMS_MAX_UPLOAD_BYTES = 1000
    upload = SimpleUploadedFile("rows.csv", b"symbol\n" + b"A/1\n" * 1000)
    upload.size = 100  # what it claims: the gate's size check passes, the bytes written are counted
    with pytest.raises(ValidationError, match="too large"):
        imports.job_create(kind="fake", upload=upload, user=owner)
    assert not ImportJob.objects.exists() and not fake.calls
    storage = storages["private"]
    assert not storage.exists("imports") or storage.listdir("imports") == ([], [])


def test_purge_deletes_waiting_files_and_old_jobs(fake, owner, django_capture_on_commit_callbacks):
    waiting = _create(owner, django_capture_on_commit_callbacks)
    recent = _create(owner, django_capture_on_commit_callbacks)
    old = _create(owner, django_capture_on_commit_callbacks)
    ImportJob.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=100))
    assert imports.purge_import_jobs() == {"expired": 2, "deleted": 1}  # the old one expired, then went
    waiting.refresh_from_db()
    assert waiting.status == ImportJobStatus.CANCELLED and not waiting.stored_name
    recent.refresh_from_db()
    assert recent.status == ImportJobStatus.READY and storages["private"].exists(recent.stored_name)
    assert not ImportJob.objects.filter(pk=old.pk).exists()
    assert storages["private"].listdir("imports")[1] == [recent.stored_name.split("/")[-1]]
    assert beat_schedule()["tcms-purge-import-jobs"]["task"] == "tcms.tasks.purge_import_jobs"


def test_the_job_page_polls_while_running_and_offers_a_plain_refresh(fake, owner, client):
    job = ImportJob.objects.create(kind="fake", owner=owner, file_name="rows.csv", rows_done=50, rows_total=200,
                                   status=ImportJobStatus.VALIDATING)
    client.force_login(owner)
    page = client.get(reverse("import_job", args=[job.pk])).content.decode()
    url = reverse("import_job", args=[job.pk])
    assert f'hx-get="{url}" hx-trigger="every 1s"' in page and f'<a href="{url}">Refresh</a>' in page
    assert "50 of 200 rows" in page and 'data-width-percent="25"' in page
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<section id="import-job-status"') and "<html" not in partial
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.READY, preview={"counts": {}, "plan": []})
    assert "hx-get" not in client.get(url, HTTP_HX_REQUEST="true").content.decode()  # finished: no more polling


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_other_connections_while_the_import_runs(owner):
    job = ImportJob.objects.create(kind="fake", owner=owner, file_name="rows.csv")
    writer = imports._ProgressWriter(job.pk)
    writer(3, 10)  # outside a transaction: written directly
    assert ImportJob.objects.get(pk=job.pk).rows_done == 3
    with transaction.atomic():
        writer(10, 10)  # the end is always written; inside the import's transaction, through a second connection
        seen_inside = ImportJob.objects.get(pk=job.pk).rows_done
    writer.close()
    # PostgreSQL: committed at once by the second connection; SQLite (one writer at a time): left for the end
    assert seen_inside == (10 if connection.vendor == "postgresql" else 3)
