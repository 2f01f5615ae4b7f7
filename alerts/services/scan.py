"""The scan: every rule's condition over the portfolio, set-based, turned into alerts raised once, escalated,
resolved and reopened (alerts/conditions.py says when each rule fires)."""

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.conditions import CONDITIONS, ScanContext
from alerts.models import (
    SEVERITY_RANK,
    Alert,
    AlertEvent,
    AlertState,
    EventKind,
    Rule,
    Severity,
)
from core import clock

logger = logging.getLogger(__name__)



@dataclass
class ScanResult:
    as_of: dt.date
    period: int
    rules: list[str] = field(default_factory=list)
    raised: int = 0
    escalated: int = 0
    reopened: int = 0
    resolved: int = 0
    details_updated: int = 0
    firing: int = 0
    # New red alerts and alerts that turned red: users who chose immediate mail hear of these at once.
    red_alert_ids: list[int] = field(default_factory=list)
    # Time each rule's condition took (the shared figures are counted in the first rule that reads them).
    rule_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return self.raised + self.escalated + self.reopened + self.resolved + self.details_updated

    def as_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "period": self.period, "rules": self.rules, "firing": self.firing,
                "raised": self.raised, "escalated": self.escalated, "reopened": self.reopened,
                "resolved": self.resolved, "details_updated": self.details_updated}


