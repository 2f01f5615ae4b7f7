"""Import of the project register (CSV/XLSX): row+column errors, all-or-nothing, re-import, dry run, donors."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from accounts.models import Role
from partners.models import Organisation
from projects import services
from projects.models import DateRevision, Project, ProjectImport
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD_ROWS = [
    {"symbol": "KEN/00/01/NOR", "title": "Skills for youth employment", "status": "ONGOING",
     "start_date": "2000-03-01", "end_date": "2002-02-28", "strategic_objective": "2", "infocus_programme": "SKILLS",
     "region": "AFRICA", "countries": "KEN", "funding_source": "XBTC", "donor": "NORAD",
     "responsible_unit": "RO-AFRICA", "gender_marker": "1"},
    {"symbol": "RLA/99/02/USA", "title": "Child labour in commercial agriculture", "status": "approved",
     "start_date": "1999-07-01", "end_date": "2001-06-30", "strategic_objective": "1", "infocus_programme": "IPEC",
     "region": "AMERICAS", "countries": "PER; BOL", "funding_source": "XBTC", "donor": "US Department of Labor",
     "responsible_unit": "IPEC", "gender_marker": "2"},
]


def csv_bytes(rows, columns=None) -> bytes:
    columns = columns or list(rows[0])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def with_changes(index, **changes) -> list[dict]:
    rows = [dict(r) for r in GOOD_ROWS]
    rows[index].update(changes)
    return rows


def run(rows, **kwargs):
    return services.project_import(source=csv_bytes(rows), filename="projects.csv", **kwargs)


@pytest.fixture
def norad(ref):
    return ref.norad


def messages(result) -> list[tuple]:
    return [(e.row, e.column, e.message) for e in result.errors]


def test_import_creates_projects_and_records_the_import(norad):
    result = run(GOOD_ROWS)
    assert result.ok, messages(result)
    kenya = Project.objects.get(symbol="KEN/00/01/NOR")
    assert kenya.donor == norad and kenya.region.code == "AFRICA" and kenya.primary_programme.code == "SKILLS"
    assert list(kenya.countries.values_list("iso3", flat=True)) == ["KEN"]
    regional = Project.objects.get(symbol="RLA/99/02/USA")
    assert regional.status == "APPROVED" and regional.strategic_objective.biennium.code == "2000-01"
    assert set(regional.countries.values_list("iso3", flat=True)) == {"PER", "BOL"}
    record = ProjectImport.objects.get()
    assert (record.rows_total, record.rows_created, record.rows_updated) == (2, 2, 0)
    assert record.file_name == "projects.csv" and len(record.checksum) == 64
    created = kenya.history.get(history_type="+")
    assert created.history_change_reason == "Import of projects.csv" and created.title == kenya.title


def test_unknown_donor_is_created_once_and_listed(norad):
    rows = [dict(r) for r in GOOD_ROWS]
    third = dict(rows[1], symbol="RLA/99/03/USA")
    result = run(rows + [third])
    assert result.ok, messages(result)
    assert result.donors_created == ["US Department of Labor"]
    donor = Organisation.objects.get(name="US Department of Labor")
    assert donor.kind == "DONOR"
    assert Project.objects.filter(donor=donor).count() == 2
    assert ProjectImport.objects.get().donors_created == ["US Department of Labor"]


@pytest.mark.parametrize(("change", "row", "column", "text"), [
    ({"end_date": "2002-02-30"}, 2, "end_date", "is not a real date"),
    ({"end_date": "1999-01-01"}, 2, "end_date", "before the planned start"),
    ({"start_date": "01/03/2000"}, 2, "start_date", "YYYY-MM-DD"),
    ({"region": "OCEANIA"}, 2, "region", "Unknown region “OCEANIA”"),
    ({"countries": "KEN;XXX"}, 2, "countries", "Unknown country ISO3 code “XXX”"),
    ({"countries": "PER"}, 2, "countries", "not in the project's region"),
    ({"infocus_programme": "IPEC"}, 2, "infocus_programme", "is not a programme of strategic objective 2"),
    ({"infocus_programme": "NOPE"}, 2, "infocus_programme", "Unknown InFocus programme"),
    ({"strategic_objective": "7"}, 2, "strategic_objective", "Unknown strategic objective “7”"),
    ({"funding_source": "GIFT"}, 2, "funding_source", "Unknown source of funds"),
    ({"responsible_unit": "NOWHERE"}, 2, "responsible_unit", "Unknown unit “NOWHERE”"),
    ({"gender_marker": "3"}, 2, "gender_marker", "out of range"),
    ({"status": "DONE"}, 2, "status", "is not one of"),
    ({"symbol": "KEN-00-01"}, 2, "symbol", "GEO/YY/SEQ/DONOR"),
    ({"title": ""}, 2, "title", "cannot be blank"),
])
def test_each_error_names_row_and_column(norad, change, row, column, text):
    result = run(with_changes(0, **change))
    assert not result.ok
    assert any(r == row and c == column and text in m for r, c, m in messages(result)), messages(result)
    assert str(result.errors[0]).startswith(f"row {row}, column “{column}”")
    assert not Project.objects.exists()


def test_file_level_errors(norad):
    result = services.project_import(source=csv_bytes([{"symbol": "x", "colour": "red"}]), filename="bad.csv")
    text = " ".join(str(e) for e in result.errors)
    assert "Missing column(s): title" in text and "Unknown column(s): colour" in text


def test_symbol_twice_in_a_file_is_refused(norad):
    result = run([GOOD_ROWS[0], dict(GOOD_ROWS[0], title="Again")])
    assert messages(result) == [(3, "symbol", "“KEN/00/01/NOR” is already in row 2.")]


def test_all_or_nothing_one_bad_row_writes_nothing(norad):
    rows = with_changes(1, end_date="not a date")
    result = run(rows)
    assert [(e.row, e.column) for e in result.errors] == [(3, "end_date")]
    assert not Project.objects.exists()
    assert not Organisation.objects.filter(name="US Department of Labor").exists()
    assert not ProjectImport.objects.exists()


def test_failure_while_writing_rolls_everything_back(norad, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ProjectImport.objects, "create", broken)
    with pytest.raises(RuntimeError):
        run(GOOD_ROWS)
    assert not Project.objects.exists()
    assert not Organisation.objects.filter(name="US Department of Labor").exists()


def test_reimport_updates_and_keeps_history(norad):
    assert run(GOOD_ROWS).ok
    history_before = Project.objects.get(symbol="KEN/00/01/NOR").history.count()
    rows = with_changes(0, title="Skills for young women and men", end_date="2002-06-30")
    result = run(rows)
    assert result.ok, messages(result)
    assert (result.count("create"), result.count("update"), result.count("unchanged")) == (0, 1, 1)
    assert any("title" in change for change in result.plans[0].changes)
    project = Project.objects.get(symbol="KEN/00/01/NOR")
    assert project.title == "Skills for young women and men" and project.version == 2
    assert project.history.count() == history_before + 1
    assert project.history.order_by("history_date").first().title == "Skills for youth employment"
    revision = DateRevision.objects.get(project=project)
    assert revision.old_value == dt.date(2002, 2, 28) and revision.reason == "Import of projects.csv"
    assert ProjectImport.objects.count() == 2


def test_reimport_refuses_a_forbidden_status_change(norad):
    assert run(GOOD_ROWS).ok
    result = run(with_changes(0, status="PIPELINE"))
    assert [(e.row, e.column) for e in result.errors] == [(2, "status")]
    assert "cannot go from “Ongoing” to “Pipeline”" in result.errors[0].message
    assert Project.objects.get(symbol="KEN/00/01/NOR").status == "ONGOING"


def test_dry_run_writes_nothing_and_reports_the_plan(norad):
    before_history = Project.history.count()
    result = run(GOOD_ROWS, dry_run=True)
    assert result.ok and result.dry_run
    assert [(p.row, p.symbol, p.action) for p in result.plans] == [
        (2, "KEN/00/01/NOR", "create"), (3, "RLA/99/02/USA", "create")]
    assert result.donors_created == ["US Department of Labor"]
    assert not Project.objects.exists() and not ProjectImport.objects.exists()
    assert not Organisation.objects.filter(name="US Department of Labor").exists()
    assert Project.history.count() == before_history


def test_xlsx_file_is_read_like_csv(norad):
    workbook = Workbook()
    sheet = workbook.active
    columns = list(GOOD_ROWS[0])
    sheet.append(columns)
    row = [GOOD_ROWS[0][c] for c in columns]
    row[3] = dt.datetime(2000, 3, 1)  # a real date cell
    row[12] = 1
    sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = services.project_import(source=buffer.getvalue(), filename="projects.xlsx")
    assert result.ok, messages(result)
    assert Project.objects.get().planned_start == dt.date(2000, 3, 1)


def test_command_reports_errors_and_dry_run(norad, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(GOOD_ROWS))
    call_command("import_projects", str(good), "--dry-run")
    out = capsys.readouterr().out
    assert "2 projects would be created" in out and "Dry run: nothing written." in out
    assert not Project.objects.exists()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(with_changes(1, region="MARS")))
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_projects", str(bad))
    assert "row 3, column “region”" in capsys.readouterr().err
    call_command("import_projects", str(good))
    assert "Donor organisations were created: US Department of Labor" in capsys.readouterr().out
    assert Project.objects.count() == 2


def test_command_files_pass_the_upload_gate(norad, tmp_path):
    evil = tmp_path / "evil.exe"
    evil.write_bytes(b"MZ\x90\x00")
    with pytest.raises(CommandError, match="Only CSV and XLSX files can be imported"):
        call_command("import_projects", str(evil))
    disguised = tmp_path / "projects.xlsx"
    disguised.write_bytes(csv_bytes(GOOD_ROWS))
    with pytest.raises(CommandError, match="not an XLSX workbook"):
        call_command("import_projects", str(disguised))
    assert not Project.objects.exists()


def test_template_has_the_import_columns_and_a_project_of_the_installation(norad):
    """The example row is a project this installation has, as the file writes it (with its classification): its
    codes exist here, and importing the template unchanged changes nothing. Without projects, the template is the
    header alone."""
    columns = services.IMPORT_COLUMNS + services.IMPORT_OPTIONAL_COLUMNS
    assert services.import_template_csv().splitlines() == [",".join(columns)]
    assert run(GOOD_ROWS).ok
    header, example = csv.reader(io.StringIO(services.import_template_csv()))
    assert header == columns
    assert example[:len(services.IMPORT_COLUMNS)] == list(GOOD_ROWS[0].values())
    assert len(example) == len(columns)
    result = services.project_import(source=services.import_template_csv().encode(), filename="template.csv")
    assert result.ok and (result.count_create, result.count_update, result.count_unchanged) == (0, 0, 1)


def test_reimport_writes_through_the_project_service_and_its_version_check(norad, monkeypatch):
    """A project changed by someone else between the import's reading and its writing is not overwritten: the
    service's version check refuses the row (naming it), and nothing of the file is written."""
    from projects.services import importing

    assert run(GOOD_ROWS).ok
    real_update = importing.project_update

    def update_after_a_concurrent_edit(*, project, **kwargs):
        Project.objects.filter(pk=project.pk).update(version=project.version + 5)
        return real_update(project=project, **kwargs)

    monkeypatch.setattr(importing, "project_update", update_after_a_concurrent_edit)
    result = run(with_changes(0, title="Changed by the file", end_date="2002-06-30"))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(2, None)]
    assert "since you opened it" in result.errors[0].message
    kenya = Project.objects.get(symbol="KEN/00/01/NOR")
    assert kenya.title == "Skills for youth employment" and not DateRevision.objects.exists()
    assert ProjectImport.objects.count() == 1 and result.record is None


def test_reimport_history_names_the_importer(norad):
    user = UserFactory(role=Role.ADMIN)
    assert run(GOOD_ROWS).ok
    assert run(with_changes(0, title="Skills for young women and men"), user=user).ok
    last = Project.objects.get(symbol="KEN/00/01/NOR").history.order_by("-history_date", "-history_id").first()
    assert (last.history_user, last.history_change_reason) == (user, "Import of projects.csv")
