"""Early warning (the Conference conclusions, para 46: delivery control and early warning).

An **alert** is one rule firing for one project in one *period*. The period is the calendar year of the
as-of date of the scan (`Alert.period`, e.g. 2026): a condition that persists all year is one alert that may
escalate amber → red in place and resolves itself when the condition clears. The unique constraint
(project, rule, period) makes "raised once" hold in the database, whoever runs the scan and how often.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delivery.figures import MAX_THRESHOLD


class RuleCode(models.TextChoices):
    LOW_DELIVERY = "LOW_DELIVERY", _("Low delivery for the time of year")
    ENDING_UNSPENT = "ENDING_UNSPENT", _("Ending soon with unspent funds")
    NO_EXPENDITURE = "NO_EXPENDITURE", _("No expenditure recorded")
    OVERSPENT = "OVERSPENT", _("Expenditure above allocation")
    PAST_END = "PAST_END", _("Past its end date but not closed")
    EVALUATION_OVERDUE = "EVALUATION_OVERDUE", _("Evaluation overdue or not planned")
    INDICATORS_BEHIND = "INDICATORS_BEHIND", _("Indicators behind schedule")
    TRIPARTITE_GAP = "TRIPARTITE_GAP", _("Contemplated tripartite involvement not realised")
    REPORT_OVERDUE = "REPORT_OVERDUE", _("Progress report overdue")
    TRIPARTITE_DISPUTED = "TRIPARTITE_DISPUTED", _("Tripartite involvement disputed by a constituent")
    AUTONOMY_NOT_AGREED = "AUTONOMY_NOT_AGREED", _("Autonomous programme without the government's agreement")


# Whether a smaller figure is worse (delivery ratios) or a larger one (days late, periods without spending):
# red must lie beyond amber in the worsening direction.
LOWER_IS_WORSE = frozenset({RuleCode.LOW_DELIVERY, RuleCode.ENDING_UNSPENT})


class Rule(models.Model):
    """An early-warning rule with its thresholds; administrators edit them (admin or alerts:rules)."""

    code = models.CharField(_("code"), max_length=32, unique=True, choices=RuleCode.choices)
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(
        _("description"), help_text=_("The rule and its thresholds in words. {amber}, {red} and the names of the "
                                      "parameters are replaced by their current values when shown."))
    enabled = models.BooleanField(_("enabled"), default=True)
    amber_threshold = models.DecimalField(_("amber threshold"), max_digits=10, decimal_places=4, null=True, blank=True)
    red_threshold = models.DecimalField(_("red threshold"), max_digits=10, decimal_places=4, null=True, blank=True)
    params = models.JSONField(_("other parameters"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("early-warning rule")
        verbose_name_plural = _("early-warning rules")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The rule as people read it: its name in the page's language (a reference name per language,
        alerts/translation.py); the code is for files, the API and administrators."""
        return self.name

    def clean(self):
        errors = {}
        if self.amber_threshold is not None and self.amber_threshold < 0:
            errors["amber_threshold"] = _("A threshold cannot be negative.")
        if self.red_threshold is not None and self.red_threshold < 0:
            errors["red_threshold"] = _("A threshold cannot be negative.")
        if self.code in LOWER_IS_WORSE:  # a share of the allocation (× time elapsed): bounded for the SQL figures
            for name in ("amber_threshold", "red_threshold"):
                value = getattr(self, name)
                if value is not None and value > MAX_THRESHOLD and name not in errors:
                    errors[name] = _("A delivery threshold cannot be above %(max)s.") % {"max": MAX_THRESHOLD}
        if not errors and self.amber_threshold is not None and self.red_threshold is not None:
            if self.code in LOWER_IS_WORSE and self.red_threshold > self.amber_threshold:
                errors["red_threshold"] = _("For this rule a lower figure is worse: red (%(red)s) must not be above "
                                            "amber (%(amber)s).") % {"red": self.red_threshold,
                                                                     "amber": self.amber_threshold}
            elif self.code not in LOWER_IS_WORSE and self.red_threshold < self.amber_threshold:
                errors["red_threshold"] = _("For this rule a higher figure is worse: red (%(red)s) must not be below "
                                            "amber (%(amber)s).") % {"red": self.red_threshold,
                                                                     "amber": self.amber_threshold}
        if not isinstance(self.params, dict):
            errors["params"] = _("The other parameters must be a JSON object, e.g. {\"window_days\": 183}.")
        else:
            for key, value in self.params.items():
                if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    errors["params"] = _("Parameter “%(key)s” must be a number of zero or more.") % {"key": key}
                    break
        if errors:
            raise ValidationError(errors)

    def param(self, key: str, default):
        return self.params.get(key, default) if isinstance(self.params, dict) else default

    @property
    def amber(self) -> Decimal | None:
        return self.amber_threshold

    @property
    def red(self) -> Decimal | None:
        return self.red_threshold

    def description_text(self) -> str:
        """The description with the current threshold values filled in."""
        values = {"amber": _format_number(self.amber_threshold), "red": _format_number(self.red_threshold)}
        if isinstance(self.params, dict):
            values.update({key: _format_number(value) for key, value in self.params.items()})
        try:
            return self.description.format_map(_KeepMissing(values))
        except (ValueError, IndexError):  # a stray brace typed by an administrator: show the text as written
            return self.description