@transaction.atomic
def scan(*, as_of: dt.date, notify: bool = True) -> ScanResult:
    """Evaluate every enabled rule over the whole portfolio at `as_of` and bring the alerts of its period in line.

    - a rule that fires for a project with no alert in the period raises one (bulk);
    - an amber alert whose rule now fires red escalates in place (severity never goes down within a period);
    - an alert whose condition no longer holds resolves itself with a note (resolved_by stays empty);
    - an alert the scan resolved earlier in the period reopens when the condition comes back; one a person
      resolved stays resolved unless the rule now fires at a higher severity;
    - unresolved alerts of earlier periods resolve with the note that their period ended.
    A second scan with the same data changes nothing. The number of queries does not depend on the number of
    projects (up to the batching of bulk writes).
    """
    period = as_of.year
    # Locking the enabled rules serialises concurrent scans (PostgreSQL); SQLite serialises writers anyway.
    rules = list(Rule.objects.select_for_update().filter(enabled=True).order_by("code"))
    result = ScanResult(as_of=as_of, period=period, rules=[rule.code for rule in rules])
    context = ScanContext(as_of)
    findings_by_rule = {}
    for rule in rules:
        started = time.perf_counter()
        findings_by_rule[rule.pk] = CONDITIONS[rule.code](rule, context)
        result.rule_seconds[rule.code] = round(time.perf_counter() - started, 3)
    result.firing = sum(len(findings) for findings in findings_by_rule.values())

    # order_by(): the model's default ordering would join projects and rules and sort for nothing.
    existing = {(row[1], row[2]): _Known(row[0], *row[3:]) for row in Alert.objects.filter(
        period=period, rule__in=rules).order_by().values_list("pk", "rule_id", "project_id", "severity", "state",
                                                              "resolved_by_id", "detail")}

    new_alerts: list[_NewAlert] = []
    escalate: list[_Known] = []
    reopen: list[tuple[_Known, str]] = []
    resolve: list[_Known] = []
    detail_changes: list[_Known] = []
    for rule in rules:
        findings = findings_by_rule[rule.pk]
        for project_id, finding in findings.items():
            alert = existing.get((rule.pk, project_id))
            if alert is None:
                new_alerts.append(_NewAlert(project_id, rule.pk, period, finding.severity, as_of, finding.detail))
                continue
            worse = SEVERITY_RANK[finding.severity] > SEVERITY_RANK[alert.severity]
            if alert.state == AlertState.RESOLVED:
                if alert.resolved_by_id is None or worse:
                    reopen.append((alert, finding.severity))
                    alert.detail = finding.detail
                continue
            if worse:
                escalate.append(alert)
            if alert.detail != finding.detail:
                alert.detail = finding.detail
                detail_changes.append(alert)
        for (rule_id, project_id), alert in existing.items():
            if rule_id == rule.pk and project_id not in findings and alert.state != AlertState.RESOLVED:
                resolve.append(alert)

    events: list[_NewEvent] = []
    now = timezone.now()  # the rows' own timestamps (created_at, updated_at)
    at = clock.now()  # when the alerts changed, on the business clock: the digests' windows select events by it
    if new_alerts:
        _insert_alerts(new_alerts, now=now)
        events += [_event(alert, EventKind.RAISED, alert.severity, as_of, at) for alert in new_alerts]
        result.red_alert_ids += [alert.pk for alert in new_alerts if alert.severity == Severity.RED]
    result.raised = len(new_alerts)

    if escalate:
        Alert.objects.filter(pk__in=[alert.pk for alert in escalate]).update(
            severity=Severity.RED, escalated_on=as_of, updated_at=now)
        events += [_event(alert, EventKind.ESCALATED, Severity.RED, as_of, at) for alert in escalate]
        result.red_alert_ids += [alert.pk for alert in escalate]
    result.escalated = len(escalate)

    for severity in (Severity.AMBER, Severity.RED):
        batch = [alert for alert, new_severity in reopen if new_severity == severity]
        if not batch:
            continue
        changes = {"state": AlertState.OPEN, "severity": severity, "resolved_on": None, "resolution_note": "",
                   "resolved_by": None, "updated_at": now}
        if severity == Severity.RED:
            changes["escalated_on"] = as_of
            result.red_alert_ids += [alert.pk for alert in batch if alert.severity != Severity.RED]
        Alert.objects.filter(pk__in=[alert.pk for alert in batch]).update(**changes)
        events += [_event(alert, EventKind.REOPENED, severity, as_of, at) for alert in batch]
    result.reopened = len(reopen)

    if resolve:
        note = _("Resolved by the scan of %(date)s: the condition no longer holds.") % {"date": as_of.isoformat()}
        Alert.objects.filter(pk__in=[alert.pk for alert in resolve]).update(
            state=AlertState.RESOLVED, resolved_on=as_of, resolution_note=note, resolved_by=None, updated_at=now)
        events += [_event(alert, EventKind.RESOLVED, alert.severity, as_of, at, note) for alert in resolve]
    result.resolved = len(resolve)

    detail_changes += [alert for alert, _severity in reopen]
    _update_details(detail_changes)
    result.details_updated = len(detail_changes) - len(reopen)

    result.resolved += _close_earlier_periods(rules=rules, as_of=as_of, now=now, at=at, events=events)
    _insert_events(events)

    if notify and result.red_alert_ids:
        from core import outbox

        # Through the outbox: kept and sent later if the broker is down when the scan commits.
        outbox.enqueue("alerts.tasks.send_immediate_red", alert_ids=list(result.red_alert_ids))
    logger.info("early-warning scan %s", result.as_dict())
    return result


class _NewAlert:
    """An alert the scan raises, before it is written (tens of thousands at once: no model instance each)."""

    __slots__ = ("pk", "project_id", "rule_id", "period", "severity", "raised_on", "detail")

    def __init__(self, project_id, rule_id, period, severity, raised_on, detail):
        self.pk = None
        self.project_id, self.rule_id, self.period, self.severity, self.raised_on, self.detail = (
            project_id, rule_id, period, severity, raised_on, detail)

    def as_model(self) -> Alert:
        return Alert(project_id=self.project_id, rule_id=self.rule_id, period=self.period, severity=self.severity,
                     state=AlertState.OPEN, raised_on=self.raised_on, detail=self.detail)


class _NewEvent(NamedTuple):
    """An AlertEvent the scan writes, in EVENT_COPY_COLUMNS order."""

    alert_id: int
    kind: str
    severity: str
    user_id: int | None
    at: dt.datetime
    as_of: dt.date | None
    note: str

    def as_model(self) -> AlertEvent:
        return AlertEvent(**self._asdict())


