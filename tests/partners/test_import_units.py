"""`manage.py import_units FILE`: field offices and MDTs from CSV or XLSX, all rows or none, idempotent."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from partners import services
from partners.models import Unit, UnitKind
from tests.factories import CountryFactory, RegionFactory, UnitFactory

pytestmark = pytest.mark.django_db

COLUMNS = ["code", "name", "kind", "parent", "region", "countries"]
# The MDT comes before its country office, which comes before the regional office: parents may be defined later.
ROWS = [
    {"code": "MDT-DAKAR", "name": "Decent Work Team Dakar", "kind": "mdt", "parent": "CO-DAKAR", "region": "AFRICA",
     "countries": "SEN; GMB"},
    {"code": "CO-DAKAR", "name": "Country Office Dakar", "kind": "Country_Office", "parent": "RO-AFRICA",
     "region": "Africa", "countries": "SEN"},
    {"code": "CO-ABIDJAN", "name": "Country Office Abidjan", "kind": "COUNTRY_OFFICE", "parent": "RO-AFRICA",
     "region": "AFRICA", "countries": "CIV"},
    {"code": "RO-AFRICA", "name": "Regional Office for Africa", "kind": "REGIONAL_OFFICE", "parent": "",
     "region": "AFRICA", "countries": ""},
]


@pytest.fixture(autouse=True)
def reference():
    RegionFactory(code="AFRICA", name="Africa")
    for iso3, iso2 in (("SEN", "SN"), ("GMB", "GM"), ("CIV", "CI")):
        CountryFactory(iso3=iso3, iso2=iso2)


def csv_file(tmp_path, rows, columns=COLUMNS, name="units.csv"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def run(path) -> str:
    out = io.StringIO()
    call_command("import_units", str(path), stdout=out)
    return out.getvalue()


def failing(path) -> tuple[str, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_units", str(path), stderr=err)
    return err.getvalue(), str(info.value)


def test_import_creates_the_tree_then_changes_nothing_when_run_again(tmp_path):
    path = csv_file(tmp_path, ROWS)
    assert "4 units were created, 0 updated, 0 unchanged" in run(path)
    team = Unit.objects.get(code="MDT-DAKAR")
    assert team.kind == UnitKind.MDT and team.parent.code == "CO-DAKAR" and team.parent.parent.code == "RO-AFRICA"
    assert set(team.countries.values_list("iso3", flat=True)) == {"SEN", "GMB"} and team.region.code == "AFRICA"
    history = {code: Unit.objects.get(code=code).history.count() for code in ("MDT-DAKAR", "RO-AFRICA")}

    again = run(path)
    assert "0 units were created, 0 updated, 4 unchanged" in again and "Nothing to change" in again
    assert {code: Unit.objects.get(code=code).history.count() for code in history} == history


def test_import_updates_existing_units_matched_by_code(tmp_path):
    UnitFactory(code="RO-AFRICA", name="Old name", kind=UnitKind.HQ)
    rows = [dict(row) for row in ROWS]
    rows[0]["code"] = "mdt-dakar"  # codes match whatever their case
    run(csv_file(tmp_path, rows))
    rows[0]["parent"] = "CO-ABIDJAN"
    assert "0 units were created, 1 updated, 3 unchanged" in run(csv_file(tmp_path, rows))
    assert Unit.objects.get(code="RO-AFRICA").name == "Regional Office for Africa"
    assert Unit.objects.get(code="mdt-dakar").parent.code == "CO-ABIDJAN"


def test_import_of_an_xlsx_file(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for row in ROWS:
        sheet.append([row[column] for column in COLUMNS])
    path = tmp_path / "units.xlsx"
    workbook.save(path)
    assert "4 units were created" in run(path)


def test_every_error_names_its_row_and_column_and_nothing_is_written(tmp_path):
    rows = [dict(row) for row in ROWS]
    rows[0].update(kind="TEAM", countries="SEN;XXX")
    rows[1].update(parent="RO-NOWHERE", region="Atlantis")
    rows[2].update(name="")
    rows.append(dict(ROWS[3]))  # RO-AFRICA twice
    errors, summary = failing(csv_file(tmp_path, rows))
    assert "row 2, column “kind”: “TEAM” is not one of HQ, REGIONAL_OFFICE, COUNTRY_OFFICE, MDT." in errors
    assert "row 2, column “countries”: Unknown ISO country code(s): XXX." in errors
    assert "row 3, column “region”" in errors and "row 3, column “parent”" not in errors  # checked once rows pass
    assert "row 4, column “name”: This column needs a value." in errors
    assert "row 6, column “code”: The unit RO-AFRICA is already on row 5." in errors
    assert "nothing imported" in summary
    assert not Unit.objects.exists()


def test_an_unknown_parent_and_a_cycle_are_refused(tmp_path):
    UnitFactory(code="RO-AFRICA", kind=UnitKind.REGIONAL_OFFICE, parent=UnitFactory(code="HQ-TOP"))
    rows = [{"code": "CO-A", "name": "A", "kind": "COUNTRY_OFFICE", "parent": "CO-B"},
            {"code": "CO-B", "name": "B", "kind": "COUNTRY_OFFICE", "parent": "CO-A"},
            {"code": "HQ-TOP", "name": "Top", "kind": "HQ", "parent": "RO-AFRICA"},
            {"code": "CO-C", "name": "C", "kind": "COUNTRY_OFFICE", "parent": "RO-NOWHERE"}]
    errors, _summary = failing(csv_file(tmp_path, rows, columns=["code", "name", "kind", "parent"]))
    cycle = "A unit cannot be placed under itself or under a unit below it."
    assert f"row 2, column “parent”: {cycle}" in errors and f"row 3, column “parent”: {cycle}" in errors
    assert f"row 4, column “parent”: {cycle}" in errors  # HQ-TOP under RO-AFRICA, which is under HQ-TOP
    assert "row 5, column “parent”: No unit has the code RO-NOWHERE" in errors
    assert Unit.objects.count() == 2 and Unit.objects.get(code="HQ-TOP").parent is None


def test_moving_existing_units_in_an_order_that_passes_through_no_cycle(tmp_path):
    """A and B swap places: saved parents first, so no step places a unit under itself."""
    top = UnitFactory(code="A")
    UnitFactory(code="B", parent=top)
    rows = [{"code": "A", "name": "A", "kind": "HQ", "parent": "B"}, {"code": "B", "name": "B", "kind": "HQ"}]
    assert "2 updated" in run(csv_file(tmp_path, rows, columns=["code", "name", "kind", "parent"]))
    assert Unit.objects.get(code="A").parent.code == "B" and Unit.objects.get(code="B").parent is None


def test_the_file_passes_the_upload_gate_and_the_header_is_checked(tmp_path):
    binary = tmp_path / "units.csv"
    binary.write_bytes(b"%PDF-1.4 not a table")
    with pytest.raises(CommandError):
        call_command("import_units", str(binary))
    errors, _summary = failing(csv_file(tmp_path, [{"code": "X"}], columns=["code", "colour"]))
    assert "Missing column(s): name, kind" in errors and "Unknown column(s): colour" in errors


def test_dry_run_writes_nothing(tmp_path):
    out = io.StringIO()
    call_command("import_units", str(csv_file(tmp_path, ROWS)), "--dry-run", stdout=out)
    assert "4 units would be created" in out.getvalue() and not Unit.objects.exists()


def test_the_service_reports_rows_for_a_page_or_script():
    result = services.units_import(source=b"code,name,kind\nX,,HQ\n", filename="u.csv")
    assert [(e.row, e.column) for e in result.errors] == [(2, "name")] and not Unit.objects.exists()
