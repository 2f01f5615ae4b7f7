"""The ProjectYearDelivery rollup and the dashboard read from it.

The rollup must always equal what Allocation and ProjectMonthSpend say; the dashboard must give exactly the figures
of the definitions (selectors module docstring), here recomputed in Python straight from those two tables.
"""

import datetime as dt
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from alerts.models import Rule, RuleCode
from core.tabular import parse_period
from delivery import selectors
from delivery.models import CUMULATIVE_FIELDS, Allocation, Expenditure, ProjectMonthSpend, ProjectYearDelivery
from delivery.services import (
    allocation_set,
    financial_import,
    rebuild_year_delivery,
    refresh_month_spend,
    refresh_year_delivery,
)
from projects.models import Project, ProjectStatus
from tests.delivery.factories import ExchangeRateFactory, SpendingProjectFactory, allocations_csv, expenditure_csv
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")


def expected_rollup() -> dict:
    """{(project, year): (allocation cents, has allocation, first month, [running cents × 12])} from the sources."""
    allocation = defaultdict(Decimal)
    for a in Allocation.objects.all():
        allocation[(a.project_id, a.year)] += a.amount_usd
    months = defaultdict(dict)
    for m in ProjectMonthSpend.objects.all():
        months[(m.project_id, m.period.year)][m.period.month] = m.amount_usd
    expected = {}
    for key in set(allocation) | set(months):
        running, total = [], Decimal(0)
        for month in range(1, 13):
            total += months[key].get(month, Decimal(0)) if key in months else Decimal(0)
            running.append(int(total * 100))
        expected[key] = (int(allocation.get(key, Decimal(0)) * 100), key in allocation,
                         min(months[key]) if months.get(key) else None, running)
    return expected


def actual_rollup() -> dict:
    return {(r.project_id, r.year): (r.allocation_cents, r.has_allocation, r.first_spend_month,
                                     [getattr(r, name) for name in CUMULATIVE_FIELDS])
            for r in ProjectYearDelivery.objects.all()}


def test_rollup_follows_imports_reimports_corrections_and_allocation_set(reference, project_a, project_b, officer):
    ExchangeRateFactory(currency="EUR", period=dt.date(2026, 3, 1), units_per_usd=Decimal("0.8"))
    assert financial_import(kind="allocations", source=allocations_csv(
        "RAF/26/01/USA,2026,XBTC,1000.00", "RAF/26/01/USA,2026,RBTC,0.50", "RLA/26/02/USA,2027,XBTC,0")).ok
    ExchangeRateFactory(currency="EUR", period=dt.date(2026, 12, 1), units_per_usd=Decimal("0.8"))
    # December: 10 US$ spent in EUR, 5 US$ of it reversed.
    lines = expenditure_csv("RAF/26/01/USA,2026-03,EXPERTS,EUR,100.00", "RAF/26/01/USA,2026-03,TRAINING,USD,0.01",
                            "RAF/26/01/USA,2026-12,EXPERTS,EUR,8.00", "RAF/26/01/USA,2026-12,EXPERTS,USD,-5.00",
                            "RAF/26/01/USA,2027-01,EXPERTS,USD,7.00", "RLA/26/02/USA,2026-05,TRAINING,USD,40.00")
    assert financial_import(kind="expenditure", source=lines).ok
    assert actual_rollup() == expected_rollup()
    row = ProjectYearDelivery.objects.get(project=project_a, year=2026)
    assert (row.allocation_cents, row.first_spend_month) == (100050, 3)
    assert row.spent_cents_to_m02 == 0 and row.spent_cents_to_m03 == 12501 and row.spent_cents_to_m12 == 13001
    # Project B: spend in 2026 without allocation, an allocation of 0 in 2027: both years are rows.
    assert ProjectYearDelivery.objects.get(project=project_b, year=2026).has_allocation is False
    assert ProjectYearDelivery.objects.get(project=project_b, year=2027).has_allocation is True

    assert financial_import(kind="expenditure", source=lines).unchanged == 6
    assert financial_import(kind="expenditure", source=expenditure_csv(
        "RAF/26/01/USA,2026-03,TRAINING,USD,3.00", "RLA/26/02/USA,2026-01,EXPERTS,USD,2.00")).ok
    assert financial_import(kind="allocations", source=allocations_csv("RAF/26/01/USA,2026,XBTC,1200.00")).ok
    allocation_set(project=project_b, year=2028, funding_source=reference["RBTC"], amount_usd=Decimal("10"),
                   reason="New budget", user=officer)
    allocation_set(project=project_a, year=2026, funding_source=reference["RBTC"], amount_usd=Decimal("9.99"),
                   reason="Correction", user=officer)
    assert actual_rollup() == expected_rollup()
    assert ProjectYearDelivery.objects.get(project=project_b, year=2026).first_spend_month == 1
    assert ProjectYearDelivery.objects.get(project=project_a, year=2026).allocation_cents == 120999


