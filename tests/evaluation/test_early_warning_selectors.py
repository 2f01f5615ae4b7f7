"""The portfolio-wide readers of the early-warning scan (indicators_behind, evaluation_gaps): which period and
baseline they judge, what satisfies a required evaluation, and the order of the detail text."""

import datetime as dt
from decimal import Decimal

import pytest

from evaluation import selectors
from evaluation.models import EvaluationStatus, EvaluationTiming, EvaluationType, Measure
from evaluation.selectors import AMBER, RED
from tests.evaluation.factories import BaselineFactory, EvaluationFactory, IndicatorFactory, PeriodFactory, allocate
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

MID_2001 = dt.date(2001, 7, 2)  # half of the 2001 period gone


def test_indicators_behind_judges_the_latest_reported_period_against_the_latest_valued_baseline():
    project = ProjectFactory()
    indicator = IndicatorFactory(result__project=project, title="Inspectors trained", ascending=True)
    BaselineFactory(indicator=indicator, year=1999, value=Decimal("0"))
    BaselineFactory(indicator=indicator, year=2001, value=None)  # no value: not a baseline to measure from
    BaselineFactory(indicator=indicator, year=2002, value=Decimal("90"))  # after the period starts
    # an earlier period far behind, a later one with no actual yet, one not started: none of them is judged
    PeriodFactory(indicator=indicator, start=dt.date(2000, 1, 1), end=dt.date(2000, 12, 31), target=Decimal("100"),
                  actual=Decimal("10"))
    PeriodFactory(indicator=indicator, start=dt.date(2001, 1, 1), end=dt.date(2001, 12, 31), target=Decimal("100"),
                  actual=Decimal("30"))
    PeriodFactory(indicator=indicator, start=dt.date(2001, 7, 1), end=dt.date(2001, 12, 31), target=Decimal("100"),
                  actual=None)
    PeriodFactory(indicator=indicator, start=dt.date(2001, 8, 1), end=dt.date(2002, 7, 31), target=Decimal("100"),
                  actual=Decimal("0"))
    # qualitative: never behind, whatever numbers it holds
    qualitative = IndicatorFactory(result__project=project, measure=Measure.QUALITATIVE)
    BaselineFactory(indicator=qualitative, year=2000, value=Decimal("0"))
    PeriodFactory(indicator=qualitative, start=dt.date(2001, 1, 1), end=dt.date(2001, 12, 31),
                  target=Decimal("100"), actual=Decimal("1"))

    assert selectors.indicators_behind(as_of=MID_2001) == [(project.pk, AMBER, (
        "1 indicator(s) behind schedule: “Inspectors trained” 30% of the way to its target with 50% of the "
        "period gone."))]


def test_indicators_behind_lists_a_projects_indicators_in_creation_order_and_needs_a_baseline():
    project = ProjectFactory()
    first = IndicatorFactory(result__project=project, title="First", ascending=False)
    second = IndicatorFactory(result__project=project, title="Second")
    without_baseline = IndicatorFactory(result__project=project, title="No baseline")
    BaselineFactory(indicator=first, year=2001, value=Decimal("40"))  # same year as the start: counts
    BaselineFactory(indicator=second, year=2000, value=Decimal("20"))
    for indicator, target, actual in ((second, "80", "26"), (first, "10", "31"), (without_baseline, "80", "0")):
        PeriodFactory(indicator=indicator, start=dt.date(2001, 1, 1), end=dt.date(2001, 12, 31),
                      target=Decimal(target), actual=Decimal(actual))
    [(project_id, severity, detail)] = selectors.indicators_behind(as_of=MID_2001)
    assert (project_id, severity) == (project.pk, RED)  # Second: 0.1 < 0.5 × 0.5
    assert detail == ("2 indicator(s) behind schedule: “First” 30% of the way to its target with 50% of the period "
                      "gone; “Second” 10% of the way to its target with 50% of the period gone.")


def test_evaluation_gaps_count_shared_evaluations_for_each_project_and_list_late_ones_by_date():
    as_of = dt.date(2001, 11, 1)
    covered_a, covered_b, cancelled_only = ProjectFactory(), ProjectFactory(), ProjectFactory()
    for project in (covered_a, covered_b, cancelled_only):
        allocate(project, "2000000")  # independent final evaluation required
    EvaluationFactory(projects=[covered_a, covered_b], type=EvaluationType.JOINT, timing=EvaluationTiming.FINAL)
    EvaluationFactory(projects=[covered_a, covered_b], type=EvaluationType.INDEPENDENT,
                      timing=EvaluationTiming.FINAL, status=EvaluationStatus.COMPLETED,
                      planned_date=dt.date(2001, 6, 1), actual_date=dt.date(2001, 6, 20))
    EvaluationFactory(projects=[cancelled_only], type=EvaluationType.INDEPENDENT, timing=EvaluationTiming.FINAL,
                      status=EvaluationStatus.CANCELLED)
    twice_late = ProjectFactory()
    allocate(twice_late, "500000")
    later = EvaluationFactory(projects=[twice_late], type=EvaluationType.SELF, planned_date=dt.date(2001, 9, 1))
    earlier = EvaluationFactory(projects=[twice_late], type=EvaluationType.SELF, status=EvaluationStatus.ONGOING,
                                planned_date=dt.date(2001, 3, 1))
    no_budget = ProjectFactory()  # nothing allocated: nothing required

    gaps = {project_id: (severity, detail) for project_id, severity, detail in selectors.evaluation_gaps(as_of=as_of)}
    assert set(gaps) == {covered_a.pk, covered_b.pk, cancelled_only.pk, twice_late.pk}
    assert no_budget.pk not in gaps
    # the joint evaluation is planned and late (planned 2001-10-01) but the completed one satisfies the requirement
    assert "not planned" not in gaps[covered_a.pk][1] and gaps[covered_a.pk][0] == AMBER
    assert gaps[covered_b.pk][1] == gaps[covered_a.pk][1]
    assert gaps[cancelled_only.pk][0] == RED  # final due 2001-09-30, passed
    assert gaps[cancelled_only.pk][1].startswith("required independent final evaluation not planned (due about ")
    assert gaps[twice_late.pk] == (RED, f"“{earlier.title}” planned for 2001-03-01 is 245 days late; "
                                        f"“{later.title}” planned for 2001-09-01 is 61 days late.")
