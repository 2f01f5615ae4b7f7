"""Each financial import through the shared workflow's pages: upload → preview → confirm → result, and who may see
and act on a job."""

from decimal import Decimal

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import ImportJobStatus
from delivery.models import Allocation, ExchangeRate, Expenditure, ImportBatch, ImportStatus
from tests import import_flow
from tests.delivery.factories import csv_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FILES = {
    "allocations": ("project_symbol,year,funding_source,amount_usd", "RAF/26/01/USA,2026,XBTC,1000.00"),
    "expenditure": ("project_symbol,period,input_type,currency,amount", "RAF/26/01/USA,2026-01,EXPERTS,EUR,92.10"),
    "rates": ("currency,period,units_per_usd", "EUR,2026-01,0.921000"),
}
MODELS = {"allocations": Allocation, "expenditure": Expenditure, "rates": ExchangeRate}


@pytest.mark.parametrize("kind", sorted(FILES))
def test_each_kind_from_upload_to_result(kind, project_a, officer, client, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    if kind == "expenditure":
        ExchangeRate.objects.create(currency="EUR", period="2026-01-01", units_per_usd=Decimal("0.921"))
    # Exchange rates are reference data: an administrator's import; the others an officer of the project's unit.
    importer = UserFactory(username="rates-admin", role="ADMIN") if kind == "rates" else officer
    client.force_login(importer)
    before = MODELS[kind].objects.count()
    upload = SimpleUploadedFile(f"{kind}.csv", csv_bytes(*FILES[kind]))
    preview = import_flow.upload(client, capture, reverse("delivery:import"), {"kind": kind, "file": upload})
    job = preview.context["job"]
    assert (job.kind, job.status, job.owner, job.rows_total) == (kind, ImportJobStatus.READY, importer, 1)
    assert job.preview["counts"] == {"create": 1, "update": 0, "unchanged": 0}
    assert b"1 rows: 1 to create, 0 to update, 0 unchanged." in preview.content
    assert MODELS[kind].objects.count() == before  # nothing written before the confirmation
    result = import_flow.confirm(client, capture, job)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and job.result["counts"]["create"] == 1 and not job.stored_name
    assert b"1 rows imported: 1 created, 0 updated, 0 unchanged." in result.content
    assert MODELS[kind].objects.count() == before + 1
    batch = ImportBatch.objects.get(kind=kind, status=ImportStatus.APPLIED)
    assert batch.uploaded_by == importer and batch.file_name == f"{kind}.csv"
    if kind == "expenditure":
        assert Expenditure.objects.get().amount_usd == Decimal("100.00")


def test_rows_that_went_wrong_since_the_preview_refuse_the_file(project_a, officer, client,
                                                                django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    client.force_login(officer)
    upload = SimpleUploadedFile("allocations.csv", csv_bytes(*FILES["allocations"]))
    job = import_flow.upload(client, capture, reverse("delivery:import"), {"kind": "allocations", "file": upload}
                             ).context["job"]
    project_a.delete()
    page = import_flow.confirm(client, capture, job)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.REFUSED and job.result["errors"][0]["column"] == "project_symbol"
    assert b'id="import-errors"' in page.content and not Allocation.objects.exists()


def test_only_the_owner_and_administrators_see_a_job_and_only_the_owner_acts(project_a, officer, client,
                                                                            django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    client.force_login(officer)
    upload = SimpleUploadedFile("allocations.csv", csv_bytes(*FILES["allocations"]))
    job = import_flow.upload(client, capture, reverse("delivery:import"), {"kind": "allocations", "file": upload}
                             ).context["job"]
    page, confirm = reverse("import_job", args=[job.pk]), reverse("import_job_confirm", args=[job.pk])
    client.force_login(UserFactory(username="other-officer", role="OFFICER"))
    assert client.get(page).status_code == 404 and client.post(confirm).status_code == 404
    client.force_login(UserFactory(username="administrator", role="ADMIN"))
    seen = client.get(page)
    assert seen.status_code == 200 and b"Confirm the import" not in seen.content
    assert client.post(confirm).status_code == 404
    officer.role = "SECRETARIAT"  # no longer allowed to import
    officer.save()
    client.force_login(officer)
    assert client.post(confirm).status_code == 403
    assert not Allocation.objects.exists()


def test_the_owner_may_cancel_a_checked_import(project_a, officer, client, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    client.force_login(officer)
    upload = SimpleUploadedFile("allocations.csv", csv_bytes(*FILES["allocations"]))
    job = import_flow.upload(client, capture, reverse("delivery:import"), {"kind": "allocations", "file": upload}
                             ).context["job"]
    stored = job.stored_name
    assert storages["private"].exists(stored)
    response = client.post(reverse("import_job_cancel", args=[job.pk]))
    assert response.status_code == 302 and response.url == reverse("delivery:import")
    job.refresh_from_db()
    assert job.status == ImportJobStatus.CANCELLED and not job.stored_name
    assert not storages["private"].exists(stored)
    assert client.post(reverse("import_job_confirm", args=[job.pk])).status_code == 302
    assert not Allocation.objects.exists()


def test_a_refused_upload_creates_no_job(officer, client):
    client.force_login(officer)
    response = client.post(reverse("delivery:import"), {"kind": "allocations",
                                                        "file": SimpleUploadedFile("evil.exe", b"MZ\x90")})
    assert response.status_code == 400 and b"Only CSV and XLSX files can be imported" in response.content
    assert not officer.import_jobs.exists()