def test_failed_and_dry_run_imports_leave_the_rollup_alone(project_a):
    assert financial_import(kind="expenditure", source=expenditure_csv("RAF/26/01/USA,2026-01,EXPERTS,USD,1")).ok
    before = actual_rollup()
    financial_import(kind="expenditure", source=expenditure_csv("RAF/26/01/USA,2026-02,EXPERTS,USD,1"), dry_run=True)
    financial_import(kind="expenditure", source=expenditure_csv("RAF/26/01/USA,2026-02,EXPERTS,USD,1",
                                                                "NOPE,2026-02,EXPERTS,USD,1"))
    assert actual_rollup() == before


def test_rebuild_command_repairs_and_can_be_limited_to_a_year(reference, project_a, project_b):
    assert financial_import(kind="allocations", source=allocations_csv(
        "RAF/26/01/USA,2026,XBTC,100", "RLA/26/02/USA,2027,XBTC,50")).ok
    assert financial_import(kind="expenditure", source=expenditure_csv(
        "RAF/26/01/USA,2026-04,EXPERTS,USD,10", "RLA/26/02/USA,2027-02,EXPERTS,USD,20")).ok
    expected = expected_rollup()
    ProjectYearDelivery.objects.filter(year=2026).update(allocation_cents=1, spent_cents_to_m12=5)
    ProjectYearDelivery.objects.filter(year=2027).delete()
    ProjectYearDelivery.objects.create(project=project_b, year=2030)  # no data behind it: must go
    rebuild_year_delivery(years=[2027])
    assert actual_rollup()[(project_b.id, 2027)] == expected[(project_b.id, 2027)]
    assert actual_rollup()[(project_a.id, 2026)] != expected[(project_a.id, 2026)]  # other years untouched
    out = io.StringIO()
    call_command("rebuild_year_delivery", stdout=out)
    assert actual_rollup() == expected and out.getvalue().startswith("2 project-year rows rebuilt")


def test_demo_seed_fills_the_rollup(reference, project_a, project_b):
    from delivery.demo import seed_delivery

    seed_delivery(seed=3, projects=2, log=lambda message: None)
    assert ProjectYearDelivery.objects.exists() and actual_rollup() == expected_rollup()


# ---------------------------------------------------------------- the dashboard against the definitions


def _rate(spent, allocation):
    return None if not allocation else (spent / allocation).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _active_share(project, year: int, as_of: dt.date) -> Decimal:
    """Share of the project's active time in the year gone at the end of as_of: from the later of 1 January and
    its (actual, else planned) start to the earlier of 31 December and its planned end."""
    first = max(dt.date(year, 1, 1), project.actual_start or project.planned_start)
    last = min(dt.date(year, 12, 31), project.planned_end)
    day = min(as_of, dt.date(year, 12, 31))
    if day < first:
        return Decimal(0)
    if day >= last:
        return Decimal(1)
    return (Decimal((day - first).days + 1) / Decimal((last - first).days + 1)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP)


