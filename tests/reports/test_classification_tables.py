"""The annual report's classification tables: by cross-cutting theme, Declaration principle and Convention (a
project counts under each of its values, the total once), by LDC status of the year and by countries in
transition; expected figures computed here from the known portfolio of conftest.py."""

import datetime as dt
import io
from decimal import Decimal

import docx
import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from partners.models import Country
from projects.models import Project
from reports.selectors import SHEETS, Period, annual_report, data_checksum, midterm_report
from tests.factories import ConventionFactory, PrincipleFactory, ThemeFactory
from tests.reports.conftest import LINES, SYMBOLS, spent
from tests.reports.test_formats import built, pdf_text

pytestmark = pytest.mark.django_db

K = Decimal(1000)
# project → (themes, principles, Conventions): P1 in two themes, P3 and P4 in none.
CLASSIFICATION = {
    "P1": (["GENDER", "DEVELOPMENT"], ["CHILD_LABOUR"], [138, 182]),
    "P2": (["GENDER"], ["CHILD_LABOUR", "FORCED_LABOUR"], [29]),
    "P3": ([], [], []),
    "P4": ([], ["FORCED_LABOUR"], []),
}
THEMES = {"GENDER": "Gender equality", "DEVELOPMENT": "Development"}
PRINCIPLES = {"CHILD_LABOUR": "Child labour", "FORCED_LABOUR": "Forced labour"}
CONVENTIONS = {29: "Forced Labour", 138: "Minimum Age", 182: "Worst Forms of Child Labour"}
# From conftest's countries: Tanzania (P1) and Haiti (P2) are LDCs; Cabo Verde (P3) graduated in 2001, so it was an
# LDC in 2000 only; Kenya (P1) never was; P4 has no country. Kenya is made a country in transition below.
IN_LDC = {2000: {"P1", "P2", "P3"}, 2001: {"P1", "P2"}}
IN_TRANSITION = {"P1"}


def spent_by(projects, **when) -> Decimal:
    return sum((spent(project=p, **when) for p in projects), Decimal(0))


def row(table, label):
    return next(r for r in table.rows if r[0] == label)


def pct(part, total):
    return Decimal(part) * 100 / Decimal(total)


@pytest.fixture
def classified(portfolio):
    themes = {code: ThemeFactory(code=code, title=title) for code, title in THEMES.items()}
    principles = {code: PrincipleFactory(code=code, title=title) for code, title in PRINCIPLES.items()}
    conventions = {number: ConventionFactory(number=number, title=title) for number, title in CONVENTIONS.items()}
    for key, (theme_codes, principle_codes, numbers) in CLASSIFICATION.items():
        project = portfolio["projects"][key]
        project.themes.set([themes[c] for c in theme_codes])
        project.principles.set([principles[c] for c in principle_codes])
        project.conventions.set([conventions[n] for n in numbers])
    Country.objects.filter(iso3="KEN").update(in_transition=True)
    return portfolio


@pytest.fixture
def report(classified):
    return annual_report(year=2001)


def test_the_classification_tables_follow_gender_with_their_sheets(report):
    keys = [t.key for t in report.tables]
    assert keys == list(SHEETS)
    assert keys[keys.index("gender") + 1:keys.index("early_warnings")] == [
        "by_theme", "by_principle", "by_convention", "by_ldc", "by_transition", "by_demand"]
    assert report.table("by_theme").sheet == "By cross-cutting theme"


def test_by_theme_counts_a_project_under_each_theme_and_the_total_once(report):
    table = report.table("by_theme")
    assert [r[0] for r in table.rows] == ["Development", "Gender equality", "(none)"]
    members = {code: [p for p, (themes, _p, _c) in CLASSIFICATION.items() if code in themes] for code in THEMES}
    none = [p for p, (themes, _p, _c) in CLASSIFICATION.items() if not themes]
    total_now, total_before = spent(year=2001), spent(year=2000)
    for label, projects in (("Gender equality", members["GENDER"]), ("Development", members["DEVELOPMENT"]),
                            ("(none)", none)):
        now, before = spent_by(projects, year=2001), spent_by(projects, year=2000)
        assert row(table, label)[1:5] == [before / K, pct(before, total_before), now / K, pct(now, total_now)]
    assert row(table, "Gender equality")[3] == Decimal(12)  # P1's 6,000 and P2's 6,000
    assert table.total[1:5] == [total_before / K, Decimal(100), total_now / K, Decimal(100)]
    assert sum(r[3] for r in table.rows) > table.total[3]  # the rows overlap: P1 is in two themes
    assert table.rows_overlap
    assert "A project with several cross-cutting themes counts under each of them" in table.note


