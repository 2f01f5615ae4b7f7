"""Experts, training activities and progress reports from files: `import_projects KIND FILE` and the upload page's
job workflow run projects.services.record_import."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from projects.models import ExpertAssignment, ProgressReport, TrainingActivity
from projects.services import record_import
from tests.factories import CountryFactory, ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def rows(header: str, *lines: str) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


@pytest.fixture
def kenya_project(db):
    unit = UnitFactory(code="CO-NAIROBI")
    return ProjectFactory(symbol="KEN/00/01/NOR", responsible_unit=unit,
                          countries=[CountryFactory(iso3="KEN", name="Kenya")])


def test_experts_create_then_update_and_their_category_follows_nationality(kenya_project):
    CountryFactory(iso3="FRA", name="France")
    header = "project_symbol,nationality,year,work_months,name"
    result = record_import(kind="experts", source=rows(header, "KEN/00/01/NOR,KEN,2001,6.5,Adviser",
                                                       "KEN/00/01/NOR,fra,2001,3,Specialist"))
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    categories = dict(ExpertAssignment.objects.with_category().values_list("nationality__iso3", "is_national"))
    assert categories == {"KEN": True, "FRA": False}
    again = record_import(kind="experts", source=rows(header, "KEN/00/01/NOR,KEN,2001,7,Adviser",
                                                      "KEN/00/01/NOR,FRA,2001,3,Specialist"))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert ExpertAssignment.objects.get(nationality__iso3="KEN").work_months == Decimal("7.00")


def test_bad_cells_are_reported_with_row_and_column_and_nothing_is_written(kenya_project):
    result = record_import(kind="training", source=rows(
        "project_symbol,title,start_date,end_date,women,men,turin_centre",
        "KEN/00/01/NOR,Workshop,2001-03-01,2001-03-02,4,5,yes",     # row 2: good
        "XXX/99/99/XXX,Workshop,2001-03-01,2001-03-02,4,5,no",      # row 3: unknown project
        "KEN/00/01/NOR,Course,2001-02-30,2001-03-02,4,5,no",        # row 4: not a date
        "KEN/00/01/NOR,Course,2001-03-05,2001-03-02,4,5,no",        # row 5: ends before it starts
        "KEN/00/01/NOR,Course,2001-04-05,2001-04-06,-1,5,maybe",    # row 6: negative count, not yes/no
    ))
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "project_symbol"), (4, "start_date"), (5, "end_date"), (6, "women"), (6, "turin_centre")]
    assert not TrainingActivity.objects.exists()


def test_rows_of_projects_the_user_may_not_change_are_refused(kenya_project):
    officer = UserFactory(username="elsewhere", role="OFFICER", units=[UnitFactory(code="CO-LIMA")])
    result = record_import(kind="progress_reports", user=officer, source=rows(
        "project_symbol,period_end,due_date", "KEN/00/01/NOR,2001-06-30,2001-08-31"))
    assert result.refused and [(e.row, e.column) for e in result.errors] == [(2, "project_symbol")]
    assert not ProgressReport.objects.exists()


def test_dry_run_writes_nothing(kenya_project):
    result = record_import(kind="progress_reports", dry_run=True, source=rows(
        "project_symbol,period_end,due_date,submitted_date", "KEN/00/01/NOR,2001-06-30,2001-08-31,2001-08-20"))
    assert result.ok and result.created == 1 and not ProgressReport.objects.exists()


def test_command_takes_a_kind_and_keeps_the_register_form(kenya_project, tmp_path):
    path = tmp_path / "reports.csv"
    path.write_bytes(rows("project_symbol,period_end,due_date,comment", "KEN/00/01/NOR,2001-06-30,2001-08-31,Late"))
    call_command("import_projects", "progress_reports", str(path))
    assert ProgressReport.objects.get().period_end == dt.date(2001, 6, 30)
    with pytest.raises(CommandError):
        call_command("import_projects", "nonsense", str(path))
    with pytest.raises(CommandError):  # one argument: the register, whose columns this file lacks
        call_command("import_projects", str(path))


def test_upload_page_starts_a_job_and_offers_templates(kenya_project, client):
    client.force_login(UserFactory(username="officer", role="OFFICER"))
    page = client.get(reverse("projects:records_import"))
    assert page.status_code == 200 and "project_symbol, nationality, year, work_months, name" in page.content.decode()
    template = client.get(reverse("projects:records_template", args=["training"]))
    assert template.status_code == 200 and b"project_symbol,title,start_date,end_date" in template.content
    assert client.post(reverse("projects:records_import"), {"kind": "experts"}).status_code == 400


@pytest.mark.parametrize(("kind", "line"), [
    ("experts", "KEN/00/01/NOR,KEN,2001,6.50,Adviser"),
    ("training", "KEN/00/01/NOR,Workshop,2001-03-01,2001-03-02,Skills,4,5,yes"),
    ("progress_reports", "KEN/00/01/NOR,2001-06-30,2001-08-31,2001-08-20,On time"),
])
def test_template_example_is_a_record_of_the_installation_that_imports_unchanged(kenya_project, kind, line):
    from projects.services import RECORD_LAYOUTS, record_template_rows

    layout = RECORD_LAYOUTS[kind]
    assert record_template_rows(kind) == [layout.columns, layout.example]  # nothing recorded yet
    assert record_import(kind=kind, source=rows(",".join(layout.columns), line)).ok
    header, example = record_template_rows(kind)
    assert example == line.split(",")
    again = record_import(kind=kind, source=rows(",".join(header), ",".join(example)))
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 1)