def reference_dashboard(*, year: int, as_of: dt.date, sort: str) -> dict:
    """The dashboard's figures computed from Allocation and ProjectMonthSpend, as the definitions say. At risk: an
    ongoing project whose spend is below the LOW_DELIVERY rule's red threshold × its active share × allocation."""
    last = min(as_of.replace(day=1), dt.date(year, 12, 1)) if as_of >= dt.date(year, 1, 1) else None
    red = Rule.objects.get(code=RuleCode.LOW_DELIVERY).red_threshold
    window = [] if last is None else [dt.date(year, m, 1) for m in range(max(1, last.month - 2), last.month + 1)]
    allocation, spent, recent, listed = defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal), set()
    for a in Allocation.objects.filter(year=year):
        allocation[a.project_id] += a.amount_usd
        listed.add(a.project_id)
    curve = defaultdict(Decimal)
    for m in ProjectMonthSpend.objects.filter(period__year=year):
        if last is not None and m.period <= last:
            spent[m.project_id] += m.amount_usd
            recent[m.project_id] += m.amount_usd if m.period in window else 0
            curve[m.period.month] += m.amount_usd
            listed.add(m.project_id)
        elif last is None and m.period.month == 1:
            listed.add(m.project_id)  # the dashboard's long-standing listing of January spenders
    rows = []
    for project in SpendingProjectFactory._meta.model.objects.filter(id__in=listed).order_by("symbol"):
        a, s = allocation[project.id], spent[project.id]
        forecast = s if last is None else (s + recent[project.id] / len(window) * (12 - last.month)).quantize(CENT)
        rate = _rate(s, a)
        rows.append({"symbol": project.symbol, "status": project.status, "allocation": a, "expenditure": s,
                     "rate": rate, "forecast": forecast,
                     "at_risk": (project.status == ProjectStatus.ONGOING and a > 0
                                 and s < red * _active_share(project, year, as_of) * a)})
    name = sort.lstrip("-")
    rated = [r for r in rows if name != "rate" or r["rate"] is not None]
    rated.sort(key=lambda r: r[name], reverse=sort.startswith("-"))
    rows = rated + [r for r in rows if name == "rate" and r["rate"] is None]
    running, cumulative = Decimal(0), []
    for month in range(1, (last.month if last else 0) + 1):
        running += curve[month]
        cumulative.append(running)
    return {"order": [r["symbol"] for r in rows], "total": (sum(allocation.values(), Decimal(0)), sum(
        r["expenditure"] for r in rows)), "forecast": sum(r["forecast"] for r in rows),
        "at_risk": sum(r["at_risk"] for r in rows), "curve": cumulative,
        "rows": {r["symbol"]: (r["allocation"], r["expenditure"], r["rate"], r["forecast"], r["at_risk"])
                 for r in rows}}


@pytest.fixture
def varied_portfolio(reference):
    """Rates on both sides of the at-risk line at 30 June 2026 (elapsed 0.4959, line 0.24795), a zero allocation,
    negative months, spend in thirds of a cent once forecast, and projects with spend only after June. Projects run
    from 2025 to 2027 except P/04 (started 1 April 2026) and P/05 (planned end 30 June 2026): their active time in
    2026 is shorter than the year."""
    africa, asia = RegionFactory(code="AFRICA"), RegionFactory(code="ASIA_PACIFIC")
    dates = {"P/04": {"actual_start": dt.date(2026, 4, 1)}, "P/05": {"planned_end": dt.date(2026, 6, 30)}}
    specs = [  # symbol, region, source, allocation, [(month, amount)]
        ("P/01", africa, "XBTC", "10000.00", [(3, "2479.49")]),        # rate 0.2479: at risk
        ("P/02", africa, "XBTC", "10000.00", [(3, "2479.50")]),        # rate 0.24795 → 0.2480: not at risk
        ("P/03", asia, "RBTC", "0.00", [(1, "50.00")]),                # no rate
        ("P/04", asia, "XBTC", "300.00", [(5, "100.01"), (6, "0.01"), (4, "-0.01")]),
        ("P/05", africa, "RBTC", "999.99", [(2, "333.33"), (6, "-20.00"), (11, "5.00")]),
        ("P/06", asia, "RBTC", None, [(9, "70.00")]),                  # listed only once September counts
        ("P/07", africa, "XBTC", "10000.00", [(6, "2479.50")]),        # same rate as P/02: symbol breaks the tie
        ("P/08", asia, "XBTC", None, [(1, "1.00"), (12, "2.00")]),
    ]
    lines, allocations = [], []
    for symbol, region, source, amount, months in specs:
        SpendingProjectFactory(symbol=symbol, region=region, funding_source=reference[source], **dates.get(symbol, {}))
        if amount is not None:
            allocations.append(f"{symbol},2026,{source},{amount}")
        lines += [f"{symbol},2026-{month:02d},EXPERTS,USD,{value}" for month, value in months]
    assert financial_import(kind="allocations", source=allocations_csv(*allocations)).ok
    # A negative month is stored as it was before imports refused one (data of earlier years): the dashboard copes.
    negative = [line for line in lines if ",-" in line]
    assert financial_import(kind="expenditure", source=expenditure_csv(
        *(line for line in lines if line not in negative))).ok
    stored = []
    for line in negative:
        symbol, period, _input, _currency, amount = line.split(",")
        project = Project.objects.get(symbol=symbol)
        stored.append(Expenditure(project=project, period=parse_period(period), input_type=reference["EXPERTS"],
                                  currency="USD", funding_source=project.funding_source, amount=Decimal(amount),
                                  exchange_rate=Decimal(1), amount_usd=Decimal(amount)))
    Expenditure.objects.bulk_create(stored)
    refresh_month_spend({line.project_id: {line.period} for line in stored})
    refresh_year_delivery({(line.project_id, 2026) for line in stored})


