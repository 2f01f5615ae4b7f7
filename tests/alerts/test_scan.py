"""The scan: raised once, escalation in place, self-resolution, reopening, periods, query count; the commands."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.models import Alert, AlertEvent, AlertState, EventKind, Rule
from alerts.services import alert_acknowledge, alert_explain, alert_resolve, scan
from projects.models import ProgressReport
from tests.alerts.factories import allocate, only_rules, project, spend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
D = dt.date


def snapshot():
    return sorted(Alert.objects.values_list("project_id", "rule__code", "period", "severity", "state", "raised_on",
                                            "escalated_on", "resolved_on", "detail", "updated_at"))


def test_scan_raises_once_and_a_second_scan_changes_nothing():
    only_rules("PAST_END", "NO_EXPENDITURE")
    late = project(planned_start=D(2024, 1, 1), planned_end=D(2026, 5, 1))
    spend(late, "2026-06", 10)
    first = scan(as_of=D(2026, 6, 30), notify=False)
    assert (first.raised, first.escalated, first.resolved) == (1, 0, 0)
    before, events = snapshot(), AlertEvent.objects.count()
    second = scan(as_of=D(2026, 6, 30), notify=False)
    assert second.changed == 0
    assert snapshot() == before
    assert AlertEvent.objects.count() == events
    alert = Alert.objects.get()
    assert (alert.rule.code, alert.period, alert.severity) == ("PAST_END", 2026, "AMBER")
    assert alert.raised_on == D(2026, 6, 30)
    assert alert.detail == {"planned_end": "2026-05-01", "days_past_end": 60}


def test_amber_escalates_to_red_in_place_and_never_goes_back_within_the_period():
    only_rules("PAST_END")
    p = project(planned_start=D(2024, 1, 1), planned_end=D(2026, 5, 1))
    scan(as_of=D(2026, 6, 1), notify=False)
    alert = Alert.objects.get()
    result = scan(as_of=D(2026, 8, 1), notify=False)  # 92 days late
    assert (result.raised, result.escalated) == (0, 1)
    assert result.red_alert_ids == [alert.pk]
    alert.refresh_from_db()
    assert (alert.severity, alert.escalated_on, alert.raised_on) == ("RED", D(2026, 8, 1), D(2026, 6, 1))
    assert Alert.objects.count() == 1
    assert list(alert.events.values_list("kind", flat=True)) == [EventKind.RAISED, EventKind.ESCALATED]
    assert p.pk == alert.project_id


def test_alert_resolves_itself_with_a_note_and_reopens_when_the_condition_returns():
    only_rules("REPORT_OVERDUE")
    p = project()
    report = ProgressReport.objects.create(project=p, period_end=D(2026, 3, 31), due_date=D(2026, 5, 1))
    scan(as_of=D(2026, 5, 10), notify=False)
    report.submitted_date = D(2026, 5, 20)
    report.save()
    result = scan(as_of=D(2026, 5, 25), notify=False)
    assert result.resolved == 1
    alert = Alert.objects.get()
    assert alert.state == AlertState.RESOLVED and alert.resolved_on == D(2026, 5, 25)
    assert "2026-05-25" in alert.resolution_note and alert.resolved_by is None
    assert scan(as_of=D(2026, 5, 25), notify=False).changed == 0
    ProgressReport.objects.create(project=p, period_end=D(2026, 6, 30), due_date=D(2026, 8, 1))
    result = scan(as_of=D(2026, 10, 5), notify=False)  # 65 days late: back, and red
    assert (result.raised, result.reopened) == (0, 1)
    alert.refresh_from_db()
    assert (alert.state, alert.severity, alert.resolved_on) == (AlertState.OPEN, "RED", None)


def test_alert_resolved_by_a_person_stays_resolved_unless_it_gets_worse():
    only_rules("PAST_END")
    admin = UserFactory(role="ADMIN")
    project(planned_start=D(2024, 1, 1), planned_end=D(2026, 5, 1))
    scan(as_of=D(2026, 6, 1), notify=False)
    alert = Alert.objects.get()
    alert_acknowledge(alert=alert, user=admin)
    alert_explain(alert=alert, user=admin, reason_code="COUNTERPART", comment="Waiting for the ministry.")
    alert_resolve(alert=alert, user=admin, note="Extension being processed.")
    assert scan(as_of=D(2026, 6, 15), notify=False).changed == 0
    result = scan(as_of=D(2026, 9, 1), notify=False)
    assert result.reopened == 1
    alert.refresh_from_db()
    assert (alert.state, alert.severity) == (AlertState.OPEN, "RED")


def test_new_period_raises_a_new_alert_and_closes_the_previous_periods_alert():
    """A project crossing years: one alert per year; the 2026 alert ends with its period."""
    only_rules("NO_EXPENDITURE")
    project(planned_start=D(2025, 1, 1), planned_end=D(2028, 12, 31))
    scan(as_of=D(2026, 12, 31), notify=False)
    result = scan(as_of=D(2027, 1, 31), notify=False)
    assert (result.raised, result.resolved) == (1, 1)
    old, new = Alert.objects.order_by("period")
    assert (old.period, old.state, old.resolved_on) == (2026, AlertState.RESOLVED, D(2027, 1, 31))
    assert (new.period, new.state) == (2027, AlertState.OPEN)


def test_disabled_rules_do_not_fire():
    only_rules("PAST_END")
    Rule.objects.filter(code="PAST_END").update(enabled=False)
    project(planned_start=D(2024, 1, 1), planned_end=D(2026, 5, 1))
    assert scan(as_of=D(2026, 6, 30), notify=False).raised == 0


def test_changed_thresholds_apply_at_the_next_scan():
    only_rules("PAST_END")
    project(planned_start=D(2024, 1, 1), planned_end=D(2026, 5, 1))
    Rule.objects.filter(code="PAST_END").update(amber_threshold=30, red_threshold=45)
    scan(as_of=D(2026, 6, 30), notify=False)
    assert Alert.objects.get().severity == "RED"


def _portfolio(n: int):
    for i in range(n):
        p = project(planned_start=D(2024, 1, 1), planned_end=D(2026, 5, 1) if i % 2 else D(2026, 9, 1))
        allocate(p, 2026, 1000)
        spend(p, "2026-01", 100 if i % 3 else 2000)
        ProgressReport.objects.create(project=p, period_end=D(2026, 3, 31), due_date=D(2026, 4, 30))


def _reads_and_updates(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if not query["sql"].startswith("INSERT")]


def test_scan_query_count_does_not_grow_with_projects(django_assert_max_num_queries):
    """All rules enabled; 3 projects, then 30 more: the second scan may not issue more queries than the first.

    SQLite caps a statement at 999 parameters, so there Django splits a bulk INSERT into batches of about 45
    alerts; on PostgreSQL one statement carries up to 2,000 alerts. So on SQLite the INSERTs are left out.
    """
    _portfolio(3)
    with CaptureQueriesContext(connection) as small:
        first = scan(as_of=D(2026, 6, 30), notify=False)
    assert first.raised >= 3 * 3
    Alert.objects.all().delete()
    _portfolio(30)
    limit = len(small.captured_queries) if connection.vendor != "sqlite" else 10_000
    with django_assert_max_num_queries(limit) as large:
        second = scan(as_of=D(2026, 6, 30), notify=False)
    assert second.raised >= 33 * 3
    assert len(_reads_and_updates(large)) == len(_reads_and_updates(small))


def test_scan_command_and_list_alerts_csv():
    only_rules("PAST_END", "REPORT_OVERDUE")
    a = project(symbol="RLA/12/01/USA", planned_start=D(2024, 1, 1), planned_end=D(2026, 3, 1))
    b = project(symbol="INT/98/M07/USA", planned_start=D(2024, 1, 1), planned_end=D(2026, 6, 1))
    ProgressReport.objects.create(project=b, period_end=D(2026, 3, 31), due_date=D(2026, 5, 1))
    out = io.StringIO()
    call_command("scan_early_warnings", "--as-of", "2026-06-30", stdout=out)
    assert json.loads(out.getvalue())["raised"] == 3
    admin = UserFactory(role="ADMIN")
    alert_acknowledge(alert=Alert.objects.get(project=a), user=admin)
    out = io.StringIO()
    call_command("list_alerts", "--format", "csv", stdout=out)
    assert out.getvalue() == (
        "project_symbol,rule,severity,state,raised_on\n"
        "INT/98/M07/USA,PAST_END,AMBER,OPEN,2026-06-30\n"
        "INT/98/M07/USA,REPORT_OVERDUE,AMBER,OPEN,2026-06-30\n"
        "RLA/12/01/USA,PAST_END,RED,ACKNOWLEDGED,2026-06-30\n")
    out = io.StringIO()
    call_command("list_alerts", "--as-of", "2026-06-30", "--state", "open", "--format", "csv", stdout=out)
    assert out.getvalue().splitlines()[1:] == ["INT/98/M07/USA,PAST_END,AMBER,OPEN,2026-06-30",
                                               "INT/98/M07/USA,REPORT_OVERDUE,AMBER,OPEN,2026-06-30"]
    out = io.StringIO()
    call_command("list_alerts", "--as-of", "2026-06-29", "--format", "csv", stdout=out)
    assert out.getvalue() == "project_symbol,rule,severity,state,raised_on\n"


def test_figures_follow_the_latest_scan_without_adding_history():
    only_rules("PAST_END")
    project(planned_start=D(2024, 1, 1), planned_end=D(2026, 5, 1))
    scan(as_of=D(2026, 6, 1), notify=False)
    result = scan(as_of=D(2026, 6, 2), notify=False)
    assert (result.details_updated, result.changed) == (1, 1)
    alert = Alert.objects.get()
    assert alert.detail == {"planned_end": "2026-05-01", "days_past_end": 32}
    assert alert.events.count() == 1
