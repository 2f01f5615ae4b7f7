"""Money carries its own source of funds (issue 16.1): a portfolio whose projects have allocations and expenditure
lines from two sources. Every grouping by source of funds or budget type (delivery_by, the dashboard,
`delivery_table`, the API, the report tables, IATI) must equal sums computed here in plain Python over the rows the
test wrote, each amount under its own source; every other grouping still counts a project once with all its money.
"""

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from lxml import etree
from rest_framework.test import APIClient

from accounts.models import Role
from delivery import selectors
from delivery.models import Expenditure
from delivery.services import financial_import
from iati import mappings
from iati.export import write_activities_xml
from iati.schema import activities_schema
from projects.models import BudgetType, Project
from reports.selectors import annual_report
from tests.delivery.factories import ExchangeRateFactory, SpendingProjectFactory, allocations_csv, csv_bytes
from tests.factories import FundingSourceFactory, InputTypeFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
SOURCES = {"RBTC": BudgetType.REGULAR, "RBSA": BudgetType.REGULAR, "XBTC": BudgetType.EXTRA_BUDGETARY,
           "TRUST": BudgetType.EXTRA_BUDGETARY}
# symbol → (main source, region)
PROJECTS = {"RAF/26/11/USA": ("XBTC", "AFRICA"), "RAS/26/12/NOR": ("TRUST", "ASIA_PACIFIC"),
            "INT/26/13/RBT": ("RBTC", "AFRICA"), "RLA/26/14/MUL": ("RBSA", "ASIA_PACIFIC")}
ALLOCATIONS = [  # symbol, year, source, US$
    ("RAF/26/11/USA", 2026, "XBTC", "8000.00"), ("RAF/26/11/USA", 2026, "RBTC", "2000.00"),
    ("RAF/26/11/USA", 2027, "XBTC", "4000.00"),
    ("RAS/26/12/NOR", 2026, "TRUST", "5000.00"), ("RAS/26/12/NOR", 2026, "RBSA", "1500.50"),
    ("INT/26/13/RBT", 2026, "RBTC", "3000.00"), ("INT/26/13/RBT", 2026, "XBTC", "700.00"),
    ("RLA/26/14/MUL", 2026, "RBSA", "1200.00"),
]
RATES = {("EUR", "2026-02"): "0.8", ("EUR", "2026-03"): "0.8"}
# Lines of the file with the funding_source column (an empty cell: the project's main source) …
LINES_WITH_SOURCE = [  # symbol, period, input, currency, source cell, amount
    ("RAF/26/11/USA", "2026-01", "EXPERTS", "USD", "", "1000.00"),
    ("RAF/26/11/USA", "2026-01", "EXPERTS", "USD", "RBTC", "250.00"),  # differs from the line above by source only
    ("RAF/26/11/USA", "2026-03", "TRAINING", "EUR", "xbtc", "400.00"),
    ("RAF/26/11/USA", "2026-07", "EXPERTS", "USD", "RBTC", "300.00"),
    ("RAS/26/12/NOR", "2026-02", "TRAINING", "USD", "", "1200.00"),
    ("RAS/26/12/NOR", "2026-02", "TRAINING", "USD", "RBSA", "333.33"),
    ("RAS/26/12/NOR", "2026-02", "TRAINING", "EUR", "RBSA", "-80.00"),  # a reversal within RBSA's spending
    ("INT/26/13/RBT", "2026-05", "EXPERTS", "USD", "", "900.00"),
    ("INT/26/13/RBT", "2026-05", "EXPERTS", "USD", "XBTC", "100.00"),
    ("INT/26/13/RBT", "2027-01", "EXPERTS", "USD", "XBTC", "50.00"),
]
# … and of a file without it (every line the project's main source's).
LINES_WITHOUT_SOURCE = [
    ("RLA/26/14/MUL", "2026-04", "TRAINING", "USD", None, "600.00"),
    ("RLA/26/14/MUL", "2026-11", "TRAINING", "USD", None, "100.00"),
    ("RAF/26/11/USA", "2026-11", "TRAINING", "USD", None, "75.25"),
]
LINES = LINES_WITH_SOURCE + LINES_WITHOUT_SOURCE
AS_OF_DATES = [None, dt.date(2026, 2, 28), dt.date(2026, 6, 30), dt.date(2026, 12, 31)]