GROUPING_MODES = [False, True] if connection.vendor == "postgresql" else [False]


@pytest.mark.parametrize("grouping_sets", GROUPING_MODES)
@pytest.mark.parametrize("as_of", [dt.date(2025, 12, 31), dt.date(2026, 1, 31), dt.date(2026, 2, 28),
                                   dt.date(2026, 6, 30), dt.date(2026, 9, 30), dt.date(2026, 12, 31)])
def test_dashboard_equals_the_definitions(varied_portfolio, as_of, grouping_sets):
    for sort in ("rate", "-rate", "symbol", "-symbol", "allocation", "-expenditure", "forecast", "-status"):
        board = selectors.delivery_dashboard(year=2026, as_of=as_of, sort=sort, grouping_sets=grouping_sets)
        expected = reference_dashboard(year=2026, as_of=as_of, sort=sort)
        assert [p.symbol for p in board.projects] == expected["order"], sort
        assert (board.total.allocation_usd, board.total.expenditure_usd) == expected["total"]
        assert (board.forecast_usd, board.at_risk) == (expected["forecast"], expected["at_risk"])
        assert {p.symbol: (p.allocation_usd, p.expenditure_usd, p.delivery_rate, p.forecast_usd, p.at_risk)
                for p in board.projects} == expected["rows"]
        assert [p.cumulative_usd for p in board.curve if p.cumulative_usd is not None] == expected["curve"]
        for dimension in selectors.DASHBOARD_GROUPS:
            groups = board.groups[dimension]
            assert sum(r.expenditure_usd for r in groups) == board.total.expenditure_usd
            assert sum(r.allocation_usd for r in groups) == board.total.allocation_usd
            if as_of.year == 2026:  # before the year the dashboard also lists January's spenders; delivery_by not
                assert groups == selectors.delivery_by(dimension=dimension, year=2026, as_of=as_of)


def test_at_risk_line_and_ties(varied_portfolio):
    board = selectors.delivery_dashboard(year=2026, as_of=dt.date(2026, 6, 30), sort="-rate")
    rows = {p.symbol: p for p in board.projects}
    assert rows["P/01"].at_risk and not rows["P/02"].at_risk and not rows["P/07"].at_risk
    # P/05's active time in 2026 ended on 30 June (all of it gone): 313.33 < 0.5 × 999.99, whereas against the
    # calendar year's 0.4959 it would not be at risk.
    assert rows["P/05"].at_risk and board.at_risk == 2
    assert rows["P/02"].delivery_rate == rows["P/07"].delivery_rate == Decimal("0.2480")
    order = [p.symbol for p in board.projects]
    assert order.index("P/02") < order.index("P/07") and order[-2:] == ["P/03", "P/08"]  # no rate: last
    # P/05: 313.33 spent to June; April–June burn (−20) ÷ 3 × 6 months = −40 → 273.33.
    assert rows["P/05"].forecast_usd == Decimal("273.33")


def test_project_table_reads_only_the_slice_asked_for(varied_portfolio, django_assert_num_queries):
    board = selectors.delivery_dashboard(year=2026, as_of=dt.date(2026, 12, 31), sort="symbol")
    assert len(board.projects) == 8
    with django_assert_num_queries(1):
        page = board.projects[2:5]
    assert [p.symbol for p in page] == ["P/03", "P/04", "P/05"]
    assert board.projects[-1].symbol == "P/08" and board.projects[10:20] == []
    with pytest.raises(IndexError):
        board.projects[8]
    everything = list(board.projects)
    with django_assert_num_queries(0):
        assert [p.symbol for p in board.projects[::3]] == [p.symbol for p in everything[::3]]


def test_filters_restrict_the_rollup_rows(varied_portfolio, reference):
    board = selectors.delivery_dashboard(year=2026, as_of=dt.date(2026, 12, 31),
                                         filters={"funding_source": reference["RBTC"]})
    assert sorted(p.symbol for p in board.projects) == ["P/03", "P/05", "P/06"]
    assert board.total.expenditure_usd == Decimal("50.00") + Decimal("318.33") + Decimal("70.00")
    assert {r.group_label for r in board.groups["funding_source"]} == {"Source RBTC"}
