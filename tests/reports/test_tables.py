"""Every table of the annual report against figures computed here from the known portfolio (conftest.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from delivery.selectors import delivery_by, delivery_dashboard, total_row
from partners.models import Country
from projects.models import Confirmation, Project, TripartiteInvolvement
from reports.selectors import COUNT, MONEY, SHEETS, Period, annual_report, data_checksum, midterm_report
from tests.reports.conftest import LINES, SYMBOLS, spent

pytestmark = pytest.mark.django_db

K = Decimal(1000)


def row(table, label):
    return next(r for r in table.rows if r[0] == label)


def pct(part, total):
    return Decimal(part) * 100 / Decimal(total)


def assert_totals_add_up(table):
    """Every money and count column of the total row is the sum of the rows."""
    for index, column in enumerate(table.columns):
        if column.kind in (MONEY, COUNT):
            assert table.total[index] == sum((r[index] for r in table.rows), Decimal(0)), (table.key, column.label)


@pytest.fixture
def report(portfolio):
    return annual_report(year=2001)


def test_every_table_is_there_with_its_sheet_name(report):
    assert [t.key for t in report.tables] == list(SHEETS)
    assert [t.sheet for t in report.tables][:3] == ["By source of funds", "By region", "By type of input"]
    for table in report.tables:
        assert table.total is not None and table.total[0] == "Total"
        assert all(len(r) == len(table.columns) for r in [*table.rows, table.total])
        assert_totals_add_up(table)


def test_expenditure_by_source_with_share_and_change(report):
    table = report.table("by_source")
    assert [r[0] for r in table.rows] == ["Regular budget", "Multi-bilateral"]  # reference order, not alphabetical
    xbtc_now, xbtc_before = spent(year=2001, source="XBTC"), spent(year=2000, source="XBTC")
    total_now, total_before = spent(year=2001), spent(year=2000)
    assert (xbtc_now, xbtc_before, total_now, total_before) == (7000, 5500, 13500, 7500)
    assert row(table, "Multi-bilateral") == ["Multi-bilateral", xbtc_before / K, pct(xbtc_before, total_before),
                                             xbtc_now / K, pct(xbtc_now, total_now),
                                             (xbtc_now - xbtc_before) * 100 / xbtc_before]
    assert table.total[1:] == [total_before / K, Decimal(100), total_now / K, Decimal(100),
                               (total_now - total_before) * 100 / total_before]
    assert sum(r[4] for r in table.rows) == Decimal(100)


def test_by_region_and_by_input_type(report):
    region = report.table("by_region")
    assert row(region, "Africa")[3] == spent(year=2001, region="AFRICA") / K == Decimal(7)
    assert row(region, "Americas")[1] == spent(year=2000, region="AMERICAS") / K == Decimal(2)
    inputs = report.table("by_input")
    assert row(inputs, "Experts")[3] == spent(year=2001, input_type="EXPERTS") / K == Decimal(11)
    assert row(inputs, "Training")[1] == spent(year=2000, input_type="TRAINING") / K == Decimal("2.5")


def test_same_figures_as_the_delivery_dashboard(report):
    for key, dimension in (("by_source", "funding_source"), ("by_region", "region"), ("by_input", "input_type")):
        expected = total_row(delivery_by(dimension=dimension, year=2001), dimension).expenditure_usd
        assert report.table(key).total[3] * K == expected
    dashboard = delivery_dashboard(year=2001)
    assert report.table("delivery_by_field").total[2] * K == dashboard.total.allocation_usd
    assert report.table("delivery_by_field").total[3] * K == dashboard.total.expenditure_usd


def test_field_of_activity_by_source(report):
    table = report.table("by_field")
    assert table.headers[:4] == ["Strategic objective", "InFocus programme", "Regular budget (US$ '000)",
                                 "Multi-bilateral (US$ '000)"]
    cells = {(r[0], r[1]): r for r in table.rows}
    assert cells[("1. Standards", "Declaration")][2:5] == [0, Decimal(6), Decimal(6)]
    skills = cells[("2. Employment", "Skills")]
    assert skills[2:5] == [Decimal(6), Decimal(1), Decimal(7)]
    assert skills[6] == spent(year=2000, field=("2", "SKILLS")) / K == Decimal("3.5")
    assert cells[("2. Employment", "(no programme)")][2:5] == [Decimal("0.5"), 0, Decimal("0.5")]
    assert table.total[2:5] == [spent(year=2001, source="RBTC") / K, spent(year=2001, source="XBTC") / K,
                                spent(year=2001) / K]


def test_least_developed_countries_split_evenly_with_status_of_the_year(report):
    table = report.table("ldc")
    africa, americas = row(table, "Africa"), row(table, "Americas")
    # 2001: P1 (Tanzania LDC + Kenya) half of 6,000; P2 Haiti 6,000; Cabo Verde graduated in 2001; P4 no country.
    assert africa[1:4] == [0, Decimal(3), Decimal(3)]
    assert americas[1:4] == [Decimal(6), 0, Decimal(6)]
    # 2000: half of P1's 4,000 and Cabo Verde (still an LDC) 1,500 in Africa; Haiti 2,000.
    assert africa[5] == Decimal("3.5") and americas[5] == Decimal(2)
    assert table.total[3] == Decimal(9) and table.total[5] == Decimal("5.5")


def test_experts_and_training(report):
    experts = report.table("experts")
    assert row(experts, "Africa")[1:] == [1, 1, 2, Decimal(50), Decimal(6), Decimal(3)]
    assert row(experts, "Americas")[1:4] == [0, 2, 2]
    assert experts.total[1:5] == [1, 3, 4, Decimal(25)]
    # The category follows the nationality: moving Kenya out of P1's countries makes its expert international.
    Project.objects.get(symbol=SYMBOLS["P1"]).countries.remove(Country.objects.get(iso3="KEN"))
    assert row(annual_report(year=2001).table("experts"), "Africa")[1:4] == [0, 2, 2]


def test_experts_by_nationality_and_region_of_the_project(report):
    table = report.table("experts_by_nationality")
    assert table.headers == ["Nationality", "Africa", "Americas", "All experts", "National experts", "National (%)",
                             "Work-months"]
    # 2001: a Kenyan national expert on P1 (Africa: Tanzania, Kenya), a Cabo Verdean on P1, two Kenyans on P2 (Haiti).
    assert row(table, "Kenya")[1:] == [1, 2, 3, 1, pct(1, 3), Decimal(12)]
    assert row(table, "Cabo Verde")[1:] == [1, 0, 1, 0, Decimal(0), Decimal(3)]
    assert table.total == ["Total", 2, 2, 4, 1, Decimal(25), Decimal(15)]
    assert [r[0] for r in table.rows] == ["Cabo Verde", "Kenya"]
    training = report.table("training")
    assert row(training, "Turin Centre")[1:6] == [1, 5, 7, 12, pct(5, 12)]
    other = row(training, "Other training")
    assert other[1:5] == [1, 10, 4, 14] and other[6:] == [6, pct(14 - 6, 6)]
    assert training.total[4] == 26


def test_delivery_rate_by_field(report):
    table = report.table("delivery_by_field")
    cells = {(r[0], r[1]): r for r in table.rows}
    assert cells[("1. Standards", "Declaration")][2:] == [Decimal(10), Decimal(6), Decimal(60)]
    assert cells[("2. Employment", "Skills")][2:] == [Decimal(12), Decimal(7), pct(7, 12)]
    assert table.total[2:] == [Decimal(24), Decimal("13.5"), pct(13500, 24000)]  # Σ/Σ, not a mean of rates


def test_approvals_tripartite_gender(report):
    approvals = report.table("approvals")
    assert row(approvals, "Donor One (D1)")[1:] == [Decimal(30), Decimal(100), Decimal(50), pct(50, 70),
                                                   pct(20, 30)]
    assert row(approvals, "Donor Two (D2)")[3] == Decimal(20)
    tripartite = report.table("tripartite")
    cells = {(r[0], r[1]): r for r in tripartite.rows}
    assert len(tripartite.rows) == 18
    # the last column: confirmed by the constituent (none in this portfolio; tests/projects/test_involvement.py)
    assert cells[("Formulation", "Government")][2:] == [1, 1, Decimal(100), 0, 3, 5, 0]  # P3 (autonomous) left out
    assert cells[("Implementation", "Workers")][2:5] == [1, 0, Decimal(0)]
    assert cells[("Approval", "Employers")][2:] == [0, 0, None, 1, 1, 2, 0]
    assert tripartite.total[2:] == [2, 1, Decimal(50), 1, 4, 7, 0]
    gender = report.table("gender")
    assert [r[1] for r in gender.rows] == [1, 2, 1]
    assert [r[3] for r in gender.rows] == [Decimal(1), Decimal("6.5"), Decimal(6)]
    assert gender.total[1:] == [4, Decimal(100), Decimal("13.5"), Decimal(100)]


def test_early_warnings_and_evaluations(report):
    warnings = report.table("early_warnings")
    low = row(warnings, "Low delivery for the time of year")
    assert low[1:5] == [2, 1, 2, 1]
    recruitment = warnings.headers.index("Reason: Recruitment delays")
    assert low[recruitment] == 2
    assert row(warnings, "No expenditure recorded")[1:5] == [1, 0, 0, 0]
    assert "Past its end date but not closed" not in [r[0] for r in warnings.rows]  # raised in 2000
    assert warnings.total[1] == 3
    evaluations = report.table("evaluations")
    independent = row(evaluations, "Independent")
    assert independent[1] == 1 and independent[2] == Decimal(5) and independent[4] == Decimal(4)
    assert independent[-4:] == [2, 1, 1, Decimal(100)]
    assert row(evaluations, "Self-evaluation")[1:3] == [1, Decimal(3)]
    assert evaluations.total[1] == 2 and evaluations.total[2] == Decimal(4)  # mean of 5 and 3
    assert evaluations.total[-4:] == [3, 2, 1, Decimal(50)]
    assert [lesson.title for lesson in report.lessons] == ["Involve ministries early"]


def test_as_of_counts_months_up_to_it_and_the_same_point_a_year_before(portfolio):
    report = annual_report(year=2001, as_of=dt.date(2001, 10, 31))
    table = report.table("by_source")
    months_2001 = {f"2001-{m:02d}" for m in range(1, 11)}
    assert table.total[3] == spent(months=months_2001) / K == Decimal("11.5")
    assert table.total[1] == spent(year=2000) / K
    assert row(report.table("training"), "Other training")[2] == 0  # the November workshop is after as_of
    assert report.table("early_warnings").total[1] == 2


def test_midterm_report_over_a_range_of_months(portfolio):
    report = midterm_report(start=dt.date(2000, 7, 1), end=dt.date(2001, 6, 30))
    assert report.period == Period(dt.date(2000, 7, 1), dt.date(2001, 6, 30))
    assert report.previous == Period(dt.date(1999, 7, 1), dt.date(2000, 6, 30))
    months = {p for _project, p, _kind, _amount in LINES if "2000-07" <= p <= "2001-06"}
    expected = spent(months=months)
    assert expected == Decimal(12500)
    assert report.table("by_source").total[3] == expected / K
    assert report.table("by_source").total[1] == spent(months={"2000-03", "2000-05", "2000-06"}) / K
    assert report.table("delivery_by_field").total[3] == expected / K
    assert "Mid-term" in report.title


def test_same_data_same_figures_and_checksum_changed_data_other_checksum(portfolio):
    first, second = annual_report(year=2001), annual_report(year=2001)
    assert [t.rows for t in first.tables] == [t.rows for t in second.tables]
    assert first.checksum == second.checksum and len(first.checksum) == 64
    assert data_checksum(period=Period.of_year(2001), as_of=dt.date(2001, 10, 31)) != first.checksum
    from delivery.models import Approval
    Approval.objects.filter(amount_usd=20000).update(amount_usd=25000)
    assert annual_report(year=2001).checksum != first.checksum


def test_period_arithmetic():
    year = Period.of_year(2001)
    assert year.months == 12 and year.label == "2001" and year.previous() == Period.of_year(2000)
    assert year.shift_as_of(dt.date(2001, 10, 31)) == dt.date(2000, 10, 31)
    span = Period.between(dt.date(2000, 1, 15), dt.date(2002, 6, 3))
    assert (span.start, span.end, span.months) == (dt.date(2000, 1, 1), dt.date(2002, 6, 30), 30)
    assert span.previous() == Period(dt.date(1997, 7, 1), dt.date(1999, 12, 31))
    with pytest.raises(ValueError):
        Period.between(dt.date(2002, 1, 1), dt.date(2001, 1, 1))


def test_the_tripartite_table_counts_the_involvement_its_constituent_confirmed(portfolio):
    """The last column (issue 18.3): of the involvement that happened, what the constituent group confirmed; a cell
    the Office recorded alone is not counted."""
    happened = TripartiteInvolvement.objects.filter(stage="FORMULATION", group="GOVERNMENT",
                                                    actual_date__isnull=False)
    assert happened.update(confirmation=Confirmation.CONFIRMED) >= 1
    tripartite = annual_report(year=2001).table("tripartite")
    assert tripartite.columns[-1].label == "Confirmed by the constituent"
    cells = {(r[0], r[1]): r for r in tripartite.rows}
    assert cells[("Formulation", "Government")][-1] == cells[("Formulation", "Government")][3] == 1
    assert cells[("Implementation", "Workers")][-1] == 0
    assert tripartite.total[-1] == 1
