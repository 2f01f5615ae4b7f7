"""The project register and record imports go through their file a chunk of rows after another (chunks of two rows
here): a symbol or a record's key repeated is found across chunks, and a refusal in a later chunk undoes what the
earlier chunks wrote."""

import pytest

from core import tabular
from projects import services
from projects.models import ExpertAssignment, Project, ProjectImport
from tests.factories import CountryFactory, ProjectFactory
from tests.projects.test_import import GOOD_ROWS, csv_bytes, messages

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(tabular, "ROW_CHUNK", 2)


def _copies(count: int) -> list[dict]:
    return [dict(GOOD_ROWS[0], symbol=f"KEN/00/{n:02d}/NOR") for n in range(1, count + 1)]


def test_a_symbol_repeated_in_a_later_chunk_is_refused(ref):
    rows = [*_copies(4), dict(GOOD_ROWS[0], symbol="KEN/00/01/NOR", title="Again")]
    result = services.project_import(source=csv_bytes(rows), filename="projects.csv")
    assert messages(result) == [(6, "symbol", "“KEN/00/01/NOR” is already in row 2.")]
    assert not Project.objects.exists()


def test_a_refused_row_in_a_later_chunk_undoes_the_projects_written_before(ref):
    rows = [*_copies(4), dict(GOOD_ROWS[0], symbol="KEN/00/09/NOR", end_date="not a date")]
    result = services.project_import(source=csv_bytes(rows), filename="projects.csv")
    assert [(e.row, e.column) for e in result.errors] == [(6, "end_date")]
    assert not Project.objects.exists() and not ProjectImport.objects.exists()


def test_a_register_in_chunks_is_written_whole_with_its_plans(ref):
    result = services.project_import(source=csv_bytes([*_copies(4), GOOD_ROWS[1]]), filename="projects.csv")
    assert result.ok, result.errors
    assert [plan.row for plan in result.plans] == [2, 3, 4, 5, 6]
    assert Project.objects.count() == 5 and ProjectImport.objects.get().rows_created == 5
    assert result.donors_created == ["US Department of Labor"]


def test_a_record_key_repeated_in_a_later_chunk_is_refused_and_nothing_is_kept(db):
    ProjectFactory(symbol="KEN/00/01/NOR", countries=[CountryFactory(iso3="KEN", name="Kenya")])
    lines = [f"KEN/00/01/NOR,KEN,{year},1,Adviser" for year in (2001, 2002, 2003)]
    header = "project_symbol,nationality,year,work_months,name"
    result = services.record_import(kind="experts", source=("\n".join([header, *lines, lines[0]]) + "\n").encode())
    assert [(e.row, e.column, e.message) for e in result.errors] == [(5, "nationality", "Duplicate of row 2 "
                                                                                         "(same key).")]
    assert (result.created, result.updated) == (0, 0) and not ExpertAssignment.objects.exists()
    assert services.record_import(kind="experts", source=("\n".join([header, *lines]) + "\n").encode()).created == 3
    assert ExpertAssignment.objects.count() == 3


def test_classification_columns_in_chunks_classify_each_project(ref):
    """The classification columns (issue 16.7) stream as the rest: each chunk's stored classification is read with
    its projects, and a changed one is an update whichever chunk its row falls in."""
    from tests.projects.test_import_classification import CLASSIFIED, classification

    rows = [dict(row, **CLASSIFIED) for row in _copies(4)]
    assert services.project_import(source=csv_bytes(rows), filename="projects.csv").ok
    rows[3] = dict(rows[3], themes="GENDER", conventions="")
    result = services.project_import(source=csv_bytes(rows), filename="projects.csv")
    assert result.ok, messages(result)
    assert [plan.action for plan in result.plans] == ["unchanged", "unchanged", "unchanged", "update"]
    assert classification("KEN/00/03/NOR") == (["DEVELOPMENT", "GENDER"], ["CHILD_LABOUR"], [138, 182], True, False)
    assert classification("KEN/00/04/NOR") == (["GENDER"], ["CHILD_LABOUR"], [], True, False)