# ---------------------------------------------------------------- the expected figures, in plain Python


def _usd(currency: str, period: str, amount: str) -> Decimal:
    rate = Decimal(RATES[(currency, period)]) if currency != "USD" else Decimal(1)
    return (Decimal(amount) / rate).quantize(CENT, rounding=ROUND_HALF_UP)


def line_source(symbol: str, cell: str | None) -> str:
    return cell.upper() if cell else PROJECTS[symbol][0]


def _counts(period: str, year: int, as_of: dt.date | None) -> bool:
    month = dt.date(int(period[:4]), int(period[5:]), 1)
    return month.year == year and (as_of is None or month <= as_of)


def expected(group_of, *, year: int = 2026, as_of: dt.date | None = None) -> dict:
    """{group: (allocation, expenditure)}; group_of(symbol, source code) gives an amount's group."""
    sums = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for symbol, allocation_year, source, amount in ALLOCATIONS:
        if allocation_year == year:
            sums[group_of(symbol, source)][0] += Decimal(amount)
    for symbol, period, _input, currency, cell, amount in LINES:
        if _counts(period, year, as_of):
            sums[group_of(symbol, line_source(symbol, cell))][1] += _usd(currency, period, amount)
    return {group: tuple(values) for group, values in sums.items()}


def by_source(symbol, source):
    return f"Source {source}"


def by_budget_type(symbol, source):
    return BudgetType(SOURCES[source]).label


def by_region(symbol, source):
    return PROJECTS[symbol][1].replace("_", " ").title()


def as_figures(rows) -> dict:
    return {str(row.group_label): (row.allocation_usd, row.expenditure_usd) for row in rows}


# ---------------------------------------------------------------- the portfolio


@pytest.fixture
def mixed_portfolio(db):
    sources = {code: FundingSourceFactory(code=code, sort_order=index) for index, code in enumerate(SOURCES)}
    assert {code: source.budget_type for code, source in sources.items()} == SOURCES
    InputTypeFactory(code="EXPERTS")
    InputTypeFactory(code="TRAINING")
    for symbol, (source, region) in PROJECTS.items():
        SpendingProjectFactory(symbol=symbol, funding_source=sources[source], region=RegionFactory(code=region))
    for (currency, period), rate in RATES.items():
        ExchangeRateFactory(currency=currency, period=dt.date(int(period[:4]), int(period[5:]), 1),
                            units_per_usd=Decimal(rate))
    assert financial_import(kind="allocations", source=allocations_csv(
        *(f"{symbol},{year},{source},{amount}" for symbol, year, source, amount in ALLOCATIONS))).ok
    with_source = financial_import(kind="expenditure", source=csv_bytes(
        "project_symbol,period,input_type,currency,funding_source,amount",
        *(",".join([symbol, period, input_type, currency, cell, amount])
          for symbol, period, input_type, currency, cell, amount in LINES_WITH_SOURCE)))
    assert with_source.ok, with_source.errors
    without_source = financial_import(kind="expenditure", source=csv_bytes(
        "project_symbol,period,input_type,currency,amount",
        *(",".join([symbol, period, input_type, currency, amount])
          for symbol, period, input_type, currency, _cell, amount in LINES_WITHOUT_SOURCE)))
    assert without_source.ok, without_source.errors
    return sources


