"""Writes: the scan that raises, escalates and resolves alerts; the alert lifecycle; rule edits; digests.

Views, admin, commands and tasks call these functions; none re-implements them.
"""

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
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
    SlippageReason,
)
from tcms.text import xml_safe

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------------------- scan


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
    now = timezone.now()
    if new_alerts:
        _insert_alerts(new_alerts, now=now)
        events += [_event(alert, EventKind.RAISED, alert.severity, as_of, now) for alert in new_alerts]
        result.red_alert_ids += [alert.pk for alert in new_alerts if alert.severity == Severity.RED]
    result.raised = len(new_alerts)

    if escalate:
        Alert.objects.filter(pk__in=[alert.pk for alert in escalate]).update(
            severity=Severity.RED, escalated_on=as_of, updated_at=now)
        events += [_event(alert, EventKind.ESCALATED, Severity.RED, as_of, now) for alert in escalate]
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
        events += [_event(alert, EventKind.REOPENED, severity, as_of, now) for alert in batch]
    result.reopened = len(reopen)

    if resolve:
        note = _("Resolved by the scan of %(date)s: the condition no longer holds.") % {"date": as_of.isoformat()}
        Alert.objects.filter(pk__in=[alert.pk for alert in resolve]).update(
            state=AlertState.RESOLVED, resolved_on=as_of, resolution_note=note, resolved_by=None, updated_at=now)
        events += [_event(alert, EventKind.RESOLVED, alert.severity, as_of, now, note) for alert in resolve]
    result.resolved = len(resolve)

    detail_changes += [alert for alert, _severity in reopen]
    _update_details(detail_changes)
    result.details_updated = len(detail_changes) - len(reopen)

    result.resolved += _close_earlier_periods(rules=rules, as_of=as_of, now=now, events=events)
    _insert_events(events)

    if notify and result.red_alert_ids:
        from tcms import outbox

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


def _close_earlier_periods(*, rules: list[Rule], as_of: dt.date, now, events: list[_NewEvent]) -> int:
    stale = list(Alert.objects.filter(period__lt=as_of.year, rule__in=rules).exclude(state=AlertState.RESOLVED)
                 .order_by().only("id", "severity"))
    if not stale:
        return 0
    note = _("Resolved by the scan of %(date)s: the period of this alert has ended.") % {"date": as_of.isoformat()}
    Alert.objects.filter(pk__in=[alert.pk for alert in stale]).update(
        state=AlertState.RESOLVED, resolved_on=as_of, resolution_note=note, resolved_by=None, updated_at=now)
    events += [_event(alert, EventKind.RESOLVED, alert.severity, as_of, now, note) for alert in stale]
    return len(stale)


def _event(alert, kind: str, severity: str, as_of, at, note: str = "") -> _NewEvent:
    return _NewEvent(alert.pk, kind, severity, None, at, as_of, note)


# ---------------------------------------------------------------------------------------------- lifecycle

# The only changes a person may make; the scan alone raises, escalates and reopens.
ALLOWED_TRANSITIONS = {
    "acknowledge": {AlertState.OPEN},
    "explain": {AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.EXPLAINED},
    "resolve": {AlertState.EXPLAINED},
}


def can_manage_alert(user, alert: Alert) -> bool:
    """delivery.manage_alerts, and the user may change the alert's project (administrators may change all)."""
    return user.has_perm("delivery.manage_alerts") and user.has_perm("projects.change_project", alert.project)


def _check(user, alert: Alert, action: str) -> None:
    if not can_manage_alert(user, alert):
        raise PermissionDenied(_("You may not manage the alerts of project %(symbol)s.") % {
            "symbol": alert.project.symbol})
    if alert.state not in ALLOWED_TRANSITIONS[action]:
        raise ValidationError({"state": _("An alert that is “%(state)s” cannot be %(action)s.") % {
            "state": AlertState(alert.state).label, "action": _ACTION_PARTICIPLES[action]()}})


