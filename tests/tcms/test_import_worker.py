"""An import job checked and applied by a real Celery worker (Redis when TCMS_TEST_REDIS_URL is set, otherwise the
embedded filesystem broker), on the test database, reading the uploaded file from the private storage it shares
with the web process."""

import os
import time

import pytest
from celery import Celery
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from core.models import ImportJob, ImportJobStatus
from delivery.models import ExchangeRate
from tests.factories import UserFactory
from tests.tcms.celery_worker import running_worker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _wait_for_status(job: ImportJob, status: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ImportJob.objects.get(pk=job.pk).status == status:
            return True
        time.sleep(0.25)
    return False


def test_an_import_job_is_checked_and_applied_by_a_real_worker(tmp_path):
    stored = storages["private"].save("imports/rates.csv", ContentFile(b"currency,period,units_per_usd\n"
                                                                       b"EUR,2026-01,0.921000\n"))
    job = ImportJob.objects.create(kind="rates", owner=UserFactory(role="ADMIN"), file_name="rates.csv",
                                   stored_name=stored, language="fr")
    redis_url = os.environ.get("TCMS_TEST_REDIS_URL")
    broker = redis_url or "filesystem://"
    var_dir = tmp_path / "var"
    env = {"TCMS_VAR_DIR": str(var_dir), "CELERY_BROKER_URL": broker, "DATABASE_URL": _test_database_url(),
           "TCMS_PRIVATE_ROOT": str(settings.PRIVATE_ROOT), "CELERY_TASK_ALWAYS_EAGER": ""}
    log = tmp_path / "worker.log"
    with running_worker(env=env, log_path=log):
        client = Celery("import-client", broker=broker)
        if not redis_url:
            folder = str(var_dir / "broker" / "out")
            client.conf.broker_transport_options = {"data_folder_in": folder, "data_folder_out": folder}
        client.send_task("tcms.tasks.check_import", args=[job.pk])
        assert _wait_for_status(job, ImportJobStatus.READY), log.read_text()[-3000:]
        assert not ExchangeRate.objects.exists()
        # What job_confirm does (its queueing through the outbox is tested with the pages).
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.CONFIRMED)
        client.send_task("tcms.tasks.apply_import", args=[job.pk])
        assert _wait_for_status(job, ImportJobStatus.DONE), log.read_text()[-3000:]
    job.refresh_from_db()
    assert job.result["counts"] == {"create": 1, "update": 0, "unchanged": 0} and job.rows_done == 1
    assert ExchangeRate.objects.get().currency == "EUR"
    assert not job.stored_name and not storages["private"].exists(stored)
