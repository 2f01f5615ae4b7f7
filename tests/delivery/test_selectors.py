import datetime as dt
from decimal import Decimal

import pytest

from delivery import selectors
from delivery.services import financial_import
from tests.delivery.factories import AllocationFactory, ExchangeRateFactory, SpendingProjectFactory, expenditure_csv
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(reference, project_a, project_b):
    """A: 1,000 allocated in 2026, spends 300 in Jan–Mar + 100 EUR (=125 US$) in Nov; 2,000 in 2027, 500 spent.
    B: 200 allocated, 300 spent (over-delivery). C: nothing allocated, 50 spent (rate None). All three run
    from 2025 to 2027 (SpendingProjectFactory), so their active time in 2026 is the whole year."""
    project_c = SpendingProjectFactory(symbol="RAS/26/03/USA", funding_source=reference["XBTC"],
                                       region=RegionFactory(code="ASIA_PACIFIC"))
    AllocationFactory(project=project_a, year=2026, funding_source=reference["XBTC"], amount_usd=Decimal("600"))
    AllocationFactory(project=project_a, year=2026, funding_source=reference["RBTC"], amount_usd=Decimal("400"))
    AllocationFactory(project=project_a, year=2027, funding_source=reference["XBTC"], amount_usd=Decimal("2000"))
    AllocationFactory(project=project_b, year=2026, funding_source=reference["RBTC"], amount_usd=Decimal("200"))
    ExchangeRateFactory(currency="EUR", period=dt.date(2026, 11, 1), units_per_usd=Decimal("0.8"))
    result = financial_import(kind="expenditure", source=expenditure_csv(
        "RAF/26/01/USA,2026-01,EXPERTS,USD,100", "RAF/26/01/USA,2026-02,EXPERTS,USD,100",
        "RAF/26/01/USA,2026-03,TRAINING,USD,100", "RAF/26/01/USA,2026-11,EXPERTS,EUR,100",
        "RAF/26/01/USA,2027-01,EXPERTS,USD,500",
        "RLA/26/02/USA,2026-02,TRAINING,USD,300",
        "RAS/26/03/USA,2026-02,EXPERTS,USD,50"))
    assert result.ok, result.errors
    return project_a, project_b, project_c


def _by_label(rows):
    return {r.group_label: r for r in rows}


def test_project_rates_zero_allocation_over_delivery_and_currency(portfolio):
    a, b, c = portfolio
    rows = _by_label(selectors.delivery_by(dimension="project", year=2026))
    assert (rows[a.symbol].allocation_usd, rows[a.symbol].expenditure_usd) == (Decimal("1000.00"), Decimal("425.00"))
    assert rows[a.symbol].delivery_rate == Decimal("0.4250")      # (300 + 100/0.8) / 1000
    assert rows[b.symbol].delivery_rate == Decimal("1.5000")      # 300 / 200: over-delivery
    assert rows[c.symbol].delivery_rate is None and rows[c.symbol].expenditure_usd == Decimal("50.00")


def test_group_rate_is_sum_over_sum_not_mean_of_ratios(portfolio):
    a, b, _c = portfolio
    total = selectors.total_row(selectors.delivery_by(dimension="project", year=2026))
    assert total.allocation_usd == Decimal("1200.00") and total.expenditure_usd == Decimal("775.00")
    assert total.delivery_rate == Decimal("0.6458")                # 775 / 1200; mean of 0.425 and 1.5 would be 0.9625
    # Both A and B are in Africa by default (RegionFactory), C in Asia.
    regions = _by_label(selectors.delivery_by(dimension="region", year=2026))
    assert regions["Africa"].delivery_rate == Decimal("0.6042")      # (425 + 300) / (1000 + 200)
    assert regions["Asia Pacific"].delivery_rate is None


def test_as_of_cuts_later_months_and_years_are_separate(portfolio):
    a, _b, _c = portfolio
    rows = _by_label(selectors.delivery_by(dimension="project", year=2026, as_of=dt.date(2026, 2, 15)))
    assert rows[a.symbol].expenditure_usd == Decimal("200.00")     # January and February only
    next_year = _by_label(selectors.delivery_by(dimension="project", year=2027))
    assert next_year[a.symbol].delivery_rate == Decimal("0.2500")  # 500 / 2000
    before = selectors.delivery_by(dimension="project", year=2027, as_of=dt.date(2026, 12, 31))
    assert _by_label(before)[a.symbol].expenditure_usd == Decimal("0.00")


