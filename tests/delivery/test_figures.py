"""delivery/figures.py: the figures defined once, and their SQL twins giving exactly the same on this database."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection

from alerts.models import Rule, RuleCode
from delivery import figures, selectors
from projects.models import ProjectStatus
from tests.delivery.factories import allocations_csv, expenditure_csv
from tests.factories import ProjectFactory

D = dt.date


def _big(number: int) -> str:
    """A whole number as the rollup's BIGINT columns hold it (PostgreSQL reads a small literal as a 32-bit int)."""
    return f"CAST({number} AS BIGINT)"


def _select(expression: str):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {expression}")
        return cursor.fetchone()[0]


# ---------------------------------------------------------------- the share of active time elapsed


@pytest.mark.parametrize(("as_of", "start", "end", "expected"), [
    (D(2026, 6, 30), D(2020, 1, 1), D(2030, 12, 31), Decimal("0.4959")),  # active all year: the year's share
    (D(2026, 6, 30), None, None, Decimal("0.4959")),
    (D(2026, 6, 30), D(2026, 4, 1), D(2030, 1, 1), Decimal("0.3309")),    # 91 of 275 days
    (D(2026, 6, 30), D(2025, 1, 1), D(2026, 9, 30), Decimal("0.6630")),   # 181 of 273 days
    (D(2026, 3, 31), D(2026, 4, 1), D(2030, 1, 1), Decimal("0")),         # not begun yet
    (D(2026, 6, 30), D(2025, 1, 1), D(2026, 6, 30), Decimal("1")),        # its last day: all gone
    (D(2026, 6, 30), D(2020, 1, 1), D(2021, 12, 31), Decimal("1")),       # ended before the year
    (D(2027, 2, 1), D(2026, 1, 1), D(2030, 1, 1), Decimal("1")),          # after the year
    (D(2025, 12, 31), D(2020, 1, 1), D(2030, 1, 1), Decimal("0")),        # before the year
    (None, D(2026, 7, 1), D(2030, 1, 1), Decimal("1")),                   # the whole year
])
def test_active_elapsed(as_of, start, end, expected):
    assert figures.active_elapsed(2026, as_of, start=start, end=end) == expected


def test_active_all_year_is_the_share_of_the_year_elapsed():
    for day in (D(2024, 2, 29), D(2024, 12, 30), D(2026, 1, 1), D(2026, 7, 2)):
        assert figures.active_elapsed(day.year, day, start=D(2000, 1, 1), end=D(2099, 1, 1)) == \
            figures.year_elapsed(day)


def test_at_risk_only_for_ongoing_projects_below_the_line():
    line = {"allocation": Decimal("1000"), "elapsed": Decimal("0.5"), "threshold": Decimal("0.5")}
    assert figures.at_risk(status=ProjectStatus.ONGOING, spent=Decimal("249.99"), **line)
    assert not figures.at_risk(status=ProjectStatus.ONGOING, spent=Decimal("250.00"), **line)  # not below
    for status in set(ProjectStatus.values) - {ProjectStatus.ONGOING}:
        assert not figures.at_risk(status=status, spent=Decimal("0"), **line), status
    assert not figures.at_risk(status=ProjectStatus.ONGOING, spent=Decimal("0"), allocation=Decimal("0"),
                               elapsed=Decimal("1"), threshold=Decimal("0.5"))


def test_threshold_units_refuse_what_sql_cannot_hold_exactly():
    assert figures.threshold_units(Decimal("0.5")) == 5000
    assert figures.threshold_units(Decimal("100")) == 1000000
    for bad in (Decimal("100.0001"), Decimal("0.00001"), Decimal("-1")):
        with pytest.raises(ValueError, match="delivery threshold"):
            figures.threshold_units(bad)


# ---------------------------------------------------------------- the SQL twins


@pytest.mark.django_db
def test_rate_and_below_share_twins_equal_the_functions():
    amounts = [0, 1, 2, 3, 7, 9999, 10000, 12345, 33333, 66667, 99999999, 123456789012]
    thresholds = [Decimal("0"), Decimal("0.3333"), Decimal("0.5"), Decimal("0.75"), Decimal("1"), Decimal("100")]
    shares = [0, 1, 2479, 4959, 5000, 9999, 10000]
    for spent, allocation in itertools.product([-5, *amounts], amounts):
        expected = figures.delivery_rate(figures.from_cents(spent), figures.from_cents(allocation))
        assert figures.from_rate_units(_select(figures.rate_sql(_big(spent), _big(allocation)))) == expected
    for spent, allocation, threshold, share in itertools.product(
            [0, 1, 2479, 2480, 12345, 99999999], [0, 1, 5000, 9999, 10000, 123456789012], thresholds, shares):
        elapsed = Decimal(share).scaleb(-4)
        expected = figures.below_share(spent=figures.from_cents(spent), allocation=figures.from_cents(allocation),
                                       threshold=threshold, elapsed=elapsed)
        sql = figures.below_share_sql(spent=_big(spent), allocation=_big(allocation), threshold=threshold,
                                      elapsed_units=str(share))
        assert bool(_select(f"CASE WHEN {sql} THEN 1 ELSE 0 END")) == expected, (spent, allocation, threshold, share)


