import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from evaluation import selectors, services
from evaluation.models import Measure, TargetRevision
from evaluation.selectors import AMBER, RED, Track
from projects.models import ProjectStatus
from tests.evaluation.factories import BaselineFactory, IndicatorFactory, PeriodFactory, ResultFactory
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

YEAR_2001 = {"start": dt.date(2001, 1, 1), "end": dt.date(2001, 12, 31)}
MID_2001 = dt.date(2001, 7, 2)  # 182 of the 364 days from start to end: time share exactly 0.5


# ---------------------------------------------------------------- validations


def test_period_end_before_start_is_refused():
    indicator = IndicatorFactory()
    with pytest.raises(ValidationError) as exc:
        services.period_create(indicator=indicator, start=dt.date(2001, 6, 1), end=dt.date(2001, 1, 1))
    assert "before its start" in str(exc.value.message_dict["end"])


def test_qualitative_indicator_refuses_numeric_target():
    indicator = IndicatorFactory(measure=Measure.QUALITATIVE)
    with pytest.raises(ValidationError) as exc:
        services.period_create(indicator=indicator, target=Decimal("3"), **YEAR_2001)
    assert "qualitative" in exc.value.message_dict["target"][0]
    services.period_create(indicator=indicator, comment="National policy adopted", **YEAR_2001)


def test_percentage_outside_0_100_is_refused():
    indicator = IndicatorFactory(measure=Measure.PERCENTAGE)
    with pytest.raises(ValidationError) as exc:
        services.period_create(indicator=indicator, target=Decimal("120"), **YEAR_2001)
    assert "between 0 and 100" in exc.value.message_dict["target"][0]


def test_women_and_men_must_add_up_to_the_actual():
    indicator = IndicatorFactory(sex_disaggregated=True)
    with pytest.raises(ValidationError) as exc:
        services.period_create(indicator=indicator, target=Decimal("100"), actual=Decimal("50"),
                               actual_women=Decimal("20"), actual_men=Decimal("25"), **YEAR_2001)
    assert "add up to 45" in exc.value.message_dict["actual"][0]
    period = services.period_create(indicator=indicator, target=Decimal("100"), actual=Decimal("50"),
                                    actual_women=Decimal("20"), actual_men=Decimal("30"), **YEAR_2001)
    assert period.actual_women + period.actual_men == period.actual


def test_women_men_refused_when_indicator_not_disaggregated():
    indicator = IndicatorFactory(sex_disaggregated=False)
    with pytest.raises(ValidationError) as exc:
        services.period_create(indicator=indicator, actual=Decimal("5"), actual_women=Decimal("5"), **YEAR_2001)
    assert "not sex-disaggregated" in exc.value.message_dict["actual_women"][0]


def test_overlapping_periods_are_refused():
    indicator = IndicatorFactory()
    services.period_create(indicator=indicator, **YEAR_2001)
    with pytest.raises(ValidationError) as exc:
        services.period_create(indicator=indicator, start=dt.date(2001, 12, 1), end=dt.date(2002, 6, 30))
    assert "overlaps" in exc.value.message_dict["start"][0]


def test_target_on_the_wrong_side_of_the_baseline_is_refused():
    descending = IndicatorFactory(ascending=False)
    BaselineFactory(indicator=descending, year=2000, value=Decimal("40"))
    with pytest.raises(ValidationError) as exc:
        services.period_create(indicator=descending, target=Decimal("45"), **YEAR_2001)
    assert "descending" in exc.value.message_dict["target"][0]


def test_quantitative_baseline_needs_a_value():
    with pytest.raises(ValidationError) as exc:
        services.baseline_set(indicator=IndicatorFactory(), year=2000, value=None)
    assert "baseline value" in exc.value.message_dict["value"][0]


def test_indicator_made_qualitative_is_refused_while_periods_hold_numbers():
    period = PeriodFactory(target=Decimal("10"))
    with pytest.raises(ValidationError) as exc:
        services.indicator_update(indicator=period.indicator, measure=Measure.QUALITATIVE)
    assert "does not fit" in exc.value.message_dict["measure"][0]


def test_target_revision_keeps_the_earlier_target_and_reason():
    period = PeriodFactory(target=Decimal("50"))
    user = UserFactory(role=Role.OFFICER)
    with pytest.raises(ValidationError):
        services.target_revise(period=period, new_target=Decimal("60"), reason="  ")
    with pytest.raises(ValidationError):
        services.period_update(period=period, target=Decimal("60"))
    revision = services.target_revise(period=period, new_target=Decimal("60"), reason="Budget increased", user=user)
    period.refresh_from_db()
    assert period.target == Decimal("60")
    assert (revision.old_target, revision.new_target, revision.reason, revision.revised_by) == (
        Decimal("50"), Decimal("60"), "Budget increased", user)
    assert TargetRevision.objects.filter(period=period).count() == 1


# ---------------------------------------------------------------- progress


