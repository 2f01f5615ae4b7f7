"""Requests built by the Celery task (eager in tests), the pages and their permissions, plans, the command."""

import datetime as dt
import io
import zipfile

import docx
import openpyxl
import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from reports import services
from reports.models import ImplementationPlan, Milestone, MilestoneStatus, ReportRequest, ReportStatus
from reports.selectors import annual_report
from reports.tasks import build_report
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat(db):
    return UserFactory(username="secretariat", role="SECRETARIAT")


@pytest.fixture
def officer(db):
    return UserFactory(username="officer", role="OFFICER")


@pytest.fixture
def plan(db):
    plan = services.plan_create(title="Plan 2000-02", start_date=dt.date(2000, 1, 1), end_date=dt.date(2002, 12, 31))
    services.milestone_save(plan=plan, title="Delivery control in place", owner="PARDEV",
                            due_date=dt.date(2000, 6, 30), status=MilestoneStatus.DONE,
                            completed_on=dt.date(2000, 6, 1))
    services.milestone_save(plan=plan, title="Mid-term report", owner="PARDEV", start_date=dt.date(2001, 1, 1),
                            due_date=dt.date(2002, 3, 31), status=MilestoneStatus.IN_PROGRESS)
    return plan


def test_task_builds_the_file_records_progress_and_checksum(portfolio, secretariat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        request = services.report_request_create(user=secretariat, kind="annual", fmt="xlsx", language="fr",
                                                 year=2001, as_of=dt.date(2001, 10, 31))
    assert len(callbacks) == 1  # enqueued once the request is committed
    request.refresh_from_db()
    assert request.status == ReportStatus.DONE and request.progress == 100 and request.finished_at
    assert request.checksum == annual_report(year=2001, as_of=dt.date(2001, 10, 31)).checksum
    assert request.file.name.endswith(".xlsx")
    with request.file.open("rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()))
    assert workbook["By source of funds"]["A1"].value == "Source de financement"
    first_file = request.file.name
    build_report(request.pk)  # idempotent: a built request is left as it is
    request.refresh_from_db()
    assert request.file.name == first_file and request.status == ReportStatus.DONE


def test_progress_is_stored_while_building(portfolio, secretariat, monkeypatch):
    seen = []
    original = services._set_progress

    def spy(request_id, percent):
        original(request_id, percent)
        seen.append(ReportRequest.objects.get(pk=request_id).progress)

    monkeypatch.setattr(services, "_set_progress", spy)
    request = ReportRequest.objects.create(kind="annual", year=2001, format="csv", language="en",
                                           requested_by=secretariat)
    services.report_request_run(request_id=request.pk)
    assert seen == sorted(seen) and seen[0] == 20 and seen[-1] == 90
    request.refresh_from_db()
    with request.file.open("rb") as handle:
        assert "by_region.csv" in zipfile.ZipFile(io.BytesIO(handle.read())).namelist()


def test_a_failing_build_is_recorded_and_can_be_retried(portfolio, secretariat, monkeypatch):
    request = ReportRequest.objects.create(kind="annual", year=2001, format="csv", language="en")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "generate", broken)
    services.report_request_run(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == ReportStatus.FAILED and "disk full" in request.message
    monkeypatch.undo()
    services.report_request_run(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == ReportStatus.DONE and request.message == ""


def test_request_validation_and_permission(secretariat, officer):
    with pytest.raises(ValidationError) as error:
        services.report_request_create(user=secretariat, kind="midterm", fmt="pdf", language="en",
                                       period_start=dt.date(2001, 1, 1), period_end=dt.date(2000, 1, 1))
    assert "period_end" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.report_request_create(user=secretariat, kind="annual", fmt="pdf", language="en")
    with pytest.raises(ValidationError):
        services.report_request_create(user=officer, kind="annual", fmt="pdf", language="en", year=2001)
    assert not ReportRequest.objects.exists()


def test_pages_request_progress_and_download(portfolio, client, secretariat, django_capture_on_commit_callbacks):
    client.force_login(secretariat)
    assert client.get(reverse("reports:list")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:list"), {"kind": "annual", "year": 2001, "format": "docx",
                                                         "language": "es"})
    request = ReportRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:detail", args=[request.pk])
    page = client.get(reverse("reports:detail", args=[request.pk])).content.decode()
    assert reverse("reports:download", args=[request.pk]) in page and request.checksum in page
    assert "every 2s" not in page  # finished: no more polling
    download = client.get(reverse("reports:download", args=[request.pk]))
    assert download.status_code == 200
    document = docx.Document(io.BytesIO(b"".join(download.streaming_content)))
    assert "1. Gastos por fuente de financiación" in [p.text for p in document.paragraphs]
    listing = client.get(reverse("reports:list") + "?mine=1").content.decode()
    assert reverse("reports:detail", args=[request.pk]) in listing


def test_running_request_polls_every_two_seconds(client, officer):
    request = ReportRequest.objects.create(kind="annual", year=2001, format="pdf", language="en",
                                           status=ReportStatus.RUNNING, progress=40)
    client.force_login(officer)
    fragment = client.get(reverse("reports:detail", args=[request.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "40.0%" in fragment and "<html" not in fragment
    assert client.get(reverse("reports:download", args=[request.pk])).status_code == 404


def test_everyone_signed_in_reads_only_exporters_request(client, officer):
    client.force_login(officer)
    page = client.get(reverse("reports:list"))
    assert page.status_code == 200 and "Build the report" not in page.content.decode()
    response = client.post(reverse("reports:list"), {"kind": "annual", "year": 2001, "format": "pdf",
                                                     "language": "en"})
    assert response.status_code == 403
    assert client.post(reverse("reports:plans"), {"title": "X"}).status_code == 403
    assert not ReportRequest.objects.exists()
    client.logout()
    assert client.get(reverse("reports:list")).status_code == 302  # to the sign-in page


def test_list_query_count_does_not_grow(client, secretariat, django_assert_max_num_queries):
    client.force_login(secretariat)
    for year in range(1990, 2010):
        ReportRequest.objects.create(kind="annual", year=year, format="pdf", language="en", requested_by=secretariat)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("reports:list")).status_code == 200


def test_plan_pages_and_milestone_rules(client, secretariat, plan):
    client.force_login(secretariat)
    page = client.get(reverse("reports:plan", args=[plan.pk])).content.decode()
    assert "Delivery control in place" in page and "<svg" in page
    response = client.post(reverse("reports:milestone_add", args=[plan.pk]), {
        "title": "Evaluation", "owner": "EVAL", "due_date": "2002-06-30", "status": "DONE"})
    assert response.status_code == 400
    assert "Give the date the milestone was completed." in response.content.decode()
    response = client.post(reverse("reports:milestone_add", args=[plan.pk]), {
        "title": "Evaluation", "owner": "EVAL", "due_date": "2002-06-30", "status": "PLANNED"})
    assert response.status_code == 302 and plan.milestones.count() == 3
    response = client.post(reverse("reports:plans"), {"title": "Plan B", "start_date": "2003-01-01",
                                                      "end_date": "2004-12-31"})
    assert response.status_code == 302 and ImplementationPlan.objects.filter(title="Plan B").exists()
    with pytest.raises(ValidationError):
        services.milestone_save(plan=plan, title="Backwards", owner="X", start_date=dt.date(2002, 1, 1),
                                due_date=dt.date(2001, 1, 1), status=MilestoneStatus.PLANNED)
    assert Milestone.objects.filter(title="Backwards").count() == 0


def test_a_milestone_changes_status_and_dates_on_its_page(client, secretariat, officer, plan):
    milestone = plan.milestones.get(title="Mid-term report")
    url = reverse("reports:milestone_edit", args=[milestone.pk])
    client.force_login(officer)
    assert client.get(url).status_code == 403  # officers read plans, they do not edit them
    client.force_login(secretariat)
    plan_page = client.get(reverse("reports:plan", args=[plan.pk])).content.decode()
    assert f'href="{url}"' in plan_page
    data = {"title": "Mid-term report", "owner": "PARDEV", "start_date": "2001-01-01", "due_date": "2002-05-31",
            "status": "DONE"}
    refused = client.post(url, data)  # done without the day it was completed
    assert refused.status_code == 200 and "Give the date the milestone was completed." in refused.content.decode()
    milestone.refresh_from_db()
    assert (milestone.status, milestone.due_date) == (MilestoneStatus.IN_PROGRESS, dt.date(2002, 3, 31))
    response = client.post(url, {**data, "completed_on": "2002-05-20"})
    assert response.status_code == 302 and response.url == reverse("reports:plan", args=[plan.pk])
    milestone.refresh_from_db()
    assert (milestone.status, milestone.due_date, milestone.completed_on) == (
        MilestoneStatus.DONE, dt.date(2002, 5, 31), dt.date(2002, 5, 20))
    assert "The milestone was saved." in client.get(response.url).content.decode()
    assert client.get(reverse("reports:milestone_edit", args=[999999])).status_code == 404


def test_plan_report_has_timetable_and_gantt(plan, tmp_path):
    out = tmp_path / "plan.pdf"
    call_command("export_gb_report", plan=plan.pk, format="pdf", lang="en", out=str(out), stdout=io.StringIO())
    reader = pypdf.PdfReader(str(out))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Implementation plan: Plan 2000-02" in text and "Timetable chart" in text
    assert "Delivery control in place" in text and "1 of 2 milestones done." in text
    xlsx = tmp_path / "plan.xlsx"
    call_command("export_gb_report", plan=plan.pk, format="xlsx", lang="fr", out=str(xlsx), stdout=io.StringIO())
    rows = list(openpyxl.load_workbook(xlsx)["Timetable"].iter_rows(values_only=True))
    assert rows[0][0] == "Étape" and rows[1][0] == "Delivery control in place"


def test_command_writes_each_format_with_the_same_checksum(portfolio, tmp_path):
    checksums = set()
    for fmt in ("pdf", "docx", "xlsx", "csv"):
        out = tmp_path / f"gb.{fmt}"
        stdout = io.StringIO()
        call_command("export_gb_report", year=2001, as_of=dt.date(2001, 10, 31), format=fmt, lang="en",
                     out=str(out), stdout=stdout)
        assert out.stat().st_size > 0
        checksums.add(stdout.getvalue().split()[-1])
    assert checksums == {annual_report(year=2001, as_of=dt.date(2001, 10, 31)).checksum}
    out = tmp_path / "midterm.csv"
    call_command("export_gb_report", "--start", "2000-07-01", "--end", "2001-06-30", "--format", "csv",
                 "--out", str(out), stdout=io.StringIO())
    assert "Mid-term" in zipfile.ZipFile(out).read("about.csv").decode("utf-8-sig")


def test_command_refuses_bad_arguments(tmp_path):
    with pytest.raises(CommandError, match="exactly one"):
        call_command("export_gb_report", format="pdf", out=str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="not a date"):
        call_command("export_gb_report", "--year", "2001", "--as-of", "31/10/2001", "--format", "pdf",
                     "--out", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="No implementation plan"):
        call_command("export_gb_report", plan=999, format="pdf", out=str(tmp_path / "x.pdf"))
