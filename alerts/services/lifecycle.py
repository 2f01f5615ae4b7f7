"""The alert lifecycle (acknowledge, explain, resolve: a person's changes, dated on the business clock like the
scan's, so that the digests' windows find them) and rule edits."""


from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from modeltranslation.utils import get_translation_fields

from alerts.models import (
    Alert,
    AlertEvent,
    AlertState,
    EventKind,
    Rule,
    SlippageReason,
)
from core import clock

# The only changes a person may make; the scan alone raises, escalates and reopens.
ALLOWED_TRANSITIONS = {
    "acknowledge": {AlertState.OPEN},
    "explain": {AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.EXPLAINED},
    "resolve": {AlertState.EXPLAINED},
}


def can_manage_alert(user, alert: Alert) -> bool:
    """alerts.manage_alerts, and the user may change the alert's project (administrators may change all)."""
    return user.has_perm("alerts.manage_alerts") and user.has_perm("projects.change_project", alert.project)


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
    now = clock.now()
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
    now = clock.now()
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
    now = clock.now()
    alert.state = AlertState.RESOLVED
    alert.resolved_on = now.date()
    alert.resolution_note = note.strip()
    alert.resolved_by = user
    alert.save(update_fields=["state", "resolved_on", "resolution_note", "resolved_by", "updated_at"])
    AlertEvent.objects.create(alert=alert, kind=EventKind.RESOLVED, severity=alert.severity, user=user, at=now,
                              note=alert.resolution_note)
    return alert


# ---------------------------------------------------------------- rule edits


@transaction.atomic
def rule_update(*, rule: Rule, user, **changes) -> Rule:
    if not user.has_perm("tcms.administer"):
        raise PermissionDenied(_("Only administrators change early-warning rules."))
    # name and description in the active language, or name_fr, description_es... (the admin edits all three)
    allowed = {"name", "description", "enabled", "amber_threshold", "red_threshold", "params",
               *get_translation_fields("name", "description")}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("Unknown rule fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    for name, value in changes.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    return rule