def test_every_line_is_stored_under_its_source(mixed_portfolio):
    stored = sorted((e.project.symbol, f"{e.period:%Y-%m}", e.input_type.code, e.currency, e.funding_source.code,
                     e.amount) for e in Expenditure.objects.select_related("project", "input_type", "funding_source"))
    assert stored == sorted((symbol, period, input_type, currency, line_source(symbol, cell), Decimal(amount))
                            for symbol, period, input_type, currency, cell, amount in LINES)


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_delivery_by_source_and_budget_type_follow_the_money(mixed_portfolio, as_of):
    for dimension, group_of in (("funding_source", by_source), ("budget_type", by_budget_type)):
        rows = selectors.delivery_by(dimension=dimension, year=2026, as_of=as_of)
        assert as_figures(rows) == expected(group_of, as_of=as_of), dimension
        for row in rows:  # a group's rate: its expenditure ÷ its allocation
            assert row.delivery_rate == selectors.delivery_rate(row.expenditure_usd, row.allocation_usd)
    assert as_figures(selectors.delivery_by(dimension="funding_source", year=2027)) == expected(by_source, year=2027)


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_other_groupings_count_a_project_once_with_all_its_money(mixed_portfolio, as_of):
    assert as_figures(selectors.delivery_by(dimension="region", year=2026, as_of=as_of)) == expected(
        by_region, as_of=as_of)
    projects = as_figures(selectors.delivery_by(dimension="project", year=2026, as_of=as_of))
    assert projects == expected(lambda symbol, source: symbol, as_of=as_of)
    totals = {dimension: selectors.total_row(selectors.delivery_by(dimension=dimension, year=2026, as_of=as_of),
                                             dimension)
              for dimension in ("funding_source", "budget_type", "region", "project")}
    assert len({(t.allocation_usd, t.expenditure_usd) for t in totals.values()}) == 1


GROUPING_MODES = [False, True] if connection.vendor == "postgresql" else [False]


@pytest.mark.parametrize("grouping_sets", GROUPING_MODES)
@pytest.mark.parametrize("as_of", AS_OF_DATES[1:])
def test_the_dashboard_groups_by_the_source_of_each_amount(mixed_portfolio, as_of, grouping_sets):
    board = selectors.delivery_dashboard(year=2026, as_of=as_of, grouping_sets=grouping_sets)
    assert as_figures(board.groups["funding_source"]) == expected(by_source, as_of=as_of)
    assert as_figures(board.groups["region"]) == expected(by_region, as_of=as_of)
    assert len(board.projects) == len(PROJECTS)  # each project listed once
    total = expected(lambda symbol, source: "all", as_of=as_of)["all"]
    assert (board.total.allocation_usd, board.total.expenditure_usd) == total


