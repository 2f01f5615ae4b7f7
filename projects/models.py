"""The programme framework (as data, per biennium) and the project register."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partners.models import Country, Organisation, Region, Unit

# ---------------------------------------------------------------- programme framework (data, not code)


class Biennium(models.Model):
    code = models.CharField(_("code"), max_length=9, unique=True, help_text=_("e.g. 2000-01"))
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))

    class Meta:
        ordering = ["start_year"]
        verbose_name = _("biennium")
        verbose_name_plural = _("biennia")
        constraints = [models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")),
                                              name="biennium_years_in_order")]

    def __str__(self):
        return self.code


class StrategicObjective(models.Model):
    biennium = models.ForeignKey(Biennium, on_delete=models.PROTECT, related_name="objectives")
    code = models.CharField(_("code"), max_length=16)
    title = models.CharField(_("title"), max_length=255)

    class Meta:
        ordering = ["biennium__start_year", "code"]
        constraints = [models.UniqueConstraint(fields=["biennium", "code"], name="unique_objective_code")]
        verbose_name = _("strategic objective")
        verbose_name_plural = _("strategic objectives")

    def __str__(self):
        return f"{self.code}. {self.title}"


class OperationalObjective(models.Model):
    objective = models.ForeignKey(StrategicObjective, on_delete=models.CASCADE, related_name="operational_objectives")
    code = models.CharField(_("code"), max_length=16, help_text=_("e.g. 3e"))
    title = models.CharField(_("title"), max_length=500)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["objective", "code"], name="unique_operational_objective")]
        verbose_name = _("operational objective")
        verbose_name_plural = _("operational objectives")

    def __str__(self):
        return f"{self.code}. {self.title}"


class FrameworkIndicator(models.Model):
    operational_objective = models.ForeignKey(OperationalObjective, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=16, help_text=_("e.g. 3e.1"))
    text = models.TextField(_("indicator"))
    target = models.CharField(_("target"), max_length=255, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["operational_objective", "code"],
                                               name="unique_framework_indicator")]
        verbose_name = _("framework indicator")
        verbose_name_plural = _("framework indicators")

    def __str__(self):
        return f"{self.code} {self.text[:60]}"


class Programme(models.Model):
    """An InFocus programme (2000-01) or, in later biennia, a P&B / DWCP outcome: always under one objective."""

    biennium = models.ForeignKey(Biennium, on_delete=models.PROTECT, related_name="programmes")
    objective = models.ForeignKey(StrategicObjective, on_delete=models.PROTECT, related_name="programmes")
    code = models.CharField(_("code"), max_length=32)
    title = models.CharField(_("title"), max_length=255)

    class Meta:
        ordering = ["objective__code", "code"]
        constraints = [models.UniqueConstraint(fields=["biennium", "code"], name="unique_programme_code")]
        verbose_name = _("InFocus programme")
        verbose_name_plural = _("InFocus programmes")

    def __str__(self):
        return self.title

    def clean(self):
        if self.objective_id and self.biennium_id and self.objective.biennium_id != self.biennium_id:
            raise ValidationError({"objective": _("The objective belongs to another biennium.")})


class CrossCuttingTheme(models.Model):
    biennium = models.ForeignKey(Biennium, on_delete=models.PROTECT, related_name="themes")
    code = models.CharField(_("code"), max_length=32)
    title = models.CharField(_("title"), max_length=255)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["biennium", "code"], name="unique_theme_code")]
        verbose_name = _("cross-cutting theme")
        verbose_name_plural = _("cross-cutting themes")

    def __str__(self):
        return self.title


class DeclarationPrinciple(models.Model):
    """A fundamental principle and right at work (1998 Declaration; safety and health added in 2022)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=255)

    class Meta:
        ordering = ["code"]
        verbose_name = _("Declaration principle")
        verbose_name_plural = _("Declaration principles")

    def __str__(self):
        return self.title


class Convention(models.Model):
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=255)
    is_fundamental = models.BooleanField(_("fundamental"), default=False)
    fundamental_since = models.PositiveSmallIntegerField(_("fundamental since"), null=True, blank=True)
    principle = models.ForeignKey(DeclarationPrinciple, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="conventions", verbose_name=_("principle"))

    class Meta:
        ordering = ["number"]
        verbose_name = _("Convention")
        verbose_name_plural = _("Conventions")

    def __str__(self):
        return f"C{self.number} {self.title}"


class BudgetType(models.TextChoices):
    REGULAR = "REGULAR", _("Regular budget")
    EXTRA_BUDGETARY = "EXTRA_BUDGETARY", _("Extra-budgetary")