def test_progress_ascending_with_non_zero_baseline_uses_latest_baseline_before_start():
    indicator = IndicatorFactory(ascending=True)
    BaselineFactory(indicator=indicator, year=1999, value=Decimal("5"))
    BaselineFactory(indicator=indicator, year=2000, value=Decimal("20"))
    BaselineFactory(indicator=indicator, year=2002, value=Decimal("40"))  # after the period start: ignored
    period = PeriodFactory(indicator=indicator, target=Decimal("80"), actual=Decimal("50"), **YEAR_2001)
    baseline = selectors.latest_baseline(indicator.baselines.all(), period.start)
    assert baseline.year == 2000
    # (50 − 20) ÷ (80 − 20) = 30 ÷ 60
    assert selectors.indicator_progress(period, baseline) == Decimal("0.5")


def test_progress_descending_with_non_zero_baseline():
    indicator = IndicatorFactory(ascending=False, measure=Measure.PERCENTAGE)
    # child-labour rate: from 40% down to 10%; 31% reached → (40 − 31) ÷ (40 − 10) = 9 ÷ 30
    period = PeriodFactory(indicator=indicator, target=Decimal("10"), actual=Decimal("31"), **YEAR_2001)
    assert selectors.indicator_progress(period, Decimal("40")) == Decimal("0.3")
    # getting worse gives negative progress: (40 − 43) ÷ 30
    period.actual = Decimal("43")
    assert selectors.indicator_progress(period, Decimal("40")) == Decimal("-0.1")


def test_progress_none_when_target_equals_baseline_or_values_missing():
    period = PeriodFactory(target=Decimal("20"), actual=Decimal("25"))
    assert selectors.indicator_progress(period, Decimal("20")) is None
    assert selectors.indicator_progress(period, None) is None
    period.actual = None
    assert selectors.indicator_progress(period, Decimal("10")) is None


def test_on_and_off_track_against_time_share():
    assert selectors.time_share(YEAR_2001["start"], YEAR_2001["end"], MID_2001) == Decimal("0.5")
    assert selectors.time_share(YEAR_2001["start"], YEAR_2001["end"], dt.date(2000, 5, 1)) == 0
    assert selectors.time_share(YEAR_2001["start"], YEAR_2001["end"], dt.date(2003, 1, 1)) == 1
    # tolerance 0.8: at half-time, 0.4 is on track, 0.39 is not
    assert selectors.track_status(Decimal("0.4"), Decimal("0.5")) == Track.ON_TRACK
    assert selectors.track_status(Decimal("0.39"), Decimal("0.5")) == Track.OFF_TRACK
    assert selectors.track_status(Decimal("1.02"), Decimal("0.5")) == Track.ACHIEVED
    assert selectors.track_status(None, Decimal("0.5")) == Track.UNKNOWN


def _indicator(project, *, ascending, baseline, target, actual):
    indicator = IndicatorFactory(result=ResultFactory(project=project), ascending=ascending)
    BaselineFactory(indicator=indicator, year=2000, value=Decimal(baseline))
    PeriodFactory(indicator=indicator, target=Decimal(target), actual=Decimal(actual), **YEAR_2001)
    return indicator


def test_indicators_behind_severity_per_project():
    on_track = ProjectFactory()
    _indicator(on_track, ascending=True, baseline="20", target="80", actual="50")  # 0.5 ≥ 0.4
    amber = ProjectFactory()
    _indicator(amber, ascending=False, baseline="40", target="10", actual="31")  # 0.3: behind, ≥ 0.25
    red = ProjectFactory()
    _indicator(red, ascending=False, baseline="40", target="10", actual="38")  # 0.067 < 0.25
    _indicator(red, ascending=True, baseline="20", target="80", actual="50")
    closed = ProjectFactory(status=ProjectStatus.FINANCIALLY_CLOSED)
    _indicator(closed, ascending=True, baseline="0", target="100", actual="1")

    findings = {project_id: (severity, detail) for project_id, severity, detail in
                selectors.indicators_behind(as_of=MID_2001)}
    assert set(findings) == {amber.pk, red.pk}
    assert findings[amber.pk][0] == AMBER
    assert findings[red.pk][0] == RED
    assert "1 indicator(s) behind" in findings[red.pk][1] and "7% of the way to its target" in findings[red.pk][1]


def test_indicators_behind_uses_constant_queries(django_assert_max_num_queries):
    for _ in range(3):
        _indicator(ProjectFactory(), ascending=False, baseline="40", target="10", actual="38")
    with django_assert_max_num_queries(2):
        assert len(selectors.indicators_behind(as_of=MID_2001)) == 3


def test_project_results_rows():
    project = ProjectFactory()
    indicator = _indicator(project, ascending=True, baseline="20", target="80", actual="50")
    [(result, rows)] = selectors.project_results(project, as_of=MID_2001)
    assert result == indicator.result
    assert rows[0].current.progress == Decimal("0.5") and rows[0].track == Track.ON_TRACK
    assert rows[0].current.progress_percent == 50
    later = PeriodFactory(indicator=indicator, start=dt.date(2002, 1, 1), end=dt.date(2002, 12, 31),
                          target=Decimal("90"))
    [(_result, [row])] = selectors.project_results(project, as_of=dt.date(2002, 3, 1))
    assert [p.period for p in row.periods][-1] == later
    assert row.current.period != later  # the latest period with an actual is the headline