def test_by_principle_and_by_convention(report):
    principles = report.table("by_principle")
    assert [r[0] for r in principles.rows] == ["Child labour", "Forced labour", "(none)"]
    assert row(principles, "Forced labour")[3] == spent_by(["P2", "P4"], year=2001) / K
    assert row(principles, "(none)")[1] == spent_by(["P3"], year=2000) / K
    assert principles.total[3] == spent(year=2001) / K and principles.rows_overlap
    conventions = report.table("by_convention")
    # Reference order: by number, not by label.
    assert [r[0] for r in conventions.rows] == ["C29 Forced Labour", "C138 Minimum Age",
                                                "C182 Worst Forms of Child Labour", "(none)"]
    assert row(conventions, "C138 Minimum Age")[3] == spent_by(["P1"], year=2001) / K
    assert row(conventions, "(none)")[3] == spent_by(["P3", "P4"], year=2001) / K
    assert "Conventions" in conventions.note


def test_by_ldc_status_of_each_year(report):
    table = report.table("by_ldc")
    assert [r[0] for r in table.rows] == ["In a least developed country", "Not in a least developed country"]
    others = {year: set(CLASSIFICATION) - IN_LDC[year] for year in IN_LDC}
    assert row(table, "In a least developed country")[1:4:2] == [spent_by(IN_LDC[2000], year=2000) / K,
                                                                  spent_by(IN_LDC[2001], year=2001) / K]
    assert row(table, "Not in a least developed country")[1:4:2] == [spent_by(others[2000], year=2000) / K,
                                                                      spent_by(others[2001], year=2001) / K]
    # Cabo Verde's P3 moved between the rows with its graduation: 1,500 spent in 2000 as an LDC, 1,000 in 2001 not.
    assert row(table, "Not in a least developed country")[1:4:2] == [0, Decimal("1.5")]
    assert table.total[1:4:2] == [spent(year=2000) / K, spent(year=2001) / K] and not table.rows_overlap
    assert "2001" in table.note and "2000" in table.note


def test_by_countries_in_transition(report):
    table = report.table("by_transition")
    others = set(CLASSIFICATION) - IN_TRANSITION
    assert row(table, "In a country in transition")[3] == spent_by(IN_TRANSITION, year=2001) / K
    assert row(table, "Not in a country in transition")[3] == spent_by(others, year=2001) / K
    assert table.total[3] == spent(year=2001) / K


def test_a_period_over_two_years_takes_each_years_ldc_status(classified):
    report = midterm_report(start=dt.date(2000, 7, 1), end=dt.date(2001, 6, 30))
    months = {year: {p for _project, p, _kind, _amount in LINES if p.startswith(str(year))
                     and "2000-07" <= p <= "2001-06"} for year in (2000, 2001)}
    expected = sum((spent_by(IN_LDC[year], months=months[year]) for year in (2000, 2001)), Decimal(0))
    assert expected == Decimal(11500)  # P3's 2000-09 as an LDC, P3's 2001-04 not
    assert row(report.table("by_ldc"), "In a least developed country")[3] == expected / K


def test_classification_is_part_of_the_checksum(classified):
    before = data_checksum(period=Period.of_year(2001))
    Project.objects.get(symbol=SYMBOLS["P3"]).themes.set(
        Project.objects.get(symbol=SYMBOLS["P1"]).themes.all())
    assert data_checksum(period=Period.of_year(2001)) != before
    changed = data_checksum(period=Period.of_year(2001))
    Country.objects.filter(iso3="HTI").update(in_transition=True)
    assert data_checksum(period=Period.of_year(2001)) != changed


def test_the_tables_in_xlsx_docx_and_pdf(classified):
    workbook = openpyxl.load_workbook(io.BytesIO(built("xlsx")))
    rows = list(workbook["By cross-cutting theme"].iter_rows(values_only=True))
    assert rows[0][0] == "Cross-cutting theme" and rows[-1][0] == "Total"
    assert [r[0] for r in rows[1:-1]] == ["Development", "Gender equality", "(none)"]
    assert rows[2][3] == pytest.approx(12) and rows[-1][3] == pytest.approx(13.5)
    assert list(workbook["By LDC status of the year"].iter_rows(values_only=True))[1][3] == pytest.approx(12)
    document = docx.Document(io.BytesIO(built("docx")))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert any(h.endswith("Expenditure by cross-cutting theme") for h in headings)
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert any("counts under each of them" in caption for caption in captions)
    text = pdf_text(built("pdf"))
    for title in ("Expenditure by Declaration principle", "Expenditure by Convention supported",
                  "Expenditure in least developed countries, by the status of the year",
                  "Expenditure in countries in transition"):
        assert title in text


@pytest.fixture
def compiled(settings):
    call_command("compile_translations", verbosity=0)
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # setting_changed resets Django's translation cache


@pytest.mark.parametrize(("language", "header", "note"), [
    ("fr", "Thème transversal", "les lignes se recoupent"),
    ("es", "Tema transversal", "las filas se solapan"),
])
def test_headers_and_notes_in_french_and_spanish(classified, compiled, language, header, note):
    with translation.override(language):
        table = annual_report(year=2001).table("by_theme")
    assert table.headers[0] == header and note in table.note
