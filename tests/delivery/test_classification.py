"""Classification as groupings and filters of the delivery figures: cross-cutting themes, Declaration principles,
Conventions (a project counts under each of its values; the TOTAL once), LDC in the year of the figures, countries
in transition, crisis response and enterprise promotion; in delivery_by, `delivery_table`, the dashboard and the
figures API. Expected values are computed here from the plain table below."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delivery import selectors
from delivery.filters import DeliveryFilterSet
from delivery.services import financial_import, rebuild_year_delivery
from projects.models import Project
from tests.delivery.factories import AllocationFactory, SpendingProjectFactory, expenditure_csv
from tests.factories import (
    ConventionFactory,
    CountryFactory,
    PrincipleFactory,
    RegionFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# project → allocation and spend per year (US$)
MONEY = {"A": {2025: (1000, 100), 2026: (1000, 300)},
         "B": {2025: (2000, 200), 2026: (2000, 400)},
         "C": {2025: (500, 50), 2026: (500, 60)}}
SYMBOLS = {"A": "RAF/25/01/NOR", "B": "RAF/25/02/NOR", "C": "INT/25/03/NOR"}
# A: two themes; B: one; C: none. Tanzania (A) is an LDC; Cabo Verde (B) graduated in 2026, so B was in an LDC in
# 2025 only; Kenya (B) is a country in transition; C has no country.
THEMES = {"A": ["GENDER", "DEVELOPMENT"], "B": ["GENDER"], "C": []}
PRINCIPLES = {"A": ["CHILD_LABOUR"], "B": ["CHILD_LABOUR", "FORCED_LABOUR"], "C": []}
CONVENTIONS = {"A": [138, 182], "B": [29], "C": []}
IN_LDC = {2025: {"A", "B"}, 2026: {"A"}}
IN_TRANSITION = {"B"}
CRISIS = {"A"}
ENTERPRISE = {"C"}


def allocated(projects, year) -> Decimal:
    return Decimal(sum(MONEY[p][year][0] for p in projects))


def spent(projects, year) -> Decimal:
    return Decimal(sum(MONEY[p][year][1] for p in projects))


def members(table: dict, value) -> set:
    return {p for p, values in table.items() if value in values}


@pytest.fixture
def portfolio(reference):
    africa = RegionFactory(code="AFRICA", name="Africa")
    tanzania = CountryFactory(iso3="TZA", name="Tanzania", region=africa, is_ldc=True)
    cabo_verde = CountryFactory(iso3="CPV", name="Cabo Verde", region=africa, ldc_graduation_year=2026)
    kenya = CountryFactory(iso3="KEN", name="Kenya", region=africa, in_transition=True)
    themes = {"GENDER": ThemeFactory(code="GENDER", title="Gender equality"),
              "DEVELOPMENT": ThemeFactory(code="DEVELOPMENT", title="Development")}
    principles = {"CHILD_LABOUR": PrincipleFactory(code="CHILD_LABOUR", title="Child labour"),
                  "FORCED_LABOUR": PrincipleFactory(code="FORCED_LABOUR", title="Forced labour")}
    conventions = {n: ConventionFactory(number=n, title=f"Convention {n}") for n in (29, 138, 182)}
    countries = {"A": [tanzania], "B": [cabo_verde, kenya], "C": []}
    projects = {}
    for key, symbol in SYMBOLS.items():
        project = SpendingProjectFactory(symbol=symbol, funding_source=reference["XBTC"], region=africa,
                                         countries=countries[key], is_crisis_response=key in CRISIS,
                                         is_enterprise_promotion=key in ENTERPRISE)
        project.themes.set([themes[c] for c in THEMES[key]])
        project.principles.set([principles[c] for c in PRINCIPLES[key]])
        project.conventions.set([conventions[n] for n in CONVENTIONS[key]])
        projects[key] = project
        for year, (allocation, _spend) in MONEY[key].items():
            AllocationFactory(project=project, year=year, funding_source=reference["XBTC"],
                              amount_usd=Decimal(allocation))
    assert financial_import(kind="expenditure", source=expenditure_csv(*[
        f"{SYMBOLS[key]},{year}-03,EXPERTS,USD,{spend}" for key, years in MONEY.items()
        for year, (_allocation, spend) in years.items()])).ok
    rebuild_year_delivery()  # the allocations above were written without the import service
    return {"projects": projects, "themes": themes, "principles": principles, "conventions": conventions}


def by_label(rows) -> dict:
    return {r.group_label: (r.allocation_usd, r.expenditure_usd) for r in rows}


def figures_of(projects, year) -> tuple:
    return allocated(projects, year), spent(projects, year)


# ---------------------------------------------------------------- groupings


def test_by_theme_counts_a_project_in_each_theme_and_the_total_once(portfolio):
    rows = selectors.delivery_by(dimension="theme", year=2026)
    assert by_label(rows) == {"Gender equality": figures_of(members(THEMES, "GENDER"), 2026),
                              "Development": figures_of(members(THEMES, "DEVELOPMENT"), 2026),
                              "(none)": figures_of({"C"}, 2026)}
    total = selectors.delivery_total(dimension="theme", year=2026, rows=rows)
    assert (total.allocation_usd, total.expenditure_usd) == figures_of(MONEY, 2026)
    assert total.delivery_rate == Decimal("0.2171")  # 760 / 3,500
    assert sum(r.expenditure_usd for r in rows) > total.expenditure_usd  # A counts twice in the rows
    assert selectors.overlap_note("theme").startswith("A project with several cross-cutting themes counts under")


def test_by_principle_and_convention(portfolio):
    assert by_label(selectors.delivery_by(dimension="principle", year=2025)) == {
        "Child labour": figures_of(members(PRINCIPLES, "CHILD_LABOUR"), 2025),
        "Forced labour": figures_of(members(PRINCIPLES, "FORCED_LABOUR"), 2025),
        "(none)": figures_of({"C"}, 2025)}
    assert by_label(selectors.delivery_by(dimension="convention", year=2026)) == {
        f"C{n} Convention {n}": figures_of(members(CONVENTIONS, n), 2026) for n in (29, 138, 182)} | {
        "(none)": figures_of({"C"}, 2026)}
    total = selectors.delivery_total(dimension="convention", year=2026)
    assert total.expenditure_usd == spent(MONEY, 2026)


def test_by_ldc_takes_the_status_of_the_year_of_the_figures(portfolio):
    for year in (2025, 2026):
        rows = selectors.delivery_by(dimension="ldc", year=year)
        assert by_label(rows) == {"In a least developed country": figures_of(IN_LDC[year], year),
                                  "Not in a least developed country": figures_of(set(MONEY) - IN_LDC[year], year)}
        assert selectors.total_row(rows).expenditure_usd == spent(MONEY, year)  # no overlap: rows add up
    assert IN_LDC[2025] != IN_LDC[2026]


@pytest.mark.parametrize(("dimension", "chosen", "yes_label", "no_label"), [
    ("in_transition", IN_TRANSITION, "In a country in transition", "Not in a country in transition"),
    ("crisis_response", CRISIS, "Crisis response", "Not crisis response"),
    ("enterprise_promotion", ENTERPRISE, "Enterprise promotion", "Not enterprise promotion"),
])
def test_yes_no_groupings(portfolio, dimension, chosen, yes_label, no_label):
    assert by_label(selectors.delivery_by(dimension=dimension, year=2026)) == {
        yes_label: figures_of(chosen, 2026), no_label: figures_of(set(MONEY) - chosen, 2026)}


def test_other_groupings_total_as_before_and_country_once(portfolio):
    rows = selectors.delivery_by(dimension="region", year=2026)
    assert selectors.delivery_total(dimension="region", year=2026, rows=rows) == selectors.total_row(rows)
    # A country grouping counts a multi-country project in each of its countries; its TOTAL counts it once.
    countries = by_label(selectors.delivery_by(dimension="country", year=2026))
    assert countries["Kenya"] == countries["Cabo Verde"] == figures_of({"B"}, 2026)
    assert selectors.delivery_total(dimension="country", year=2026).expenditure_usd == spent(MONEY, 2026)


# ---------------------------------------------------------------- filters


def symbols_kept(filters, year) -> set:
    return {r.group_label for r in selectors.delivery_by(dimension="project", year=year, filters=filters)}


def keys(projects) -> set:
    return {SYMBOLS[p] for p in projects}


def test_filters_by_classification(portfolio):
    gender, forced = portfolio["themes"]["GENDER"], portfolio["principles"]["FORCED_LABOUR"]
    assert symbols_kept({"theme": gender}, 2026) == keys(members(THEMES, "GENDER"))
    assert symbols_kept({"theme": [gender, portfolio["themes"]["DEVELOPMENT"]]}, 2026) == keys({"A", "B"})
    assert symbols_kept({"principle": forced}, 2026) == keys(members(PRINCIPLES, "FORCED_LABOUR"))
    assert symbols_kept({"convention": portfolio["conventions"][138]}, 2026) == keys(members(CONVENTIONS, 138))
    assert symbols_kept({"is_crisis_response": True}, 2026) == keys(CRISIS)
    assert symbols_kept({"is_enterprise_promotion": False}, 2026) == keys(set(MONEY) - ENTERPRISE)
    assert symbols_kept({"in_transition": True}, 2026) == keys(IN_TRANSITION)
    assert symbols_kept({"in_transition": False}, 2026) == keys(set(MONEY) - IN_TRANSITION)
    # A list of themes joins one row per theme: a project in both still counts once.
    both = selectors.delivery_by(dimension="status", year=2026,
                                 filters={"theme": [gender, portfolio["themes"]["DEVELOPMENT"]]})
    assert selectors.total_row(both).expenditure_usd == spent({"A", "B"}, 2026)


def test_the_ldc_filter_takes_the_year_of_the_figures(portfolio):
    for year in (2025, 2026):
        assert symbols_kept({"ldc": True}, year) == keys(IN_LDC[year])
        assert symbols_kept({"ldc": False}, year) == keys(set(MONEY) - IN_LDC[year])
        board = selectors.delivery_dashboard(year=year, filters={"ldc": True})
        assert (board.total.allocation_usd, board.total.expenditure_usd) == figures_of(IN_LDC[year], year)
    with pytest.raises(ValueError, match="needs the year"):
        selectors.project_filter({"ldc": True})


def test_dashboard_page_filters(portfolio, client):
    client.force_login(UserFactory(username="manager", role="MANAGER"))
    url = reverse("delivery:dashboard")
    for year in (2025, 2026):
        response = client.get(url, {"year": year, "as_of": f"{year}-12", "ldc": "true"})
        assert response.status_code == 200
        assert response.context["board"].total.expenditure_usd == spent(IN_LDC[year], year)
    gender = portfolio["themes"]["GENDER"]
    response = client.get(url, {"year": 2026, "as_of": "2026-12", "theme": gender.pk, "is_crisis_response": "false"})
    assert response.context["board"].total.expenditure_usd == spent(members(THEMES, "GENDER") - CRISIS, 2026)
    html = response.content.decode()
    for name in ("theme", "principle", "convention", "is_crisis_response", "is_enterprise_promotion", "ldc",
                 "in_transition"):
        assert f'name="{name}"' in html
    assert f'<option value="{gender.pk}" selected>Gender equality</option>' in html
    # A many-valued filter (here a country, the filter that existed before) keeps the dashboard's SQL valid.
    kenya = Project.objects.get(symbol=SYMBOLS["B"]).countries.get(iso3="KEN")
    response = client.get(url, {"year": 2026, "as_of": "2026-12", "country": kenya.pk})
    assert response.context["board"].total.expenditure_usd == spent({"B"}, 2026)


def test_dashboard_filter_set_gives_the_selectors_the_values(portfolio):
    gender = portfolio["themes"]["GENDER"]
    filterset = DeliveryFilterSet({"theme": gender.pk, "ldc": "true", "in_transition": "false",
                                   "is_enterprise_promotion": "unknown"}, queryset=Project.objects.none())
    assert filterset.selector_filters() == {"theme": gender, "ldc": True, "in_transition": False}


def test_dashboard_query_count_with_the_new_filters_does_not_grow(portfolio, client, reference):
    client.force_login(UserFactory(username="manager", role="MANAGER"))
    params = {"year": 2026, "as_of": "2026-10", "theme": portfolio["themes"]["GENDER"].pk, "ldc": "false",
              "in_transition": "false", "principle": portfolio["principles"]["CHILD_LABOUR"].pk}

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("delivery:dashboard"), params).status_code == 200
        return len(queries)

    small = count()
    lines = []
    for index in range(20):
        project = SpendingProjectFactory(symbol=f"RAF/26/{index:02d}/BIG", funding_source=reference["XBTC"])
        project.themes.set([portfolio["themes"]["GENDER"]])
        project.principles.set([portfolio["principles"]["CHILD_LABOUR"]])
        AllocationFactory(project=project, year=2026, funding_source=reference["XBTC"])
        lines.append(f"{project.symbol},2026-03,TRAINING,USD,5")
    assert financial_import(kind="expenditure", source=expenditure_csv(*lines)).ok
    assert count() <= small


# ---------------------------------------------------------------- delivery_table and the API


def table(*args) -> str:
    out = io.StringIO()
    call_command("delivery_table", *args, stdout=out)
    return out.getvalue()


def test_delivery_table_by_theme_prints_the_note_under_the_total(portfolio):
    assert table("--year", "2026", "--by", "theme") == (
        "group,allocation_usd,expenditure_usd,delivery_rate\n"
        "(none),500.00,60.00,0.1200\n"
        "Development,1000.00,300.00,0.3000\n"
        "Gender equality,3000.00,700.00,0.2333\n"
        "TOTAL,3500.00,760.00,0.2171\n"
        '"A project with several cross-cutting themes counts under each of them, one with none under “(none)”: the '
        'rows overlap, and the total counts each project once."\n')
    lines = table("--year", "2026", "--by", "convention", "--format", "table").splitlines()
    assert lines[-2].split() == ["TOTAL", "3500.00", "760.00", "0.2171"]
    assert lines[-1].startswith("A project with several Conventions counts under each of them")


def test_delivery_table_by_ldc_differs_by_year_and_has_no_note(portfolio):
    assert table("--year", "2025", "--by", "ldc") == (
        "group,allocation_usd,expenditure_usd,delivery_rate\n"
        "In a least developed country,3000.00,300.00,0.1000\n"
        "Not in a least developed country,500.00,50.00,0.1000\n"
        "TOTAL,3500.00,350.00,0.1000\n")
    assert table("--year", "2026", "--by", "ldc").splitlines()[1:3] == [
        "In a least developed country,1000.00,300.00,0.3000",
        "Not in a least developed country,2500.00,460.00,0.1840"]
    for dimension in ("in_transition", "crisis_response", "enterprise_promotion"):
        assert table("--year", "2026", "--by", dimension).splitlines()[-1] == "TOTAL,3500.00,760.00,0.2171"
    assert table("--year", "2026", "--by", "principle").splitlines()[-2] == "TOTAL,3500.00,760.00,0.2171"


def test_figures_api_groupings_filters_and_note(portfolio, client):
    client.force_login(UserFactory(username="secretariat", role="SECRETARIAT"))
    url = reverse("delivery-list")
    data = client.get(url, {"year": 2026, "by": "theme"}).json()
    assert {row["group_label"]: row["expenditure_usd"] for row in data["rows"]} == {
        "Gender equality": "700.00", "Development": "300.00", "(none)": "60.00"}
    assert data["total"]["expenditure_usd"] == "760.00" and "cross-cutting themes" in data["note"]
    for year in (2025, 2026):
        data = client.get(url, {"year": year, "by": "status", "ldc": "true"}).json()
        assert data["total"]["expenditure_usd"] == f"{spent(IN_LDC[year], year):.2f}" and data["note"] == ""
    data = client.get(url, {"year": 2026, "by": "in_transition",
                            "convention": portfolio["conventions"][29].pk}).json()
    assert [row["group_label"] for row in data["rows"]] == ["In a country in transition"]
