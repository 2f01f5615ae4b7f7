"""Results (IATI 2.03 shape), evaluations with recommendations and management responses, lessons learned.

Validation that needs only the row itself lives in clean() and database constraints; rules that need other rows
(baselines of the indicator, the projects of an evaluation, status transitions) live in services.py.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.private_files import PrivateFileField
from core.uploads import validate_document_upload
from partners.models import Country
from projects.models import CrossCuttingTheme, FrameworkIndicator, Programme, Project, StrategicObjective

# ---------------------------------------------------------------- results framework


class ResultKind(models.TextChoices):
    OUTPUT = "OUTPUT", _("Output")
    OUTCOME = "OUTCOME", _("Outcome")
    IMPACT = "IMPACT", _("Impact")


# IATI ResultType codes (1 output, 2 outcome, 3 impact).
IATI_RESULT_TYPE = {ResultKind.OUTPUT: "1", ResultKind.OUTCOME: "2", ResultKind.IMPACT: "3"}


class Result(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="results", verbose_name=_("project"))
    kind = models.CharField(_("level"), max_length=8, choices=ResultKind.choices)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "kind", "id"]
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"


class Measure(models.TextChoices):
    UNIT = "UNIT", _("Unit (number)")
    PERCENTAGE = "PERCENTAGE", _("Percentage")
    QUALITATIVE = "QUALITATIVE", _("Qualitative")


# IATI IndicatorMeasure codes.
IATI_INDICATOR_MEASURE = {Measure.UNIT: "1", Measure.PERCENTAGE: "2", Measure.QUALITATIVE: "5"}


class Indicator(models.Model):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("result"))
    title = models.CharField(_("indicator"), max_length=500)
    measure = models.CharField(_("measure"), max_length=12, choices=Measure.choices, default=Measure.UNIT)
    ascending = models.BooleanField(
        _("ascending"), default=True,
        help_text=_("Ticked when a higher value is better; untick for indicators that should fall "
                    "(e.g. the child-labour rate)."))
    sex_disaggregated = models.BooleanField(_("sex-disaggregated"), default=False)
    means_of_verification = models.TextField(_("means of verification"), blank=True)
    framework_indicator = models.ForeignKey(
        FrameworkIndicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="project_indicators",
        verbose_name=_("programme framework indicator"), help_text=_("e.g. 3e.1"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["result", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self):
        return self.title

    @property
    def is_quantitative(self) -> bool:
        return self.measure != Measure.QUALITATIVE


def _check_value_for_measure(indicator: Indicator, field: str, value, errors: dict) -> None:
    if value is None:
        return
    if indicator.measure == Measure.QUALITATIVE:
        errors[field] = _("“%(indicator)s” is qualitative: leave the %(field)s empty and describe it in the "
                          "comment.") % {"indicator": indicator, "field": field.replace("_", " ")}
    elif indicator.measure == Measure.PERCENTAGE and not (0 <= value <= 100):
        errors[field] = _("A percentage must be between 0 and 100 (got %(value)s).") % {"value": value}


class Baseline(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="baselines",
                                  verbose_name=_("indicator"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1900), MaxValueValidator(2100)])
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "year"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="unique_baseline_year")]
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")

    def __str__(self):
        return f"{self.year}: {self.value if self.value is not None else self.comment[:40]}"

    def clean(self):
        errors = {}
        if self.indicator_id:
            if self.indicator.is_quantitative and self.value is None:
                errors["value"] = _("Give the baseline value of this quantitative indicator.")
            if not self.indicator.is_quantitative and not self.comment.strip():
                errors["comment"] = _("Describe the baseline situation of this qualitative indicator.")
            _check_value_for_measure(self.indicator, "value", self.value, errors)
        if errors:
            raise ValidationError(errors)


class IndicatorPeriod(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="periods",
                                  verbose_name=_("indicator"))
    start = models.DateField(_("period start"))
    end = models.DateField(_("period end"))
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=4, null=True, blank=True)
    actual = models.DecimalField(_("actual"), max_digits=16, decimal_places=4, null=True, blank=True)
    actual_women = models.DecimalField(_("actual (women)"), max_digits=16, decimal_places=4, null=True, blank=True)
    actual_men = models.DecimalField(_("actual (men)"), max_digits=16, decimal_places=4, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="indicator_period_dates_in_order"),
            models.UniqueConstraint(fields=["indicator", "start"], name="unique_indicator_period_start"),
        ]
        verbose_name = _("indicator period")
        verbose_name_plural = _("indicator periods")

    def __str__(self):
        return f"{self.start} – {self.end}"

    def clean(self):
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("The period end (%(end)s) is before its start (%(start)s).") % {
                "end": self.end, "start": self.start}
        if self.indicator_id:
            indicator = self.indicator
            for field in ("target", "actual", "actual_women", "actual_men"):
                _check_value_for_measure(indicator, field, getattr(self, field), errors)
            has_sex_split = self.actual_women is not None or self.actual_men is not None
            if has_sex_split and not indicator.sex_disaggregated:
                errors["actual_women"] = _("“%(indicator)s” is not sex-disaggregated: leave women and men empty.") % {
                    "indicator": indicator}
            elif (self.actual_women is not None and self.actual_men is not None and self.actual is not None
                  and self.actual_women + self.actual_men != self.actual):
                errors["actual"] = _("Women (%(women)s) and men (%(men)s) add up to %(sum)s, not the actual "
                                     "%(actual)s.") % {"women": self.actual_women, "men": self.actual_men,
                                                       "sum": self.actual_women + self.actual_men,
                                                       "actual": self.actual}
        if errors:
            raise ValidationError(errors)


class TargetRevision(models.Model):
    """A revised target: the earlier value is kept with the reason."""

    period = models.ForeignKey(IndicatorPeriod, on_delete=models.CASCADE, related_name="target_revisions")
    old_target = models.DecimalField(_("earlier target"), max_digits=16, decimal_places=4, null=True, blank=True)
    new_target = models.DecimalField(_("new target"), max_digits=16, decimal_places=4, null=True, blank=True)
    reason = models.TextField(_("reason"))
    revised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    revised_at = models.DateTimeField(_("revised at"), auto_now_add=True)

    class Meta:
        ordering = ["-revised_at", "-id"]
        verbose_name = _("target revision")
        verbose_name_plural = _("target revisions")

    def __str__(self):
        return f"{self.old_target} → {self.new_target}"


# ---------------------------------------------------------------- evaluations


class EvaluationType(models.TextChoices):
    SELF = "SELF", _("Self-evaluation")
    INTERNAL = "INTERNAL", _("Internal")
    INDEPENDENT = "INDEPENDENT", _("Independent")
    THEMATIC = "THEMATIC", _("Thematic")
    JOINT = "JOINT", _("Joint")
    EXTERNAL = "EXTERNAL", _("Donor / external")
    IMPACT = "IMPACT", _("Impact")


# Types that may cover several projects; the others cover exactly one.
MULTI_PROJECT_TYPES = frozenset({EvaluationType.THEMATIC, EvaluationType.JOINT})
# Types carried out by evaluators independent of project management.
INDEPENDENT_TYPES = frozenset({EvaluationType.INDEPENDENT, EvaluationType.JOINT, EvaluationType.EXTERNAL,
                               EvaluationType.IMPACT})
# A required evaluation of type K is satisfied by an evaluation of any type in SATISFIES[K] with the same timing:
# a more independent evaluation meets a requirement for a less independent one.
SATISFIES = {
    EvaluationType.SELF: frozenset({EvaluationType.SELF, EvaluationType.INTERNAL} | INDEPENDENT_TYPES),
    EvaluationType.INTERNAL: frozenset({EvaluationType.INTERNAL} | INDEPENDENT_TYPES),
    EvaluationType.INDEPENDENT: INDEPENDENT_TYPES,
    EvaluationType.JOINT: frozenset({EvaluationType.JOINT}),
    EvaluationType.EXTERNAL: frozenset({EvaluationType.EXTERNAL}),
    EvaluationType.IMPACT: frozenset({EvaluationType.IMPACT}),
    EvaluationType.THEMATIC: frozenset({EvaluationType.THEMATIC}),
}


class EvaluationTiming(models.TextChoices):
    MID_TERM = "MID_TERM", _("Mid-term")
    FINAL = "FINAL", _("Final")
    EX_POST = "EX_POST", _("Ex-post")


class EvaluationStatus(models.TextChoices):
    PLANNED = "PLANNED", _("Planned")
    ONGOING = "ONGOING", _("Ongoing")
    COMPLETED = "COMPLETED", _("Completed")
    CANCELLED = "CANCELLED", _("Cancelled")


ES = EvaluationStatus
EVALUATION_TRANSITIONS: dict[str, frozenset[str]] = {
    ES.PLANNED: frozenset({ES.ONGOING, ES.COMPLETED, ES.CANCELLED}),
    ES.ONGOING: frozenset({ES.COMPLETED, ES.CANCELLED}),
    ES.COMPLETED: frozenset(),
    ES.CANCELLED: frozenset({ES.PLANNED}),
}

# Ratings use the six-point scale common in UN evaluation practice.
RATING_SCALE = [
    (6, _("6 — highly satisfactory")),
    (5, _("5 — satisfactory")),
    (4, _("4 — moderately satisfactory")),
    (3, _("3 — moderately unsatisfactory")),
    (2, _("2 — unsatisfactory")),
    (1, _("1 — highly unsatisfactory")),
]
CRITERIA = ["relevance", "coherence", "effectiveness", "efficiency", "impact", "sustainability"]
# The content type each accepted report extension is served (and published to IATI) with.
REPORT_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
REPORT_EXTENSIONS = list(REPORT_CONTENT_TYPES)


def validate_report_size(file) -> None:
    """Named by migration 0001 only: a report is checked by the upload gate, validate_document_upload."""
    validate_document_upload(file)


def _rating_field(label):
    return models.PositiveSmallIntegerField(label, null=True, blank=True, choices=RATING_SCALE,
                                            validators=[MinValueValidator(1), MaxValueValidator(6)])


class Evaluation(models.Model):
    title = models.CharField(_("title"), max_length=500)
    projects = models.ManyToManyField(Project, related_name="evaluations", verbose_name=_("projects"))
    type = models.CharField(_("type"), max_length=12, choices=EvaluationType.choices)
    timing = models.CharField(_("timing"), max_length=8, choices=EvaluationTiming.choices)
    status = models.CharField(_("status"), max_length=10, choices=EvaluationStatus.choices,
                              default=EvaluationStatus.PLANNED, db_index=True)
    planned_date = models.DateField(_("planned date"), db_index=True)
    actual_date = models.DateField(_("date completed"), null=True, blank=True)
    evaluator = models.CharField(_("evaluator"), max_length=255, blank=True)
    is_independent = models.BooleanField(_("independent evaluator"), default=False)
    budget_usd = models.DecimalField(_("budget (US$)"), max_digits=14, decimal_places=2, null=True, blank=True,
                                     validators=[MinValueValidator(Decimal("0"))])
    relevance = _rating_field(_("relevance"))
    coherence = _rating_field(_("coherence"))
    effectiveness = _rating_field(_("effectiveness"))
    efficiency = _rating_field(_("efficiency"))
    impact = _rating_field(_("impact"))
    sustainability = _rating_field(_("sustainability"))
    report = PrivateFileField(
        _("report"), upload_to="evaluations/%Y/", blank=True, download_view="evaluation:report",
        validators=[validate_document_upload],
        help_text=_("PDF or DOCX."))
    summary = models.TextField(_("summary of findings"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[projects])

    class Meta:
        ordering = ["planned_date", "id"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.CheckConstraint(condition=~Q(status="COMPLETED") | Q(actual_date__isnull=False),
                                   name="evaluation_completed_has_date"),
        ] + [
            models.CheckConstraint(condition=Q(**{f"{c}__isnull": True}) | Q(**{f"{c}__gte": 1, f"{c}__lte": 6}),
                                   name=f"evaluation_{c}_rating_1_to_6")
            for c in CRITERIA
        ]

    def __str__(self):
        return self.title

    @property
    def ratings(self) -> dict[str, int | None]:
        return {criterion: getattr(self, criterion) for criterion in CRITERIA}

    def is_overdue(self, as_of) -> bool:
        return self.status in (ES.PLANNED, ES.ONGOING) and self.planned_date < as_of

    def clean(self):
        errors = {}
        if self.status == ES.COMPLETED and not self.actual_date:
            errors["actual_date"] = _("Give the date the evaluation was completed.")
        if self.actual_date and self.status in (ES.PLANNED, ES.CANCELLED):
            errors["actual_date"] = _("Only an ongoing or completed evaluation has a completion date.")
        if self.status != ES.COMPLETED:
            errors.update({criterion: _("Ratings are given once the evaluation is completed.")
                           for criterion in CRITERIA if getattr(self, criterion) is not None})
        if self.type in INDEPENDENT_TYPES and not self.is_independent:
            errors["is_independent"] = _("A %(type)s evaluation needs an independent evaluator.") % {
                "type": self.get_type_display().lower()}
        if self.type == EvaluationType.SELF and self.is_independent:
            errors["is_independent"] = _("A self-evaluation is carried out by the project team, not an "
                                         "independent evaluator.")
        if errors:
            raise ValidationError(errors)


class Priority(models.TextChoices):
    HIGH = "HIGH", _("High")
    MEDIUM = "MEDIUM", _("Medium")
    LOW = "LOW", _("Low")


class Recommendation(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="recommendations")
    text = models.TextField(_("recommendation"))
    addressee = models.CharField(_("addressed to"), max_length=255)
    priority = models.CharField(_("priority"), max_length=6, choices=Priority.choices, default=Priority.MEDIUM)
    history = HistoricalRecords()

    class Meta:
        ordering = ["evaluation", "id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self):
        return self.text[:80]


class ResponseKind(models.TextChoices):
    ACCEPTED = "ACCEPTED", _("Accepted")
    PARTIAL = "PARTIAL", _("Partially accepted")
    REJECTED = "REJECTED", _("Rejected")


class FollowUpStatus(models.TextChoices):
    NOT_STARTED = "NOT_STARTED", _("Not started")
    IN_PROGRESS = "IN_PROGRESS", _("In progress")
    COMPLETED = "COMPLETED", _("Completed")
    NOT_APPLICABLE = "NOT_APPLICABLE", _("Not applicable (rejected)")


FS = FollowUpStatus
FOLLOW_UP_TRANSITIONS: dict[str, frozenset[str]] = {
    FS.NOT_STARTED: frozenset({FS.IN_PROGRESS, FS.COMPLETED}),
    FS.IN_PROGRESS: frozenset({FS.COMPLETED}),
    FS.COMPLETED: frozenset(),
    FS.NOT_APPLICABLE: frozenset(),
}


class ManagementResponse(models.Model):
    recommendation = models.OneToOneField(Recommendation, on_delete=models.CASCADE, related_name="response")
    response = models.CharField(_("response"), max_length=8, choices=ResponseKind.choices)
    justification = models.TextField(_("justification"), blank=True,
                                     help_text=_("Required when the recommendation is rejected or partially accepted."))
    action = models.TextField(_("action planned"), blank=True)
    owner = models.CharField(_("responsible for the action"), max_length=255, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    follow_up_status = models.CharField(_("follow-up"), max_length=16, choices=FollowUpStatus.choices,
                                        default=FollowUpStatus.NOT_STARTED)
    follow_up_note = models.TextField(_("follow-up note"), blank=True)
    completion_date = models.DateField(_("action completed on"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("management response")
        verbose_name_plural = _("management responses")
        constraints = [
            models.CheckConstraint(condition=~Q(response="REJECTED") | Q(follow_up_status="NOT_APPLICABLE"),
                                   name="response_rejected_has_no_follow_up"),
            models.CheckConstraint(condition=~Q(follow_up_status="COMPLETED") | Q(completion_date__isnull=False),
                                   name="response_completed_has_date"),
        ]

    def __str__(self):
        return self.get_response_display()

    @property
    def is_followed_up(self) -> bool:
        return self.follow_up_status == FS.COMPLETED

    def clean(self):
        errors = {}
        if self.response in (ResponseKind.REJECTED, ResponseKind.PARTIAL) and not self.justification.strip():
            errors["justification"] = _("Explain why the recommendation is %(response)s.") % {
                "response": self.get_response_display().lower()}
        if self.response in (ResponseKind.ACCEPTED, ResponseKind.PARTIAL):
            for field, message in (("action", _("Describe the action that will be taken.")),
                                   ("owner", _("Say who is responsible for the action."))):
                if not getattr(self, field).strip():
                    errors[field] = message
            if not self.due_date:
                errors["due_date"] = _("Give the date by which the action is due.")
            if self.follow_up_status == FS.NOT_APPLICABLE:
                errors["follow_up_status"] = _("An accepted recommendation needs a follow-up status.")
        if self.response == ResponseKind.REJECTED and self.follow_up_status != FS.NOT_APPLICABLE:
            errors["follow_up_status"] = _("A rejected recommendation has no follow-up.")
        if self.follow_up_status == FS.COMPLETED and not self.completion_date:
            errors["completion_date"] = _("Give the date the action was completed.")
        if self.completion_date and self.follow_up_status != FS.COMPLETED:
            errors["completion_date"] = _("Only a completed action has a completion date.")
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------- required evaluations


class RequiredEvaluationRule(models.Model):
    """A project whose total budget B satisfies min_budget_usd < B ≤ max_budget_usd (no maximum when empty)
    requires an evaluation of this type and timing. "Above US$1m" therefore means strictly more than 1,000,000."""

    min_budget_usd = models.DecimalField(_("budget above (US$)"), max_digits=16, decimal_places=2,
                                         validators=[MinValueValidator(Decimal("0"))])
    max_budget_usd = models.DecimalField(_("budget up to (US$)"), max_digits=16, decimal_places=2, null=True,
                                         blank=True, help_text=_("Empty: no upper limit."))
    type = models.CharField(_("evaluation type"), max_length=12, choices=EvaluationType.choices)
    timing = models.CharField(_("timing"), max_length=8, choices=EvaluationTiming.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["min_budget_usd", "timing"]
        verbose_name = _("required-evaluation rule")
        verbose_name_plural = _("required-evaluation rules")
        constraints = [
            models.CheckConstraint(condition=Q(max_budget_usd__isnull=True)
                                   | Q(max_budget_usd__gt=models.F("min_budget_usd")),
                                   name="required_rule_budget_range_in_order"),
        ]

    def __str__(self):
        upper = f"{self.max_budget_usd:,.0f}" if self.max_budget_usd is not None else "∞"
        return f"{self.get_type_display()} {self.get_timing_display()} ({self.min_budget_usd:,.0f} < budget ≤ {upper})"

    def applies_to(self, budget_usd: Decimal) -> bool:
        return budget_usd > self.min_budget_usd and (self.max_budget_usd is None or budget_usd <= self.max_budget_usd)

    def clean(self):
        if self.max_budget_usd is not None and self.min_budget_usd is not None and (
                self.max_budget_usd <= self.min_budget_usd):
            raise ValidationError({"max_budget_usd": _("The upper limit must be above the lower limit.")})


# ---------------------------------------------------------------- lessons learned and good practices


class LessonKind(models.TextChoices):
    LESSON = "LESSON", _("Lesson learned")
    GOOD_PRACTICE = "GOOD_PRACTICE", _("Emerging good practice")


class Lesson(models.Model):
    kind = models.CharField(_("kind"), max_length=14, choices=LessonKind.choices, default=LessonKind.LESSON)
    title = models.CharField(_("title"), max_length=255)
    text = models.TextField(_("text"))
    evaluation = models.ForeignKey(Evaluation, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="lessons", verbose_name=_("evaluation"))
    project = models.ForeignKey(Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="lessons",
                                verbose_name=_("project"))
    objective = models.ForeignKey(StrategicObjective, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="lessons", verbose_name=_("strategic objective"))
    programme = models.ForeignKey(Programme, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="lessons", verbose_name=_("InFocus programme"))
    country = models.ForeignKey(Country, on_delete=models.SET_NULL, null=True, blank=True, related_name="lessons",
                                verbose_name=_("country"))
    theme = models.ForeignKey(CrossCuttingTheme, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="lessons", verbose_name=_("cross-cutting theme"))
    is_validated = models.BooleanField(_("validated"), default=False,
                                       help_text=_("Checked by the evaluation unit and fit for dissemination."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lesson or good practice")
        verbose_name_plural = _("lessons and good practices")

    def __str__(self):
        return self.title