class FundingSource(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=255)
    budget_type = models.CharField(_("budget type"), max_length=20, choices=BudgetType.choices)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("source of funds")
        verbose_name_plural = _("sources of funds")

    def __str__(self):
        return self.name


class InputType(models.Model):
    """Type of input of an expenditure line, as used by the Governing Body tables."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("type of input")
        verbose_name_plural = _("types of input")

    def __str__(self):
        return self.name


# ---------------------------------------------------------------- projects


class ProjectStatus(models.TextChoices):
    PIPELINE = "PIPELINE", _("Pipeline")
    APPROVED = "APPROVED", _("Approved")
    ONGOING = "ONGOING", _("Ongoing")
    OPERATIONALLY_CLOSED = "OPERATIONALLY_CLOSED", _("Operationally closed")
    FINANCIALLY_CLOSED = "FINANCIALLY_CLOSED", _("Financially closed")
    SUSPENDED = "SUSPENDED", _("Suspended")
    CANCELLED = "CANCELLED", _("Cancelled")


S = ProjectStatus
# The only status changes allowed; anything else is refused with a message.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PIPELINE: frozenset({S.APPROVED, S.CANCELLED}),
    S.APPROVED: frozenset({S.ONGOING, S.SUSPENDED, S.CANCELLED}),
    S.ONGOING: frozenset({S.OPERATIONALLY_CLOSED, S.SUSPENDED, S.CANCELLED}),
    S.SUSPENDED: frozenset({S.ONGOING, S.APPROVED, S.CANCELLED}),
    S.OPERATIONALLY_CLOSED: frozenset({S.FINANCIALLY_CLOSED, S.ONGOING}),
    S.FINANCIALLY_CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}

# IATI ActivityStatus codes.
IATI_ACTIVITY_STATUS = {
    S.PIPELINE: "1", S.APPROVED: "1", S.ONGOING: "2", S.OPERATIONALLY_CLOSED: "3",
    S.FINANCIALLY_CLOSED: "4", S.CANCELLED: "5", S.SUSPENDED: "6",
}


class GenderMarker(models.IntegerChoices):
    NOT_TARGETED = 0, _("0 — not targeted")
    SIGNIFICANT = 1, _("1 — significant objective")
    PRINCIPAL = 2, _("2 — principal objective")


# Geography / two-digit year / sequence / donor: RLA/12/01/USA, INT/98/M07/USA, GLO/05/50/MUL.
SYMBOL_RE = re.compile(r"^(?P<geo>[A-Z]{3})/(?P<year>\d{2})/(?P<seq>[A-Z0-9]{2,4})/(?P<donor>[A-Z0-9]{3,4})$")
REGIONAL_GEOGRAPHIES = {"RAF", "RAS", "RLA", "RAB", "RER", "INT", "GLO"}


def validate_symbol(value: str) -> None:
    match = SYMBOL_RE.match(value or "")
    if not match:
        raise ValidationError(
            _("“%(value)s” is not a project symbol: expected GEO/YY/SEQ/DONOR, e.g. RLA/12/01/USA."),
            code="invalid_symbol", params={"value": value},
        )
    geo = match["geo"]
    if geo not in REGIONAL_GEOGRAPHIES and not Country.objects.filter(iso3=geo).exists():
        raise ValidationError(
            _("“%(geo)s” in the symbol is neither a country ISO3 code nor one of RAF, RAS, RLA, RAB, RER, INT, GLO."),
            code="invalid_symbol_geography", params={"geo": geo},
        )


class Project(models.Model):
    symbol = models.CharField(_("symbol"), max_length=32, unique=True, validators=[validate_symbol])
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(_("status"), max_length=24, choices=ProjectStatus.choices, default=ProjectStatus.PIPELINE,
                              db_index=True)

    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)

    strategic_objective = models.ForeignKey(StrategicObjective, on_delete=models.PROTECT, related_name="projects",
                                            verbose_name=_("strategic objective"))
    primary_programme = models.ForeignKey(Programme, on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="primary_projects", verbose_name=_("primary InFocus programme"))
    other_programmes = models.ManyToManyField(Programme, blank=True, related_name="secondary_projects",
                                              verbose_name=_("other InFocus programmes"))
    themes = models.ManyToManyField(CrossCuttingTheme, blank=True, related_name="projects",
                                    verbose_name=_("cross-cutting themes"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="projects", verbose_name=_("region"))
    countries = models.ManyToManyField(Country, blank=True, related_name="projects", verbose_name=_("countries"))
    funding_source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="projects",
                                       verbose_name=_("source of funds"))
    donor = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="donor_projects", verbose_name=_("main donor"))

    responsible_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="responsible_projects",
                                         verbose_name=_("responsible unit"))
    backstopping_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="backstopped_projects",
                                          verbose_name=_("technical backstopping unit"))
    responsible_official = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                             blank=True, related_name="responsible_projects",
                                             verbose_name=_("responsible official"))

    gender_marker = models.PositiveSmallIntegerField(_("gender marker"), choices=GenderMarker.choices,
                                                     default=GenderMarker.NOT_TARGETED)
    is_crisis_response = models.BooleanField(_("crisis response"), default=False)
    is_enterprise_promotion = models.BooleanField(_("micro, small and medium enterprise promotion"), default=False)
    principles = models.ManyToManyField(DeclarationPrinciple, blank=True, related_name="projects",
                                        verbose_name=_("Declaration principles supported"))
    conventions = models.ManyToManyField(Convention, blank=True, related_name="projects",
                                         verbose_name=_("Conventions supported"))
    undaf_aligned = models.BooleanField(_("aligned with the UNDAF"), default=False)
    country_objective = models.CharField(_("country objective / DWCP outcome"), max_length=255, blank=True)

    is_autonomous = models.BooleanField(
        _("programme requiring autonomy"), default=False,
        help_text=_("Workers' or employers' programmes exempt from the tripartite-involvement requirement."))
    autonomy_reason = models.TextField(_("reason for autonomy"), blank=True)

    # Optimistic locking: every save through the services increments it; a stale form is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[countries, other_programmes, conventions, principles, themes],
                                excluded_fields=["updated_at"])

    class Meta:
        ordering = ["symbol"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(condition=Q(planned_end__gte=models.F("planned_start")),
                                   name="project_planned_dates_in_order"),
            models.CheckConstraint(condition=Q(actual_end__isnull=True) | Q(actual_start__isnull=True)
                                   | Q(actual_end__gte=models.F("actual_start")),
                                   name="project_actual_dates_in_order"),
            models.CheckConstraint(condition=Q(gender_marker__in=[0, 1, 2]), name="project_gender_marker_valid"),
        ]
        indexes = [models.Index(fields=["status", "planned_end"])]

    def __str__(self):
        return f"{self.symbol} {self.title}"

    def clean(self):
        errors = {}
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = _("The planned end (%(end)s) is before the planned start (%(start)s).") % {
                "end": self.planned_end, "start": self.planned_start}
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            errors["actual_end"] = _("The actual end (%(end)s) is before the actual start (%(start)s).") % {
                "end": self.actual_end, "start": self.actual_start}
        if self.primary_programme_id and self.strategic_objective_id and (
                self.primary_programme.objective_id != self.strategic_objective_id):
            errors["primary_programme"] = _(
                "“%(programme)s” is not a programme of strategic objective %(objective)s.") % {
                "programme": self.primary_programme, "objective": self.strategic_objective.code}
        if self.is_autonomous and not self.autonomy_reason.strip():
            errors["autonomy_reason"] = _("Give the reason why this programme requires autonomy.")
        if self.donor_id and not self.donor.may_fund:
            errors["donor"] = _("An employers' or workers' organisation cannot be the donor.")
        if errors:
            raise ValidationError(errors)

    @property
    def end_date(self):
        """The date the project ends or ended: actual when known, else planned."""
        return self.actual_end or self.planned_end

    @property
    def start_date(self):
        return self.actual_start or self.planned_start


class DateField(models.TextChoices):
    PLANNED_START = "planned_start", _("planned start")
    PLANNED_END = "planned_end", _("planned end")
    ACTUAL_START = "actual_start", _("actual start")
    ACTUAL_END = "actual_end", _("actual end")


class DateRevision(models.Model):
    """A revision of one of a project's dates: the earlier value is kept with the reason."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="date_revisions")
    field = models.CharField(_("date"), max_length=20, choices=DateField.choices)
    old_value = models.DateField(_("earlier value"), null=True, blank=True)
    new_value = models.DateField(_("new value"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    revised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    revised_at = models.DateTimeField(_("revised at"), auto_now_add=True)

    class Meta:
        ordering = ["-revised_at", "-id"]
        verbose_name = _("date revision")
        verbose_name_plural = _("date revisions")

    def __str__(self):
        return f"{self.project.symbol} {self.field}: {self.old_value} → {self.new_value}"


class PartnerRole(models.TextChoices):
    FUNDING = "FUNDING", _("Funding")
    ACCOUNTABLE = "ACCOUNTABLE", _("Accountable")
    EXTENDING = "EXTENDING", _("Extending")
    IMPLEMENTING = "IMPLEMENTING", _("Implementing")


IATI_ORGANISATION_ROLE = {PartnerRole.FUNDING: "1", PartnerRole.ACCOUNTABLE: "2",
                          PartnerRole.EXTENDING: "3", PartnerRole.IMPLEMENTING: "4"}


class ProjectPartner(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="project_roles",
                                     verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=16, choices=PartnerRole.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "organisation__name"]
        constraints = [models.UniqueConstraint(fields=["project", "organisation", "role"],
                                               name="unique_project_partner")]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"


class ConstituentGroup(models.TextChoices):
    GOVERNMENT = "GOVERNMENT", _("Government")
    EMPLOYERS = "EMPLOYERS", _("Employers")
    WORKERS = "WORKERS", _("Workers")


class InvolvementStage(models.TextChoices):
    FORMULATION = "FORMULATION", _("Formulation")
    APPROVAL = "APPROVAL", _("Approval")
    IMPLEMENTATION = "IMPLEMENTATION", _("Implementation")
    MANAGEMENT = "MANAGEMENT", _("Management / steering")
    MONITORING = "MONITORING", _("Monitoring")
    EVALUATION = "EVALUATION", _("Evaluation")


class Confirmation(models.TextChoices):
    """Who said what about a cell's actual involvement (issue 18.3): the Office's record, a constituent's report,
    both agreeing, or not."""

    RECORDED = "recorded", _("Recorded by the Office")
    REPORTED = "reported", _("Reported by the constituent")
    CONFIRMED = "confirmed", _("Confirmed")
    DISPUTED = "disputed", _("Disputed")


# A constituent's report or a dispute awaiting an answer: the Office or the constituent has something to do.
PENDING_CONFIRMATION = (Confirmation.REPORTED, Confirmation.DISPUTED)


class TripartiteInvolvement(models.Model):
    """One cell of the stage × constituent-group matrix: contemplated (planned) and actual involvement, and whether
    the constituent group's organisation confirms it (projects.services.involvement)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tripartite")
    stage = models.CharField(_("stage"), max_length=16, choices=InvolvementStage.choices)
    group = models.CharField(_("constituent group"), max_length=16, choices=ConstituentGroup.choices)
    contemplated = models.BooleanField(_("contemplated"), default=False)
    contemplated_description = models.TextField(_("what is contemplated"), blank=True)
    actual_date = models.DateField(_("date it happened"), null=True, blank=True)
    actual_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                            related_name="involvements", verbose_name=_("organisation involved"))
    actual_description = models.TextField(_("what happened"), blank=True)
    women = models.PositiveIntegerField(_("women taking part"), null=True, blank=True)
    men = models.PositiveIntegerField(_("men taking part"), null=True, blank=True)
    confirmation = models.CharField(_("confirmation"), max_length=16, choices=Confirmation.choices,
                                    default=Confirmation.RECORDED, db_default=Confirmation.RECORDED,
                                    db_index=True)
    # The constituent says they were not involved although the Office recorded it.
    not_involved = models.BooleanField(_("not involved, says the constituent"), default=False, db_default=False)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("reported by"))
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    # The responsible officer's answer to a report (kept in the history with each change).
    officer_comment = models.TextField(_("the Office's answer"), blank=True, db_default="")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "stage", "group"]
        constraints = [
            models.UniqueConstraint(fields=["project", "stage", "group"], name="unique_involvement_cell"),
            models.CheckConstraint(condition=Q(group__in=ConstituentGroup.values),
                                   name="involvement_group_is_constituent"),
        ]
        verbose_name = _("tripartite involvement")
        verbose_name_plural = _("tripartite involvement")

    def __str__(self):
        return f"{self.project.symbol} {self.stage} {self.group}"

    @property
    def is_actual(self) -> bool:
        return self.actual_date is not None

    @property
    def is_gap(self) -> bool:
        return self.contemplated and not self.is_actual

    def clean(self):
        errors = {}
        if self.group and self.group not in ConstituentGroup.values:
            errors["group"] = _("“%(group)s” is not a constituent group (government, employers or workers).") % {
                "group": self.group}
        if self.contemplated and not self.contemplated_description.strip():
            errors["contemplated_description"] = _("Describe the involvement contemplated in the project document.")
        org = self.actual_organisation
        if org is not None and self.group and org.kind != self.group:
            errors["actual_organisation"] = _(
                "%(organisation)s is not a %(group)s constituent (it is: %(kind)s).") % {
                "organisation": org, "group": ConstituentGroup(self.group).label.lower() if self.group in
                ConstituentGroup.values else self.group, "kind": org.get_kind_display()}
        has_actual_detail = bool(org or self.actual_description.strip() or self.women or self.men)
        if has_actual_detail and self.actual_date is None:
            errors["actual_date"] = _("Give the date on which the involvement took place.")
        if errors:
            raise ValidationError(errors)


class ExpertCategory(models.TextChoices):
    NATIONAL = "NATIONAL", _("National")
    INTERNATIONAL = "INTERNATIONAL", _("International")


def expert_is_national() -> Exists:
    """The one definition of a national expert, as a condition on ExpertAssignment: the expert's nationality is one
    of the project's countries. Anyone else (on a regional or global project with no country too) is
    international."""
    return Exists(Project.countries.through.objects.filter(project_id=OuterRef("project_id"),
                                                           country_id=OuterRef("nationality_id")))


class ExpertAssignmentQuerySet(models.QuerySet):
    def with_category(self):
        """Each assignment annotated with `is_national` (expert_is_national)."""
        return self.annotate(is_national=expert_is_national())


class ExpertAssignment(models.Model):
    """An expert's work on a project in a year; national or international follows from the nationality."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="experts")
    name = models.CharField(_("name or post"), max_length=255, blank=True)
    nationality = models.ForeignKey(Country, on_delete=models.PROTECT, verbose_name=_("nationality"))
    year = models.PositiveSmallIntegerField(_("year"))
    work_months = models.DecimalField(_("work-months"), max_digits=7, decimal_places=2)
    history = HistoricalRecords()

    objects = ExpertAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["project", "year", "name"]
        constraints = [models.CheckConstraint(condition=Q(work_months__gt=0), name="expert_work_months_positive")]
        verbose_name = _("expert assignment")
        verbose_name_plural = _("expert assignments")

    def __str__(self):
        return f"{self.name or self.get_category_display()} ({self.nationality_id})"

    @property
    def category(self) -> str:
        """NATIONAL or INTERNATIONAL, as `with_category()` decides (read again if this row was not read through
        it)."""
        national = getattr(self, "is_national", None)
        if national is None:
            national = type(self).objects.with_category().filter(pk=self.pk).values_list(
                "is_national", flat=True).first()
        return ExpertCategory.NATIONAL if national else ExpertCategory.INTERNATIONAL

    def get_category_display(self) -> str:
        return ExpertCategory(self.category).label


class TrainingActivity(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="training")
    title = models.CharField(_("title"), max_length=255)
    area = models.CharField(_("area of training"), max_length=255, blank=True)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    women = models.PositiveIntegerField(_("women participants"), default=0)
    men = models.PositiveIntegerField(_("men participants"), default=0)
    is_turin_centre = models.BooleanField(_("Turin Centre"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "start_date"]
        constraints = [models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")),
                                              name="training_dates_in_order")]
        verbose_name = _("training activity")
        verbose_name_plural = _("training activities")

    def __str__(self):
        return self.title

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end is before the start.")})


class ProgressReport(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="progress_reports")
    period_end = models.DateField(_("period covered ends"))
    due_date = models.DateField(_("due"))
    submitted_date = models.DateField(_("submitted"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "due_date"]
        constraints = [models.UniqueConstraint(fields=["project", "period_end"], name="unique_progress_report_period")]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self):
        return f"{self.project.symbol} {self.period_end}"

    def clean(self):
        if self.period_end and self.due_date and self.due_date < self.period_end:
            raise ValidationError({"due_date": _("A report cannot be due before the end of the period it covers.")})


class ProjectImport(models.Model):
    """The record of one (confirmed) import of the project register: who, when, what it did."""

    file_name = models.CharField(_("file"), max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    verbose_name=_("imported by"))
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_created = models.PositiveIntegerField(_("created"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    donors_created = models.JSONField(_("donors created"), default=list, blank=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("project import")
        verbose_name_plural = _("project imports")

    def __str__(self):
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d %H:%M})"


# Requests for assistance and governments' agreements to autonomy live in their own module (issue 18.4-5).
from projects.request_models import AssistanceRequest, AutonomyAgreement, RequestStatus  # noqa: E402, F401