class _KeepMissing(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def _format_number(value) -> str:
    if value is None:
        return "—"
    return format(Decimal(str(value)).normalize(), "f")


class SlippageReason(models.Model):
    """Why delivery slipped (para 46: "identify the reasons for slippage"); analysed over the portfolio."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    label = models.CharField(_("label"), max_length=255)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("slippage reason")
        verbose_name_plural = _("slippage reasons")

    def __str__(self):
        return self.label


class Severity(models.TextChoices):
    AMBER = "AMBER", _("Amber")
    RED = "RED", _("Red")


SEVERITY_RANK = {Severity.AMBER: 1, Severity.RED: 2}


class AlertState(models.TextChoices):
    OPEN = "OPEN", _("Open")
    ACKNOWLEDGED = "ACKNOWLEDGED", _("Acknowledged")
    EXPLAINED = "EXPLAINED", _("Explained")
    RESOLVED = "RESOLVED", _("Resolved")


class Alert(models.Model):
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="alerts",
                                verbose_name=_("project"))
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("rule"))
    period = models.PositiveSmallIntegerField(_("period (year)"),
                                              help_text=_("The calendar year of the as-of date the alert belongs to."))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    state = models.CharField(_("state"), max_length=16, choices=AlertState.choices, default=AlertState.OPEN)
    raised_on = models.DateField(_("raised on"))
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("resolved by"),
                                    help_text=_("Empty when the scan resolved it because the condition cleared."))
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+", verbose_name=_("acknowledged by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    explained_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("explained by"))
    explained_at = models.DateTimeField(_("explained at"), null=True, blank=True)
    slippage_reason = models.ForeignKey(SlippageReason, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="alerts", verbose_name=_("reason for slippage"))
    slippage_comment = models.TextField(_("explanation"), blank=True)
    detail = models.JSONField(_("figures"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-raised_on", "project__symbol", "rule__code"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(fields=["project", "rule", "period"], name="alert_raised_once_per_period"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="alert_severity_valid"),
            models.CheckConstraint(condition=Q(state__in=AlertState.values), name="alert_state_valid"),
            models.CheckConstraint(condition=Q(state=AlertState.RESOLVED, resolved_on__isnull=False)
                                   | (~Q(state=AlertState.RESOLVED) & Q(resolved_on__isnull=True)),
                                   name="alert_resolved_has_date"),
            models.CheckConstraint(condition=~Q(state=AlertState.EXPLAINED) | Q(slippage_reason__isnull=False),
                                   name="alert_explained_has_reason"),
        ]
        indexes = [models.Index(fields=["period", "state"]), models.Index(fields=["state", "severity"])]

    def __str__(self):
        return f"{self.project.symbol} {self.rule.code} {self.period} ({self.severity})"

    @property
    def is_resolved(self) -> bool:
        return self.state == AlertState.RESOLVED


class EventKind(models.TextChoices):
    RAISED = "RAISED", _("Raised")
    ESCALATED = "ESCALATED", _("Escalated to red")
    REOPENED = "REOPENED", _("Reopened")
    ACKNOWLEDGED = "ACKNOWLEDGED", _("Acknowledged")
    EXPLAINED = "EXPLAINED", _("Explained")
    RESOLVED = "RESOLVED", _("Resolved")


class AlertEvent(models.Model):
    """The history of an alert: who (empty for the scan), when, what."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=16, choices=EventKind.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("who"))
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")

    def __str__(self):
        return f"{self.alert_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class DigestFrequencyKind(models.TextChoices):
    DAILY = "DAILY", _("Daily")
    WEEKLY = "WEEKLY", _("Weekly")
    IMMEDIATE = "IMMEDIATE", _("At once (new red alerts)")


class DigestStatus(models.TextChoices):
    PENDING = "PENDING", _("Pending")
    SENDING = "SENDING", _("Sending")
    SENT = "SENT", _("Sent")
    FAILED = "FAILED", _("Failed (will be retried)")


class DigestSend(models.Model):
    """One digest e-mail to one recipient for one period. The unique key makes a second send impossible."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_sends",
                                  verbose_name=_("recipient"))
    frequency = models.CharField(_("frequency"), max_length=16, choices=DigestFrequencyKind.choices)
    period_key = models.CharField(_("period"), max_length=64,
                                  help_text=_("ISO week (2026-W48), day (2026-11-27) or the red alerts it announces."))
    alerts = models.ManyToManyField(Alert, related_name="digest_sends", verbose_name=_("alerts"))
    status = models.CharField(_("status"), max_length=10, choices=DigestStatus.choices, default=DigestStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    to_address = models.EmailField(_("sent to"), blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("digest e-mail")
        verbose_name_plural = _("digest e-mails")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "frequency", "period_key"],
                                    name="digest_sent_once_per_period"),
            models.CheckConstraint(condition=Q(status__in=DigestStatus.values), name="digest_status_valid"),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.recipient} {self.frequency} {self.period_key} ({self.status})"

    @property
    def period_label(self) -> str:
        """The period as people read it (the key is for the unique constraint and the API)."""
        from alerts.services.windows import digest_period_label

        return digest_period_label(frequency=self.frequency, key=self.period_key, created_at=self.created_at)