_ACTION_PARTICIPLES = {
    "acknowledge": lambda: _("acknowledged"),
    "explain": lambda: _("explained"),
    "resolve": lambda: _("resolved"),
}


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().select_related("project").get(pk=alert.pk)


@transaction.atomic
def alert_acknowledge(*, alert: Alert, user) -> Alert:
    alert = _locked(alert)
    _check(user, alert, "acknowledge")
    now = timezone.now()
    alert.state = AlertState.ACKNOWLEDGED
    alert.acknowledged_by = user
    alert.acknowledged_at = now
    alert.save(update_fields=["state", "acknowledged_by", "acknowledged_at", "updated_at"])
    AlertEvent.objects.create(alert=alert, kind=EventKind.ACKNOWLEDGED, severity=alert.severity, user=user, at=now)
    return alert


@transaction.atomic
def alert_explain(*, alert: Alert, user, reason_code: str, comment: str) -> Alert:
    alert = _locked(alert)
    _check(user, alert, "explain")
    errors = {}
    reason = SlippageReason.objects.filter(code=reason_code, is_active=True).first() if reason_code else None
    if reason is None:
        errors["reason"] = _("Choose a reason for slippage from the list.") if not reason_code else _(
            "“%(code)s” is not a reason for slippage.") % {"code": reason_code}
    if not (comment or "").strip():
        errors["comment"] = _("Explain what happened and what is being done.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if alert.acknowledged_at is None:  # explaining implies having seen it
        alert.acknowledged_by, alert.acknowledged_at = user, now
    alert.state = AlertState.EXPLAINED
    alert.slippage_reason = reason
    alert.slippage_comment = comment.strip()
    alert.explained_by = user
    alert.explained_at = now
    alert.save(update_fields=["state", "slippage_reason", "slippage_comment", "explained_by", "explained_at",
                              "acknowledged_by", "acknowledged_at", "updated_at"])
    AlertEvent.objects.create(alert=alert, kind=EventKind.EXPLAINED, severity=alert.severity, user=user, at=now,
                              note=f"{reason.code}: {alert.slippage_comment}")
    return alert


@transaction.atomic
def alert_resolve(*, alert: Alert, user, note: str) -> Alert:
    alert = _locked(alert)
    _check(user, alert, "resolve")
    if not (note or "").strip():
        raise ValidationError({"note": _("Say how the alert was resolved.")})
    now = timezone.now()
    alert.state = AlertState.RESOLVED
    alert.resolved_on = timezone.localdate(now)
    alert.resolution_note = note.strip()
    alert.resolved_by = user
    alert.save(update_fields=["state", "resolved_on", "resolution_note", "resolved_by", "updated_at"])
    AlertEvent.objects.create(alert=alert, kind=EventKind.RESOLVED, severity=alert.severity, user=user, at=now,
                              note=alert.resolution_note)
    return alert


# -------------------------------------------------------------------------------------------------- rules


@transaction.atomic
def rule_update(*, rule: Rule, user, **changes) -> Rule:
    if not user.has_perm("tcms.administer"):
        raise PermissionDenied(_("Only administrators change early-warning rules."))
    allowed = {"name", "description", "enabled", "amber_threshold", "red_threshold", "params"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("Unknown rule fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    for name, value in changes.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    return rule


# ------------------------------------------------------------------------------------------------ digests
#
# Exactly once, as far as SMTP allows. Each digest is a DigestSend row, unique per (recipient, frequency,
# period key), created before anything is sent (planning is idempotent: a second run finds the rows).
# Delivering claims the row with a conditional UPDATE (PENDING/FAILED → SENDING, attempts + 1), committed
# before talking to SMTP; only the worker whose UPDATE matched sends, then marks it SENT. A task that runs
# twice, or is redelivered after its worker died (acks_late), finds the row SENDING or SENT and sends nothing.
# The remaining window — the relay accepted the message and the worker died before marking SENT — leaves the
# row SENDING. We never resend such a row automatically: "never twice" wins over "at least once". The mail
# page lists it as uncertain and an administrator may release it for another attempt; the message keeps the
# same Message-ID (one per DigestSend), so a mail system that deduplicates on it drops the copy.

DIGEST_HOUR_UTC = 6
DIGEST_MAX_ATTEMPTS = 8
STALE_SENDING_AFTER = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class DigestWindow:
    frequency: str
    key: str
    start: dt.datetime
    end: dt.datetime


def digest_window(*, frequency: str, now: dt.datetime) -> DigestWindow:
    """The latest completed window of a frequency at `now`: daily 06:00→06:00 UTC, weekly Monday 06:00→Monday."""
    from alerts.models import DigestFrequencyKind

    now = now.astimezone(dt.UTC)
    end = now.replace(hour=DIGEST_HOUR_UTC, minute=0, second=0, microsecond=0)
    if end > now:
        end -= dt.timedelta(days=1)
    if frequency == DigestFrequencyKind.DAILY:
        start = end - dt.timedelta(days=1)
        return DigestWindow(frequency, start.date().isoformat(), start, end)
    if frequency == DigestFrequencyKind.WEEKLY:
        end -= dt.timedelta(days=end.weekday())
        start = end - dt.timedelta(days=7)
        year, week, _day = start.isocalendar()
        return DigestWindow(frequency, f"{year}-W{week:02d}", start, end)
    raise ValueError(f"no window for frequency {frequency!r}")


def digest_window_for_key(*, frequency: str, key: str) -> DigestWindow | None:
    from alerts.models import DigestFrequencyKind

    try:
        if frequency == DigestFrequencyKind.DAILY:
            start = dt.datetime.combine(dt.date.fromisoformat(key), dt.time(DIGEST_HOUR_UTC), tzinfo=dt.UTC)
            return DigestWindow(frequency, key, start, start + dt.timedelta(days=1))
        if frequency == DigestFrequencyKind.WEEKLY:
            year, week = key.split("-W")
            monday = dt.date.fromisocalendar(int(year), int(week), 1)
            start = dt.datetime.combine(monday, dt.time(DIGEST_HOUR_UTC), tzinfo=dt.UTC)
            return DigestWindow(frequency, key, start, start + dt.timedelta(days=7))
    except ValueError:
        return None
    return None


def digest_recipients(*, alert_ids) -> dict[int, set[int]]:
    """user id → ids of the alerts they hear about: the project's responsible official, the focal points of the
    backstopping unit and the managers of the responsible unit (memberships with receives_digest)."""
    from partners.models import UnitMembership

    rows = list(Alert.objects.filter(pk__in=alert_ids).values_list(
        "pk", "project__responsible_official_id", "project__responsible_unit_id", "project__backstopping_unit_id"))
    responsible_units = {row[2] for row in rows}
    backstopping_units = {row[3] for row in rows if row[3] is not None}
    focal_points: dict[int, set[int]] = {}
    managers: dict[int, set[int]] = {}
    memberships = UnitMembership.objects.filter(receives_digest=True).filter(
        Q(unit_id__in=backstopping_units, is_focal_point=True) | Q(unit_id__in=responsible_units, is_manager=True))
    for user_id, unit_id, is_focal_point, is_manager in memberships.values_list(
            "user_id", "unit_id", "is_focal_point", "is_manager"):
        if is_focal_point and unit_id in backstopping_units:
            focal_points.setdefault(unit_id, set()).add(user_id)
        if is_manager and unit_id in responsible_units:
            managers.setdefault(unit_id, set()).add(user_id)
    recipients: dict[int, set[int]] = {}
    for alert_id, official_id, responsible_unit_id, backstopping_unit_id in rows:
        users = set(managers.get(responsible_unit_id, ()))
        if backstopping_unit_id is not None:
            users |= focal_points.get(backstopping_unit_id, set())
        if official_id is not None:
            users.add(official_id)
        for user_id in users:
            recipients.setdefault(user_id, set()).add(alert_id)
    return recipients


def _eligible_users(user_ids, frequencies) -> dict[int, object]:
    from accounts.models import User

    return {user.pk: user for user in User.objects.filter(pk__in=user_ids, is_active=True,
                                                          digest_frequency__in=frequencies).exclude(email="")}


def _create_digests(*, frequency: str, keyed: dict[int, tuple[str, set[int]]]) -> list[int]:
    """Create the DigestSend rows (idempotent: existing rows are kept as they are) and return all their ids."""
    from alerts.models import DigestSend

    if not keyed:
        return []
    DigestSend.objects.bulk_create(
        [DigestSend(recipient_id=user_id, frequency=frequency, period_key=key) for user_id, (key, _ids) in
         keyed.items()], ignore_conflicts=True)
    rows = DigestSend.objects.filter(frequency=frequency, recipient_id__in=list(keyed),
                                     period_key__in={key for key, _ids in keyed.values()})
    digests = {(row.recipient_id, row.period_key): row for row in rows.only("id", "recipient_id", "period_key")}
    through = DigestSend.alerts.through
    links = []
    for user_id, (key, alert_ids) in keyed.items():
        digest = digests[(user_id, key)]
        links += [through(digestsend_id=digest.pk, alert_id=alert_id) for alert_id in alert_ids]
    through.objects.bulk_create(links, ignore_conflicts=True)
    return sorted(digest.pk for digest in digests.values())


@transaction.atomic
def digests_plan(*, frequency: str, now: dt.datetime) -> DigestWindow:
    """Record one digest per recipient for the latest completed window of `frequency` that has new or changed
    alerts for them (an alert changed when it has an event in the window). Running it again adds nothing."""
    from accounts.models import DigestFrequency

    window = digest_window(frequency=frequency, now=now)
    alert_ids = set(AlertEvent.objects.filter(at__gte=window.start, at__lt=window.end)
                    .values_list("alert_id", flat=True).distinct())
    if not alert_ids:
        return window
    recipients = digest_recipients(alert_ids=alert_ids)
    frequencies = ([DigestFrequency.DAILY, DigestFrequency.IMMEDIATE_RED] if frequency == DigestFrequency.DAILY
                   else [DigestFrequency.WEEKLY])
    users = _eligible_users(recipients, frequencies)
    _create_digests(frequency=frequency, keyed={user_id: (window.key, recipients[user_id]) for user_id in users})
    return window


@transaction.atomic
def immediate_red_plan(*, alert_ids) -> list[int]:
    """One mail per recipient who chose immediate mail, announcing the red alerts they hear about."""
    import hashlib

    from accounts.models import DigestFrequency
    from alerts.models import DigestFrequencyKind

    red = dict(Alert.objects.filter(pk__in=alert_ids, severity=Severity.RED).exclude(state=AlertState.RESOLVED)
               .values_list("pk", "updated_at"))
    if not red:
        return []
    recipients = digest_recipients(alert_ids=list(red))
    users = _eligible_users(recipients, [DigestFrequency.IMMEDIATE_RED])
    keyed = {}
    for user_id in users:
        ids = sorted(recipients[user_id])
        # The same red alerts at the same moment always give the same key: a repeated task sends nothing more.
        fingerprint = "|".join(f"{pk}:{red[pk].isoformat()}" for pk in ids)
        keyed[user_id] = ("red-" + hashlib.sha256(fingerprint.encode()).hexdigest()[:24], set(ids))
    return _create_digests(frequency=DigestFrequencyKind.IMMEDIATE, keyed=keyed)


def digests_due() -> list[int]:
    """Digests not sent yet that may be (re)tried: pending, or failed with attempts left."""
    from alerts.models import DigestSend, DigestStatus

    return list(DigestSend.objects.filter(
        Q(status=DigestStatus.PENDING) | Q(status=DigestStatus.FAILED, attempts__lt=DIGEST_MAX_ATTEMPTS))
        .order_by("pk").values_list("pk", flat=True))


class DigestDeliveryError(Exception):
    """The mail server refused or could not be reached; the task retries with backoff."""


def digest_deliver(*, digest_id: int) -> str:
    """Send one digest if (and only if) this call claims it. Returns the resulting status, or "skipped"."""
    from django.db.models import F

    from alerts.models import DigestSend, DigestStatus

    now = timezone.now()
    claimed = DigestSend.objects.filter(pk=digest_id, status__in=[DigestStatus.PENDING, DigestStatus.FAILED]).update(
        status=DigestStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if not claimed:
        return "skipped"
    digest = DigestSend.objects.select_related("recipient").get(pk=digest_id)
    try:
        message = build_digest_message(digest)
        DigestSend.objects.filter(pk=digest.pk).update(
            subject=message.subject[:255], body_text=message.body, message_id=message.extra_headers["Message-ID"],
            to_address=digest.recipient.email, language=message.extra_headers["Content-Language"])
        message.send(fail_silently=False)
    except Exception as exc:
        DigestSend.objects.filter(pk=digest.pk, status=DigestStatus.SENDING).update(
            status=DigestStatus.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:2000])
        logger.warning("digest %s to %s failed (attempt %s): %s", digest.pk, digest.recipient.email,
                       digest.attempts, exc)
        raise DigestDeliveryError(str(exc)) from exc
    DigestSend.objects.filter(pk=digest.pk, status=DigestStatus.SENDING).update(
        status=DigestStatus.SENT, sent_at=timezone.now(), last_error="")
    return DigestStatus.SENT


def build_digest_message(digest):
    """The e-mail of a digest, in the recipient's language, HTML and plain text, with absolute links."""
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from alerts.models import DigestFrequencyKind

    user = digest.recipient
    language = user.language or "en"
    alerts = list(digest.alerts.select_related("project", "rule").order_by("-severity", "project__symbol",
                                                                            "rule__code"))
    window = digest_window_for_key(frequency=digest.frequency, key=digest.period_key)
    base = settings.TCMS_BASE_URL
    with translation.override(language):
        rows = [{"alert": alert,
                 "is_new": digest.frequency == DigestFrequencyKind.IMMEDIATE
                 or (window is not None and window.start <= alert.created_at < window.end),
                 "url": base + reverse("alerts:detail", args=[alert.pk])} for alert in alerts]
        context = {"user": user, "digest": digest, "window": window, "language": language,
                   "new": [row for row in rows if row["is_new"]], "changed": [row for row in rows if not row["is_new"]],
                   "list_url": base + reverse("alerts:list"), "base_url": base}
        # Without the characters of tcms.text (titles stored before TCMS refused them): mail clients and the
        # stored copy of the message get text any XML or database can hold.
        subject = xml_safe(" ".join(render_to_string("alerts/email/digest_subject.txt", context).split()))
        text = xml_safe(render_to_string("alerts/email/digest.txt", context))
        html = xml_safe(render_to_string("alerts/email/digest.html", context))
    domain = urlsplit(base).hostname or "tcms.localhost"
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[user.email],
        headers={"Message-ID": f"<tcms-digest-{digest.pk}@{domain}>", "Content-Language": language,
                 "Auto-Submitted": "auto-generated"})
    message.attach_alternative(html, "text/html")
    return message


@transaction.atomic
def digest_release(*, digest, user) -> None:
    """Let a digest stuck in SENDING (its worker died) be tried again: an administrator's decision."""
    from alerts.models import DigestSend, DigestStatus

    if not user.has_perm("tcms.administer"):
        raise PermissionDenied(_("Only administrators release digests."))
    updated = DigestSend.objects.filter(pk=digest.pk, status=DigestStatus.SENDING).update(
        status=DigestStatus.FAILED, last_error=_("Released by %(user)s for another attempt.") % {"user": user})
    if not updated:
        raise ValidationError(_("Only a digest that is being sent can be released."))
