"""The project import's classification columns: themes, principles, Conventions (codes separated by ";"), crisis
response and enterprise promotion (yes/no); optional, so a file without them leaves a project's classification as
it is; an unknown code is an error naming its row and column."""

import io

import pytest
from openpyxl import Workbook

from projects import services
from projects.models import Project
from tests.projects.test_import import GOOD_ROWS, csv_bytes, messages

pytestmark = pytest.mark.django_db

CLASSIFIED = {"themes": "gender; DEVELOPMENT", "principles": "CHILD_LABOUR", "conventions": "C138;182;c138",
              "crisis_response": "yes", "enterprise_promotion": "no"}


@pytest.fixture
def norad(ref):
    return ref.norad


def run(rows, **kwargs):
    return services.project_import(source=csv_bytes(rows), filename="projects.csv", **kwargs)


def classification(symbol: str) -> tuple:
    project = Project.objects.get(symbol=symbol)
    return (sorted(project.themes.values_list("code", flat=True)),
            sorted(project.principles.values_list("code", flat=True)),
            sorted(project.conventions.values_list("number", flat=True)),
            project.is_crisis_response, project.is_enterprise_promotion)


def test_new_columns_classify_the_projects(norad):
    rows = [dict(GOOD_ROWS[0], **CLASSIFIED), dict(GOOD_ROWS[1], themes="", principles="", conventions="",
                                                   crisis_response="", enterprise_promotion="")]
    result = run(rows)
    assert result.ok, messages(result)
    assert classification("KEN/00/01/NOR") == (["DEVELOPMENT", "GENDER"], ["CHILD_LABOUR"], [138, 182], True, False)
    assert classification("RLA/99/02/USA") == ([], [], [], False, False)


def test_a_file_without_the_columns_leaves_the_classification_alone(norad):
    assert run([dict(GOOD_ROWS[0], **CLASSIFIED)]).ok
    again = run([dict(GOOD_ROWS[0], title="Skills for youth employment, phase II")])
    assert again.ok and again.count_update == 1
    assert classification("KEN/00/01/NOR") == (["DEVELOPMENT", "GENDER"], ["CHILD_LABOUR"], [138, 182], True, False)


def test_changed_classification_is_an_update_listed_in_the_preview(norad):
    assert run([dict(GOOD_ROWS[0], **CLASSIFIED)]).ok
    same = run([dict(GOOD_ROWS[0], **CLASSIFIED)], dry_run=True)
    assert same.ok and same.count_unchanged == 1
    changed = run([dict(GOOD_ROWS[0], **dict(CLASSIFIED, themes="GENDER", conventions="C182",
                                             enterprise_promotion="yes"))], dry_run=True)
    assert changed.ok and changed.count_update == 1
    assert set(changed.plans[0].changes) == {"cross-cutting themes: DEVELOPMENT, GENDER → GENDER",
                                             "Conventions supported: C138, C182 → C182",
                                             "micro, small and medium enterprise promotion: False → True"}
    result = run([dict(GOOD_ROWS[0], **dict(CLASSIFIED, themes="GENDER", conventions="C182",
                                            enterprise_promotion="yes"))])
    assert result.ok
    assert classification("KEN/00/01/NOR") == (["GENDER"], ["CHILD_LABOUR"], [182], True, True)
    history = Project.objects.get(symbol="KEN/00/01/NOR").history.first()
    assert history.history_change_reason == "Import of projects.csv"


def test_unknown_codes_name_row_and_column_and_nothing_is_written(norad):
    rows = [dict(GOOD_ROWS[0], **CLASSIFIED),
            dict(GOOD_ROWS[1], themes="GENDER;CLIMATE", principles="FORCED_LABOUR;NOPE", conventions="C999;C29",
                 crisis_response="maybe", enterprise_promotion="yes")]
    result = run(rows)
    assert not result.ok and not Project.objects.exists()
    assert sorted(messages(result)) == [
        (3, "conventions", "Unknown Convention “C999”: give its number, e.g. C138."),
        (3, "crisis_response", "“maybe” is not yes or no."),
        (3, "principles", "Unknown Declaration principle “NOPE”."),
        (3, "themes", "Unknown cross-cutting theme “CLIMATE” in biennium 2000-01."),
    ]


def test_xlsx_with_the_new_columns(norad):
    workbook = Workbook()
    sheet = workbook.active
    row = dict(GOOD_ROWS[0], **CLASSIFIED)
    sheet.append(list(row))
    sheet.append(list(row.values()))
    out = io.BytesIO()
    workbook.save(out)
    result = services.project_import(source=out.getvalue(), filename="projects.xlsx")
    assert result.ok, messages(result)
    assert classification("KEN/00/01/NOR")[2] == [138, 182]