@pytest.mark.django_db
def test_forecast_twin_equals_the_function():
    for last_month, spent, recent in itertools.product(range(0, 13), [0, 100, 31333], [-2000, -1, 0, 1, 2, 100001]):
        last = D(2026, last_month, 1) if last_month else None
        months = min(3, last_month)
        expected = figures.forecast_year_end(spent=figures.from_cents(spent), last_three=figures.from_cents(recent),
                                             months_in_window=months, last=last)
        sql = figures.forecast_sql(spent=_big(spent), recent=_big(recent), last_month=last_month)
        assert figures.from_cents(_select(sql)) == expected, (last_month, spent, recent)


@pytest.mark.django_db
def test_active_elapsed_twin_equals_the_function():
    days = [None, D(2025, 6, 1), D(2025, 12, 31), D(2026, 1, 1), D(2026, 2, 28), D(2026, 4, 1), D(2026, 6, 30),
            D(2026, 12, 31), D(2027, 3, 1)]
    as_ofs = [None, D(2025, 12, 31), D(2026, 1, 1), D(2026, 3, 31), D(2026, 6, 30), D(2026, 12, 31), D(2027, 1, 5)]

    def literal(day):  # what a date column holds: a date on PostgreSQL, ISO text on SQLite
        if connection.vendor == "postgresql":
            return "CAST(NULL AS DATE)" if day is None else f"DATE '{day.isoformat()}'"
        return "NULL" if day is None else f"'{day.isoformat()}'"

    for start, end, as_of in itertools.product(days, days, as_ofs):
        if start and end and end < start:
            continue
        expected = figures.active_elapsed(2026, as_of, start=start, end=end)
        sql = figures.active_elapsed_sql(2026, as_of, start=literal(start), end=literal(end),
                                         vendor=connection.vendor)
        assert Decimal(_select(sql)).scaleb(-4) == expected, (start, end, as_of)


# ---------------------------------------------------------------- "at risk" is LOW_DELIVERY red


@pytest.fixture
def half_delivered(db, reference):
    """At 30 June 2026 (0.4959 of the year gone) each project has spent 30% of its allocation: at risk for a red
    threshold of 0.61 (line 0.3025), not for 0.60 (line 0.2975). One of each status."""
    allocations, lines = [], []
    for number, status in enumerate(ProjectStatus.values, start=1):
        symbol = f"R/{number:02d}"
        ProjectFactory(symbol=symbol, status=status, planned_start=D(2025, 1, 1), planned_end=D(2027, 12, 31),
                       funding_source=reference["XBTC"])
        allocations.append(f"{symbol},2026,XBTC,1000")
        lines.append(f"{symbol},2026-03,EXPERTS,USD,300")
    from delivery.services import financial_import

    assert financial_import(kind="allocations", source=allocations_csv(*allocations)).ok
    assert financial_import(kind="expenditure", source=expenditure_csv(*lines)).ok


def _set_red(value):
    Rule.objects.filter(code=RuleCode.LOW_DELIVERY).update(amber_threshold=Decimal("1"), red_threshold=value)


def test_dashboard_at_risk_follows_the_low_delivery_rule(half_delivered):
    as_of = D(2026, 6, 30)
    _set_red(Decimal("0.60"))
    board = selectors.delivery_dashboard(year=2026, as_of=as_of)
    assert (board.at_risk, board.at_risk_threshold) == (0, Decimal("0.6"))
    _set_red(Decimal("0.61"))
    board = selectors.delivery_dashboard(year=2026, as_of=as_of)
    assert board.at_risk == 1 and board.at_risk_threshold == Decimal("0.61")
    assert [(p.symbol, p.status) for p in board.projects if p.at_risk] == [("R/03", ProjectStatus.ONGOING)]


def test_without_a_red_threshold_nobody_is_at_risk(half_delivered, client):
    """At risk is LOW_DELIVERY red: a rule without a red threshold (or no rule) puts no project at risk."""
    _set_red(Decimal("0.61"))
    assert selectors.delivery_dashboard(year=2026, as_of=D(2026, 6, 30)).at_risk == 1
    _set_red(None)
    board = selectors.delivery_dashboard(year=2026, as_of=D(2026, 6, 30))
    assert (board.at_risk, board.at_risk_threshold) == (0, None) and not any(p.at_risk for p in board.projects)
    from tests.factories import UserFactory

    client.force_login(UserFactory(role="MANAGER"))
    page = client.get("/delivery/", {"year": 2026, "as_of": "2026-06"}).content.decode()
    assert "the early-warning rule “Low delivery for the time of year” has no red threshold" in page
    Rule.objects.filter(code=RuleCode.LOW_DELIVERY).delete()
    assert figures.at_risk_threshold() is None
    assert selectors.delivery_dashboard(year=2026, as_of=D(2026, 6, 30)).at_risk == 0
    assert not figures.at_risk(status=ProjectStatus.ONGOING, spent=Decimal("0"), allocation=Decimal("1"),
                               elapsed=Decimal("1"), threshold=None)


def test_the_dashboard_tile_shows_the_rule_threshold(half_delivered, client):
    from tests.factories import UserFactory

    _set_red(Decimal("0.61"))
    client.force_login(UserFactory(role="MANAGER"))
    page = client.get("/delivery/", {"year": 2026, "as_of": "2026-06"}).content.decode()
    assert "delivery below 61.0% of active time elapsed" in page
    assert 'data-tile="at-risk">1<' in page