def _table(dimension: str, as_of: str) -> dict:
    out = io.StringIO()
    call_command("delivery_table", year=2026, as_of=as_of, dimension=dimension, stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    return {row["group"]: (Decimal(row["allocation_usd"]), Decimal(row["expenditure_usd"])) for row in rows}


def test_delivery_table_by_source_and_budget_type(mixed_portfolio):
    for dimension, group_of in (("funding_source", by_source), ("budget_type", by_budget_type)):
        table = _table(dimension, "2026-06-30")
        total = table.pop("TOTAL")
        wanted = expected(group_of, as_of=dt.date(2026, 6, 30))
        assert table == wanted
        assert total == tuple(sum(values, Decimal(0)) for values in zip(*wanted.values(), strict=True))


def test_the_api_groups_by_source_and_budget_type(mixed_portfolio):
    client = APIClient()
    client.force_authenticate(UserFactory(username="reader", role=Role.SECRETARIAT))
    for dimension, group_of in (("funding_source", by_source), ("budget_type", by_budget_type)):
        response = client.get(reverse("delivery-list"), {"year": 2026, "as_of": "2026-12-31", "by": dimension})
        assert response.status_code == 200, response.content
        assert {row["group_label"]: (Decimal(row["allocation_usd"]), Decimal(row["expenditure_usd"]))
                for row in response.data["rows"]} == expected(group_of, as_of=dt.date(2026, 12, 31))
    # Each line says whose money it spent, and the lines can be filtered by it.
    rbtc = mixed_portfolio["RBTC"]
    lines = client.get(reverse("expenditure-list"), {"funding_source": rbtc.pk}).data["results"]
    assert sorted(Decimal(line["amount"]) for line in lines) == sorted(
        Decimal(amount) for symbol, _p, _i, _c, cell, amount in LINES if line_source(symbol, cell) == "RBTC")
    assert {line["funding_source_code"] for line in lines} == {"RBTC"}


def test_report_tables_by_source_of_funds(mixed_portfolio):
    report = annual_report(year=2026)
    spent = {group: values[1] for group, values in expected(by_source).items()}
    by_source_table = report.table("by_source")
    current = by_source_table.headers.index("2026 (US$ '000)")
    assert {row[0]: row[current] for row in by_source_table.rows} == {
        group: amount / 1000 for group, amount in spent.items()}
    by_field = report.table("by_field")
    sources = [header for header in by_field.headers if header.startswith("Source ")]
    assert {header: by_field.total[by_field.headers.index(header)] for header in sources} == {
        f"{group} (US$ '000)": amount / 1000 for group, amount in spent.items() if amount}


def test_iati_expenditure_is_published_per_source_with_its_earmarking(mixed_portfolio, settings):
    out = io.BytesIO()
    write_activities_xml(out, Project.objects.all())
    document = etree.fromstring(out.getvalue())
    activities_schema().assertValid(document)
    published = defaultdict(Decimal)
    earmarked = defaultdict(Decimal)
    for activity in document.iter("iati-activity"):
        symbol = activity.findtext("iati-identifier").removeprefix(f"{settings.TCMS_ORGANISATION_IATI_REF}-")
        for transaction in activity.findall("transaction"):
            if transaction.find("transaction-type").get("code") != mappings.TRANSACTION_EXPENDITURE:
                continue
            value = Decimal(transaction.findtext("value"))
            source_name = transaction.findtext("description/narrative").rsplit(": ", 1)[1]
            published[(symbol, source_name)] += value
            aid_type = transaction.find("aid-type")
            assert aid_type.get("vocabulary") == mappings.AID_TYPE_VOCABULARY_EARMARKING
            earmarked[aid_type.get("code")] += value
    every_year = defaultdict(Decimal)
    by_earmarking = defaultdict(Decimal)
    for symbol, period, _input, currency, cell, amount in LINES:
        source = line_source(symbol, cell)
        every_year[(symbol, f"Source {source}")] += _usd(currency, period, amount)
        by_earmarking[mappings.EARMARKING_BY_BUDGET_TYPE[SOURCES[source]]] += _usd(currency, period, amount)
    assert dict(published) == dict(every_year)
    assert dict(earmarked) == dict(by_earmarking) and set(earmarked) == {"1", "4"}


def test_the_money_tab_shows_each_source_and_the_total(mixed_portfolio, client):
    client.force_login(UserFactory(username="manager", role=Role.MANAGER))
    project = Project.objects.get(symbol="RAF/26/11/USA")
    response = client.get(reverse("delivery:project", args=[project.pk]), {"as_of": "2026-12"})
    assert response.status_code == 200
    panel = response.context["panel"]
    year = expected(lambda symbol, source: (symbol, source), as_of=dt.date(2026, 12, 31))
    assert {row.source.code: (row.allocation_usd, row.expenditure_usd) for row in panel.sources} == {
        source: values for (symbol, source), values in year.items() if symbol == project.symbol}
    assert {row.source.code: row.budget_usd for row in panel.sources} == {"XBTC": Decimal("12000.00"),
                                                                         "RBTC": Decimal("2000.00")}
    assert sum(row.expenditure_usd for row in panel.sources) == panel.current.expenditure_usd
    html = response.content.decode()
    assert "Source XBTC" in html and "Source RBTC" in html and "By source of funds" in html
    single = Project.objects.get(symbol="RLA/26/14/MUL")  # one source: no table by source
    assert "By source of funds" not in client.get(reverse("delivery:project", args=[single.pk])).content.decode()