def test_funding_source_budget_type_and_input_type(portfolio):
    sources = _by_label(selectors.delivery_by(dimension="funding_source", year=2026))
    # Each allocation counts under its own source (issue 16.1): A's 400 from RBTC is RBTC's, not A's main source's.
    assert sources["Source XBTC"].allocation_usd == Decimal("600.00")
    assert sources["Source RBTC"].allocation_usd == Decimal("600.00")   # A's 400 + B's 200
    assert sources["Source XBTC"].expenditure_usd == Decimal("475.00")  # lines without a source: the main one
    inputs = _by_label(selectors.delivery_by(dimension="input_type", year=2026))
    assert inputs["Experts"].expenditure_usd == Decimal("375.00")       # 100 + 100 + 125 + 50
    assert inputs["Experts"].allocation_usd == Decimal("1200.00")       # whole allocation on every input row
    assert inputs["Training"].delivery_rate == Decimal("0.3333")        # 400 / 1200
    assert selectors.total_row(list(inputs.values()), "input_type").delivery_rate == Decimal("0.6458")


def test_filters_restrict_projects(portfolio):
    a, _b, _c = portfolio
    rows = selectors.delivery_by(dimension="project", year=2026, filters={"funding_source": a.funding_source})
    assert {r.group_label for r in rows} == {a.symbol, "RAS/26/03/USA"}


def test_year_elapsed_is_day_based():
    assert selectors.year_elapsed(dt.date(2026, 12, 31)) == Decimal("1.0000")
    assert selectors.year_elapsed(dt.date(2026, 7, 2)) == Decimal("0.5014")  # day 183 of 365
    assert selectors.year_elapsed(dt.date(2024, 12, 31)) == Decimal("1.0000")  # leap year, 366 days


def test_project_delivery_forecast_slippage_life_and_curve(portfolio):
    a, _b, _c = portfolio
    panel = selectors.project_delivery(project=a, as_of=dt.date(2026, 3, 31))
    year = next(r for r in panel.years if r.year == 2026)
    assert year.expenditure_usd == Decimal("300.00")
    # Burn of the last three months = 300 / 3 = 100 a month; 9 months left → 300 + 900.
    assert year.forecast_usd == Decimal("1200.00") and year.forecast_rate == Decimal("1.2000")
    elapsed = Decimal(90) / Decimal(365)
    assert year.elapsed == elapsed.quantize(Decimal("0.0001"))
    assert year.slippage_usd == (Decimal("1000") * year.elapsed - 300).quantize(Decimal("0.01"))
    assert selectors.project_slippage(project=a, year=2026, as_of=dt.date(2026, 3, 31)) == year.slippage_usd
    assert panel.budget_usd == Decimal("3000.00") and panel.spent_to_date_usd == Decimal("300.00")
    assert panel.life_delivery_rate == Decimal("0.1000")
    assert [p.cumulative_usd for p in panel.curve[:4]] == [Decimal("100.00"), Decimal("200.00"), Decimal("300.00"),
                                                          None]
    assert panel.curve[5].profile_usd == Decimal("500.00")


def test_dashboard_figures_agree_with_delivery_by(portfolio):
    a, b, c = portfolio
    board = selectors.delivery_dashboard(year=2026, as_of=dt.date(2026, 6, 30), sort="-rate")
    assert board.total.allocation_usd == Decimal("1200.00")
    assert board.total.expenditure_usd == Decimal("650.00")     # November's EUR line is after the as-of month
    assert [p.symbol for p in board.projects] == [b.symbol, a.symbol, c.symbol]
    assert board.groups["region"] == selectors.delivery_by(dimension="region", year=2026, as_of=dt.date(2026, 6, 30))
    # A: 300 of 1,000 at mid-year is 0.30 ≥ half of 0.4959 elapsed, so no project is at risk; C has no allocation.
    assert board.at_risk == 0
    assert board.curve[5].cumulative_usd == Decimal("650.00") and board.curve[6].cumulative_usd is None
    # Burn of Apr–Jun is 0, so the forecast is what has been spent.
    assert board.forecast_usd == Decimal("650.00")
