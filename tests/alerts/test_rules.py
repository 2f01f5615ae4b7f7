"""Every rule at and around its thresholds, evaluated through its condition (alerts/conditions.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from alerts.conditions import CONDITIONS, ScanContext
from alerts.models import Rule
from delivery.selectors import year_elapsed
from evaluation.models import Evaluation, EvaluationStatus, EvaluationTiming, EvaluationType
from projects.models import InvolvementStage, ProgressReport, ProjectStatus, TripartiteInvolvement
from tests.alerts.factories import allocate, project, spend

pytestmark = pytest.mark.django_db
D = dt.date


def fire(code: str, as_of: dt.date) -> dict[int, str]:
    rule = Rule.objects.get(code=code)
    return {pid: finding.severity for pid, finding in CONDITIONS[code](rule, ScanContext(as_of)).items()}


# ----------------------------------------------------------------------------------------------- LOW_DELIVERY

def test_low_delivery_starts_on_1_april_not_31_march():
    p = project()
    allocate(p, 2026, 10000)
    assert fire("LOW_DELIVERY", D(2026, 3, 31)) == {}
    assert fire("LOW_DELIVERY", D(2026, 4, 1)) == {p.pk: "RED"}


@pytest.mark.parametrize(("spent", "expected"), [
    ("3719.25", None),      # 0.371925 = 0.75 × 0.4959 (30 June): not below
    ("3719.24", "AMBER"),
    ("2479.50", "AMBER"),   # 0.24795 = 0.5 × 0.4959: not below
    ("2479.49", "RED"),
])
def test_low_delivery_thresholds_at_month_end(spent, expected):
    assert year_elapsed(D(2026, 6, 30)) == Decimal("0.4959")
    p = project()
    allocate(p, 2026, 6000)
    allocate(p, 2026, 4000, source="RBTC")  # the year's allocations from all sources count
    spend(p, "2026-01", spent)
    spend(p, "2026-07", 5000)  # after the as-of month: does not count
    spend(p, "2025-12", 5000)  # the year before: does not count
    assert fire("LOW_DELIVERY", D(2026, 6, 30)).get(p.pk) == expected


def test_low_delivery_needs_an_ongoing_project_with_an_allocation_for_the_year():
    no_allocation = project()
    allocate(no_allocation, 2025, 1000)
    suspended = project(status=ProjectStatus.SUSPENDED)
    allocate(suspended, 2026, 1000)
    assert fire("LOW_DELIVERY", D(2026, 6, 30)) == {}


def test_low_delivery_leap_year_elapsed():
    assert year_elapsed(D(2024, 2, 29)) == Decimal("0.1639")  # 60 / 366
    assert year_elapsed(D(2024, 12, 31)) == Decimal("1")
    p = project(planned_start=D(2023, 1, 1))
    allocate(p, 2024, 1000)
    spend(p, "2024-12", "749.99")
    assert fire("LOW_DELIVERY", D(2024, 12, 31)) == {p.pk: "AMBER"}


def test_low_delivery_compares_with_the_share_of_the_project_active_time_elapsed():
    # At 30 June 2026, 0.4959 of the year is gone; each project has spent 30% of its year's allocation.
    all_year = project()
    started_april = project(planned_start=D(2026, 2, 1), actual_start=D(2026, 4, 1))  # 91 of 275 days: 0.3309
    ending_september = project(planned_end=D(2026, 9, 30))                             # 181 of 273 days: 0.6630
    ended = project(planned_end=D(2026, 3, 31))                                        # all of it gone: 1
    not_begun = project(planned_start=D(2026, 7, 1))                                   # none of it gone: 0
    for p in (all_year, started_april, ending_september, ended, not_begun):
        allocate(p, 2026, 1000)
        spend(p, "2026-02", 300)
    # 300 < 0.75 × 0.4959 × 1000 = 371.9 (amber), not < 247.9 (red); against 0.3309: not below 248.2 or 165.4.
    assert fire("LOW_DELIVERY", D(2026, 6, 30)) == {all_year.pk: "AMBER", ending_september.pk: "RED",
                                                    ended.pk: "RED"}
    finding = CONDITIONS["LOW_DELIVERY"](Rule.objects.get(code="LOW_DELIVERY"), ScanContext(D(2026, 6, 30)))
    assert finding[ending_september.pk].detail["elapsed"] == "0.6630"


def test_delivery_rules_never_fire_for_pipeline_cancelled_or_closed_projects():
    def pair(status):
        """One project overspent and late to spend, one that has spent nothing of a large allocation."""
        over, idle = (project(status=status, planned_start=D(2025, 1, 1), planned_end=D(2026, 9, 30))
                      for _ in range(2))
        allocate(over, 2026, 100)
        spend(over, "2026-01", 500)
        allocate(idle, 2026, 1000)
        return {over.pk, idle.pk}

    quiet = set().union(*(pair(status) for status in (
        ProjectStatus.PIPELINE, ProjectStatus.CANCELLED, ProjectStatus.FINANCIALLY_CLOSED)))
    ongoing = pair(ProjectStatus.ONGOING)
    for code in ("LOW_DELIVERY", "ENDING_UNSPENT", "NO_EXPENDITURE", "OVERSPENT"):
        fired = set(fire(code, D(2026, 6, 30)))
        assert fired & ongoing and not fired & quiet, code


def test_low_delivery_red_is_the_dashboard_at_risk():
    from delivery.selectors import delivery_dashboard

    as_of = D(2026, 6, 30)
    for index, spent in enumerate(("100", "247.90", "247.95", "300", "600")):
        p = project(planned_start=D(2025 + index % 2, 3, 1), planned_end=D(2026, 6 + index, 28))
        allocate(p, 2026, 1000)
        spend(p, "2026-02", spent)
    suspended = project(status=ProjectStatus.SUSPENDED)
    allocate(suspended, 2026, 1000)
    from delivery.services import rebuild_year_delivery

    rebuild_year_delivery()
    red = {pid for pid, severity in fire("LOW_DELIVERY", as_of).items() if severity == "RED"}
    board = delivery_dashboard(year=2026, as_of=as_of)
    assert {p.id for p in board.projects if p.at_risk} == red and board.at_risk == len(red) > 0


# --------------------------------------------------------------------------------------------- ENDING_UNSPENT

@pytest.mark.parametrize(("spent_2026", "expected"), [
    ("400", None),          # 700 / 1000 = 0.70: not below
    ("399.99", "AMBER"),
    ("200", "AMBER"),       # 0.50: not below red
    ("199.99", "RED"),
])
def test_ending_unspent_life_of_project_delivery_across_years(spent_2026, expected):
    p = project(planned_start=D(2025, 1, 1), planned_end=D(2026, 12, 30))  # 183 days after 30 June
    allocate(p, 2025, 500)
    allocate(p, 2026, 500)
    spend(p, "2025-06", 300)
    spend(p, "2026-03", spent_2026)
    spend(p, "2026-07", 1000)  # after the as-of month
    assert fire("ENDING_UNSPENT", D(2026, 6, 30)).get(p.pk) == expected


def test_ending_unspent_window_is_183_days():
    inside = project(planned_end=D(2026, 12, 30))
    outside = project(planned_end=D(2026, 12, 31))
    ended = project(planned_end=D(2026, 6, 29))  # already past: PAST_END's business
    for p in (inside, outside, ended):
        allocate(p, 2026, 1000)
    assert fire("ENDING_UNSPENT", D(2026, 6, 30)) == {inside.pk: "RED"}


# --------------------------------------------------------------------------------------------- NO_EXPENDITURE

@pytest.mark.parametrize(("last_period", "expected"), [
    ("2026-11", None),
    ("2026-09", None),      # within the last 3 periods (Sep, Oct, Nov)
    ("2026-08", "AMBER"),
    ("2026-06", "AMBER"),   # within the last 6 (Jun–Nov)
    ("2026-05", "RED"),
    (None, "RED"),
])
def test_no_expenditure_periods(last_period, expected):
    p = project(planned_start=D(2025, 1, 1))
    if last_period:
        spend(p, last_period, 100)
    assert fire("NO_EXPENDITURE", D(2026, 11, 30)).get(p.pk) == expected


def test_no_expenditure_zero_amount_is_no_expenditure_and_later_periods_do_not_count():
    p = project()
    spend(p, "2026-10", 0)
    spend(p, "2026-12", 100)
    assert fire("NO_EXPENDITURE", D(2026, 11, 30)) == {p.pk: "RED"}


def test_no_expenditure_window_crosses_the_year():
    recent, older = project(), project()
    spend(recent, "2026-12", 100)   # Dec, Jan, Feb
    spend(older, "2026-11", 100)
    assert fire("NO_EXPENDITURE", D(2027, 2, 28)) == {older.pk: "AMBER"}


def test_no_expenditure_project_started_at_least_90_days_before_leap_day():
    started_90_days_before = project(planned_start=D(2023, 12, 1))
    project(planned_start=D(2023, 12, 2))   # 89 days before
    actual_start_counts = project(planned_start=D(2023, 1, 1), actual_start=D(2024, 1, 15))
    assert fire("NO_EXPENDITURE", D(2024, 2, 29)) == {started_90_days_before.pk: "RED"}
    assert actual_start_counts.pk not in fire("NO_EXPENDITURE", D(2024, 2, 29))


# -------------------------------------------------------------------------------------------------- OVERSPENT

def test_overspent_for_the_year():
    p = project()
    allocate(p, 2026, 1000)
    allocate(p, 2027, 5000)
    spend(p, "2026-02", 1000)
    assert fire("OVERSPENT", D(2026, 6, 30)) == {}
    spend(p, "2026-03", "0.01")
    assert fire("OVERSPENT", D(2026, 6, 30)) == {p.pk: "RED"}


def test_overspent_to_date_against_all_allocations():
    p = project()
    allocate(p, 2025, 1000)
    allocate(p, 2026, 1000)
    spend(p, "2025-06", 1500)
    spend(p, "2026-02", 500)
    assert fire("OVERSPENT", D(2026, 6, 30)) == {}   # 2000 to date = 2000 allocated; 2026: 500 ≤ 1000
    spend(p, "2026-03", "0.01")
    assert fire("OVERSPENT", D(2026, 6, 30)) == {p.pk: "RED"}


def test_overspent_ignores_financially_closed_projects():
    p = project(status=ProjectStatus.FINANCIALLY_CLOSED)
    spend(p, "2026-01", 100)
    assert fire("OVERSPENT", D(2026, 6, 30)) == {}


# --------------------------------------------------------------------------------------------------- PAST_END

@pytest.mark.parametrize(("planned_end", "expected"), [
    (D(2026, 6, 30), None),
    (D(2026, 6, 29), "AMBER"),
    (D(2026, 4, 1), "AMBER"),   # 90 days before 30 June
    (D(2026, 3, 31), "RED"),    # 91 days
])
def test_past_end(planned_end, expected):
    p = project(planned_start=D(2024, 1, 1), planned_end=planned_end)
    assert fire("PAST_END", D(2026, 6, 30)).get(p.pk) == expected


def test_past_end_across_a_leap_day_for_every_project_not_yet_closed():
    dates = {"planned_start": D(2023, 1, 1), "planned_end": D(2023, 12, 1)}
    not_closed = [project(**dates, status=status) for status in (
        ProjectStatus.ONGOING, ProjectStatus.SUSPENDED, ProjectStatus.OPERATIONALLY_CLOSED)]
    for status in (ProjectStatus.PIPELINE, ProjectStatus.APPROVED, ProjectStatus.CANCELLED,
                   ProjectStatus.FINANCIALLY_CLOSED):
        project(**dates, status=status)
    assert fire("PAST_END", D(2024, 2, 29)) == {p.pk: "AMBER" for p in not_closed}  # 90 days, 29 February included
    assert fire("PAST_END", D(2024, 3, 1)) == {p.pk: "RED" for p in not_closed}


# --------------------------------------------------------------------------------------------- TRIPARTITE_GAP

def involve(p, stage, group="WORKERS", actual_date=None):
    return TripartiteInvolvement.objects.create(project=p, stage=stage, group=group, contemplated=True,
                                                contemplated_description="planned", actual_date=actual_date)


def test_tripartite_gap_after_grace_period_of_a_passed_stage():
    p = project(planned_start=D(2025, 1, 1), planned_end=D(2026, 12, 31))  # mid-life: 2025-12-31 (729 days / 2)
    involve(p, InvolvementStage.MONITORING)
    assert fire("TRIPARTITE_GAP", D(2026, 3, 31)) == {}          # 90 days after mid-life: not more
    assert fire("TRIPARTITE_GAP", D(2026, 4, 1)) == {p.pk: "AMBER"}


def test_tripartite_gap_red_at_three_cells_and_realised_cells_do_not_count():
    p = project(planned_start=D(2025, 1, 1), planned_end=D(2026, 12, 31))
    involve(p, InvolvementStage.FORMULATION, "GOVERNMENT")
    involve(p, InvolvementStage.APPROVAL, "EMPLOYERS")
    realised = involve(p, InvolvementStage.APPROVAL, "WORKERS", actual_date=D(2025, 2, 1))
    involve(p, InvolvementStage.EVALUATION, "WORKERS")  # not passed yet
    assert fire("TRIPARTITE_GAP", D(2026, 6, 30)) == {p.pk: "AMBER"}
    realised.actual_date = D(2026, 7, 15)  # realised after the as-of date: still a gap at that date
    realised.save()
    assert fire("TRIPARTITE_GAP", D(2026, 6, 30)) == {p.pk: "RED"}


def test_tripartite_gap_excludes_autonomous_projects():
    autonomous = project(is_autonomous=True, autonomy_reason="Workers' programme")
    ordinary = project()
    for p in (autonomous, ordinary):
        involve(p, InvolvementStage.FORMULATION)
    assert fire("TRIPARTITE_GAP", D(2026, 6, 30)) == {ordinary.pk: "AMBER"}


# --------------------------------------------------------------------------------------------- REPORT_OVERDUE

@pytest.mark.parametrize(("as_of", "expected"), [
    (D(2026, 5, 1), None),
    (D(2026, 5, 2), "AMBER"),
    (D(2026, 6, 30), "AMBER"),  # 60 days late
    (D(2026, 7, 1), "RED"),     # 61
])
def test_report_overdue(as_of, expected):
    p = project()
    ProgressReport.objects.create(project=p, period_end=D(2026, 3, 31), due_date=D(2026, 5, 1))
    assert fire("REPORT_OVERDUE", as_of).get(p.pk) == expected


def test_report_submitted_is_not_overdue_unless_submitted_after_the_as_of_date():
    p = project()
    ProgressReport.objects.create(project=p, period_end=D(2026, 3, 31), due_date=D(2026, 5, 1),
                                  submitted_date=D(2026, 5, 20))
    assert fire("REPORT_OVERDUE", D(2026, 6, 30)) == {}
    assert fire("REPORT_OVERDUE", D(2026, 5, 10)) == {p.pk: "AMBER"}


# ------------------------------------------------------------------------------ EVALUATION_OVERDUE / INDICATORS

def test_evaluation_overdue_follows_the_evaluation_register():
    p = project(planned_start=D(2025, 1, 1), planned_end=D(2027, 12, 31))
    evaluation = Evaluation.objects.create(title="Mid-term", type=EvaluationType.INDEPENDENT,
                                           timing=EvaluationTiming.MID_TERM, status=EvaluationStatus.PLANNED,
                                           planned_date=D(2026, 3, 31))
    evaluation.projects.add(p)
    assert fire("EVALUATION_OVERDUE", D(2026, 3, 31)).get(p.pk) is None
    assert fire("EVALUATION_OVERDUE", D(2026, 4, 1)).get(p.pk) == "AMBER"
    assert fire("EVALUATION_OVERDUE", D(2026, 7, 1)).get(p.pk) == "RED"   # more than 90 days late


def test_indicators_behind_follows_the_results_register():
    from evaluation.models import Baseline, Indicator, IndicatorPeriod, Result

    p = project()
    result = Result.objects.create(project=p, kind="OUTPUT", title="Trained")
    indicator = Indicator.objects.create(result=result, title="People trained", measure="UNIT", ascending=True)
    Baseline.objects.create(indicator=indicator, year=2025, value=Decimal("0"))
    IndicatorPeriod.objects.create(indicator=indicator, start=D(2026, 1, 1), end=D(2026, 12, 31),
                                   target=Decimal("100"), actual=Decimal("30"))
    assert fire("INDICATORS_BEHIND", D(2026, 2, 1)) == {}            # 30 % done, 8 % of the period gone
    assert fire("INDICATORS_BEHIND", D(2026, 6, 1)) == {p.pk: "AMBER"}   # 41 % of the period gone
    assert fire("INDICATORS_BEHIND", D(2026, 12, 31)) == {p.pk: "RED"}  # 30 % < half of 100 %