class _Known:
    """What the scan needs of an alert already in the period (lighter than a model instance)."""

    __slots__ = ("pk", "severity", "state", "resolved_by_id", "detail")

    def __init__(self, pk, severity, state, resolved_by_id, detail):
        self.pk, self.severity, self.state, self.resolved_by_id, self.detail = (
            pk, severity, state, resolved_by_id, detail)


def _update_details(alerts) -> None:
    if not alerts:
        return
    if connection.vendor != "postgresql":
        Alert.objects.bulk_update([Alert(pk=alert.pk, detail=alert.detail) for alert in alerts], ["detail"],
                                  batch_size=500)
        return
    # One statement whatever the number of rows (bulk_update's CASE WHEN grows slow with thousands of rows).
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Alert._meta.db_table} AS a SET detail = v.detail "
                       "FROM unnest(%s::bigint[], %s::jsonb[]) AS v(id, detail) WHERE a.id = v.id",
                       [[alert.pk for alert in alerts], [json.dumps(alert.detail) for alert in alerts]])


# Writing tens of thousands of alerts with bulk_create costs seconds in Django's per-field preparation alone; on
# PostgreSQL the scan streams them with COPY instead (both paths are run by the test suite: SQLite and PostgreSQL).
ALERT_COPY_COLUMNS = ("project_id", "rule_id", "period", "severity", "state", "raised_on", "resolution_note",
                      "slippage_comment", "detail", "created_at", "updated_at")
EVENT_COPY_COLUMNS = ("alert_id", "kind", "severity", "user_id", "at", "as_of", "note")


def _copy_rows(table: str, columns: tuple[str, ...], rows) -> None:
    # Django's cursor wrapper passes copy() through to psycopg 3 (and counts it as a query when debugging).
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _insert_alerts(alerts: list[_NewAlert], *, now) -> None:
    if connection.vendor != "postgresql":
        models = [alert.as_model() for alert in alerts]
        Alert.objects.bulk_create(models, batch_size=2000)
        for alert, model in zip(alerts, models, strict=True):
            alert.pk = model.pk
        return
    _copy_rows(Alert._meta.db_table, ALERT_COPY_COLUMNS, (
        (a.project_id, a.rule_id, a.period, a.severity, AlertState.OPEN, a.raised_on, "", "", json.dumps(a.detail), now,
         now)
        for a in alerts))
    # COPY returns no ids: read them back (the creation time and the unique key identify this scan's rows).
    ids = {(rule_id, project_id): pk for pk, rule_id, project_id in Alert.objects.filter(
        period=alerts[0].period, created_at=now).order_by().values_list("pk", "rule_id", "project_id")}
    for alert in alerts:
        alert.pk = ids[(alert.rule_id, alert.project_id)]


def _insert_events(events: list[_NewEvent]) -> None:
    if not events:
        return
    if connection.vendor != "postgresql":
        AlertEvent.objects.bulk_create([event.as_model() for event in events], batch_size=5000)
        return
    _copy_rows(AlertEvent._meta.db_table, EVENT_COPY_COLUMNS, events)


def _close_earlier_periods(*, rules: list[Rule], as_of: dt.date, now, at, events: list[_NewEvent]) -> int:
    stale = list(Alert.objects.filter(period__lt=as_of.year, rule__in=rules).exclude(state=AlertState.RESOLVED)
                 .order_by().only("id", "severity"))
    if not stale:
        return 0
    note = _("Resolved by the scan of %(date)s: the period of this alert has ended.") % {"date": as_of.isoformat()}
    Alert.objects.filter(pk__in=[alert.pk for alert in stale]).update(
        state=AlertState.RESOLVED, resolved_on=as_of, resolution_note=note, resolved_by=None, updated_at=now)
    events += [_event(alert, EventKind.RESOLVED, alert.severity, as_of, at, note) for alert in stale]
    return len(stale)


def _event(alert, kind: str, severity: str, as_of, at, note: str = "") -> _NewEvent:
    return _NewEvent(alert.pk, kind, severity, None, at, as_of, note)
