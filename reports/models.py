"""Governing Body reports (the Conference conclusions, para 53): requests for the annual and mid-term reports and the
implementation plan, and the plan's milestones.

A ReportRequest keeps its parameters, the file built and the checksum of the data it was built from, so a
finished report can be downloaded again and compared with a later build of the same parameters.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.private_files import PrivateFileField


class ImplementationPlan(models.Model):
    """The implementation plan with a timetable asked for by the Conference (para 53(1))."""

    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("implementation plan")
        verbose_name_plural = _("implementation plans")
        constraints = [models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")),
                                              name="plan_dates_in_order")]

    def __str__(self):
        return self.title

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end is before the start.")})


class MilestoneStatus(models.TextChoices):
    PLANNED = "PLANNED", _("Planned")
    IN_PROGRESS = "IN_PROGRESS", _("In progress")
    DONE = "DONE", _("Done")
    DELAYED = "DELAYED", _("Delayed")
    CANCELLED = "CANCELLED", _("Cancelled")


class Milestone(models.Model):
    plan = models.ForeignKey(ImplementationPlan, on_delete=models.CASCADE, related_name="milestones",
                             verbose_name=_("plan"))
    title = models.CharField(_("title"), max_length=255)
    owner = models.CharField(_("owner"), max_length=255, help_text=_("The unit or person responsible."))
    start_date = models.DateField(_("start"), null=True, blank=True,
                                  help_text=_("Empty: the milestone's work starts with the plan."))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=MilestoneStatus.choices,
                              default=MilestoneStatus.PLANNED)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "due_date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(condition=Q(start_date__isnull=True) | Q(due_date__gte=models.F("start_date")),
                                   name="milestone_dates_in_order"),
            models.CheckConstraint(condition=~Q(status="DONE") | Q(completed_on__isnull=False),
                                   name="milestone_done_has_date"),
        ]

    def __str__(self):
        return f"{self.title} ({self.due_date})"

    def clean(self):
        errors = {}
        if self.start_date and self.due_date and self.due_date < self.start_date:
            errors["due_date"] = _("The due date is before the start.")
        if self.status == MilestoneStatus.DONE and not self.completed_on:
            errors["completed_on"] = _("Give the date the milestone was completed.")
        if self.completed_on and self.status != MilestoneStatus.DONE:
            errors["completed_on"] = _("Only a milestone that is done has a completion date.")
        if errors:
            raise ValidationError(errors)


class ReportKind(models.TextChoices):
    ANNUAL = "annual", _("Annual report")
    MIDTERM = "midterm", _("Mid-term report")
    PLAN = "plan", _("Implementation plan")


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX (Word)"
    XLSX = "xlsx", "XLSX (Excel)"
    CSV = "csv", _("CSV (zip)")


class ReportStatus(models.TextChoices):
    PENDING = "PENDING", _("Waiting")
    RUNNING = "RUNNING", _("Being built")
    DONE = "DONE", _("Ready")
    FAILED = "FAILED", _("Failed")


class ReportRequest(models.Model):
    """One report asked for: its parameters, its progress, and once built its file and data checksum."""

    kind = models.CharField(_("report"), max_length=8, choices=ReportKind.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True,
                             help_text=_("Count data up to this date (its whole month). Empty: the whole period."))
    plan = models.ForeignKey(ImplementationPlan, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="report_requests", verbose_name=_("implementation plan"))
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.TextField(_("message"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="report_requests", verbose_name=_("requested by"))
    file = PrivateFileField(_("file"), upload_to="reports/%Y/", blank=True, download_view="reports:download")
    checksum = models.CharField(_("data checksum"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report request")
        verbose_name_plural = _("report requests")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_at_most_100"),
            models.CheckConstraint(condition=~Q(kind="annual") | Q(year__isnull=False),
                                   name="report_annual_has_year"),
            models.CheckConstraint(condition=~Q(kind="midterm") | Q(period_start__isnull=False,
                                                                    period_end__isnull=False),
                                   name="report_midterm_has_period"),
            models.CheckConstraint(condition=~Q(kind="plan") | Q(plan__isnull=False), name="report_plan_has_plan"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.describe_period()} ({self.format}, {self.language})"

    def describe_period(self) -> str:
        if self.kind == ReportKind.ANNUAL:
            return str(self.year)
        if self.kind == ReportKind.MIDTERM:
            return f"{self.period_start} – {self.period_end}"
        return str(self.plan) if self.plan_id else ""

    @property
    def parameters(self) -> dict:
        return {"kind": self.kind, "year": self.year,
                "period_start": self.period_start.isoformat() if self.period_start else None,
                "period_end": self.period_end.isoformat() if self.period_end else None,
                "as_of": self.as_of.isoformat() if self.as_of else None, "plan": self.plan_id}

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)

    def clean(self):
        errors = {}
        if self.kind == ReportKind.ANNUAL and not self.year:
            errors["year"] = _("Give the year of the annual report.")
        if self.kind == ReportKind.MIDTERM:
            if not self.period_start:
                errors["period_start"] = _("Give the first day of the period.")
            if not self.period_end:
                errors["period_end"] = _("Give the last day of the period.")
            if self.period_start and self.period_end and self.period_end < self.period_start:
                errors["period_end"] = _("The period ends before it starts.")
        if self.kind == ReportKind.PLAN and not self.plan_id:
            errors["plan"] = _("Choose the implementation plan.")
        if errors:
            raise ValidationError(errors)
