"""Money: allocations, expenditure (with the rates that turned it into US$), approvals, and the imports they came from.

Figures are defined in delivery/figures.py and read through delivery.selectors; records are written by
delivery/services.py.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partners.models import Organisation
from projects.models import FundingSource, InputType, Project

REFERENCE_CURRENCY = "USD"


def validate_first_of_month(value):
    if value is not None and value.day != 1:
        raise ValidationError(_("A period is a month: use the first day of the month."), code="not_first_of_month")


class ImportKind(models.TextChoices):
    ALLOCATIONS = "allocations", _("Allocations")
    EXPENDITURE = "expenditure", _("Expenditure")
    RATES = "rates", _("Exchange rates")
    PROJECTS = "projects", _("Projects")
    APPROVALS = "approvals", _("Approvals")


class ImportStatus(models.TextChoices):
    APPLIED = "APPLIED", _("Applied")
    FAILED = "FAILED", _("Refused (errors)")


class ImportBatch(models.Model):
    """One uploaded file: who brought it, when, what it changed, or why it was refused."""

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="import_batches", verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=8, choices=ImportStatus.choices)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_created = models.PositiveIntegerField(_("created"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


class ExchangeRate(models.Model):
    """UN operational rate of exchange of a month: how many units of the currency buy one US$."""

    currency = models.CharField(_("currency"), max_length=3, help_text=_("ISO 4217 code"))
    period = models.DateField(_("period"), validators=[validate_first_of_month])
    units_per_usd = models.DecimalField(_("units per US$"), max_digits=18, decimal_places=6)

    class Meta:
        ordering = ["currency", "period"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "period"], name="unique_exchange_rate"),
            models.CheckConstraint(condition=Q(units_per_usd__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self):
        return f"{self.currency} {self.period:%Y-%m}: {self.units_per_usd}"


class Allocation(models.Model):
    """The approved allotment of a project for a year and source of funds; changes keep a revision."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="allocations",
                                verbose_name=_("project"))
    year = models.PositiveSmallIntegerField(_("year"))
    funding_source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="allocations",
                                       verbose_name=_("source of funds"))
    amount_usd = models.DecimalField(_("amount (US$)"), max_digits=16, decimal_places=2)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["project", "year", "funding_source"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "funding_source"], name="unique_allocation"),
            models.CheckConstraint(condition=Q(amount_usd__gte=0), name="allocation_not_negative"),
        ]
        indexes = [models.Index(fields=["year", "project"], name="allocation_year_project")]

    def __str__(self):
        return f"{self.project_id} {self.year} {self.funding_source_id}: {self.amount_usd}"


class AllocationRevision(models.Model):
    """Every amount an allocation has had: the first one (old amount empty) and each change, with who, when, why."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="revisions")
    old_amount_usd = models.DecimalField(_("earlier amount (US$)"), max_digits=16, decimal_places=2,
                                         null=True, blank=True)
    new_amount_usd = models.DecimalField(_("new amount (US$)"), max_digits=16, decimal_places=2)
    reason = models.TextField(_("reason"))
    revised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   verbose_name=_("revised by"))
    revised_at = models.DateTimeField(_("revised at"), auto_now_add=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="allocation_revisions")

    class Meta:
        ordering = ["-revised_at", "-id"]
        verbose_name = _("allocation revision")
        verbose_name_plural = _("allocation revisions")

    def __str__(self):
        return f"{self.allocation_id}: {self.old_amount_usd} → {self.new_amount_usd}"


class Expenditure(models.Model):
    """A monthly line of the financial system's extract; its US$ value is fixed when it is posted."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="expenditures",
                                verbose_name=_("project"))
    period = models.DateField(_("period"), validators=[validate_first_of_month])
    input_type = models.ForeignKey(InputType, on_delete=models.PROTECT, related_name="expenditures",
                                   verbose_name=_("type of input"))
    currency = models.CharField(_("currency"), max_length=3, default=REFERENCE_CURRENCY)
    # Whose money was spent: a file's line without one is the project's main source (delivery/services.py).
    funding_source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="expenditures",
                                       verbose_name=_("source of funds"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    exchange_rate = models.DecimalField(_("units per US$"), max_digits=18, decimal_places=6, default=1)
    amount_usd = models.DecimalField(_("amount (US$)"), max_digits=16, decimal_places=2)
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="expenditures")

    class Meta:
        ordering = ["project", "period", "input_type", "currency", "funding_source"]
        verbose_name = _("expenditure line")
        verbose_name_plural = _("expenditure lines")
        constraints = [
            # The key of a line (delivery/import_checks.py EXPENDITURE_KEY).
            models.UniqueConstraint(fields=["project", "period", "input_type", "currency", "funding_source"],
                                    name="unique_expenditure_line"),
            models.CheckConstraint(condition=Q(exchange_rate__gt=0), name="expenditure_rate_positive"),
        ]
        indexes = [models.Index(fields=["period", "project"], name="expenditure_period_project")]

    def __str__(self):
        return (f"{self.project_id} {self.period:%Y-%m} {self.input_type_id} {self.funding_source_id} "
                f"{self.amount} {self.currency}")


class ProjectMonthSpend(models.Model):
    """Rollup: Σ Expenditure.amount_usd of a project and month, kept by the import service in its transaction.

    Dashboards read this (one row per project and month) instead of the raw lines.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="month_spend")
    period = models.DateField(_("period"))
    amount_usd = models.DecimalField(_("amount (US$)"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["project", "period"]
        verbose_name = _("monthly spend")
        verbose_name_plural = _("monthly spend")
        constraints = [models.UniqueConstraint(fields=["project", "period"], name="unique_project_month_spend")]
        indexes = [models.Index(fields=["period", "project"], name="month_spend_period_project")]

    def __str__(self):
        return f"{self.project_id} {self.period:%Y-%m}: {self.amount_usd}"


class SourceMonthSpend(models.Model):
    """Rollup: Σ Expenditure.amount_usd of a project, month and source of funds, kept with ProjectMonthSpend (whose
    row of the month is the sum of these), for the figures grouped by source of funds or budget type."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="source_month_spend")
    period = models.DateField(_("period"))
    funding_source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("source of funds"))
    amount_usd = models.DecimalField(_("amount (US$)"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["project", "period", "funding_source"]
        verbose_name = _("monthly spend by source of funds")
        verbose_name_plural = _("monthly spend by source of funds")
        constraints = [models.UniqueConstraint(fields=["project", "period", "funding_source"],
                                               name="unique_source_month_spend")]
        indexes = [models.Index(fields=["period", "project"], name="source_spend_period_project")]

    def __str__(self):
        return f"{self.project_id} {self.period:%Y-%m} {self.funding_source_id}: {self.amount_usd}"


CUMULATIVE_FIELDS = tuple(f"spent_cents_to_m{month:02d}" for month in range(1, 13))


def _cumulative_spend_field(month: int) -> models.BigIntegerField:
    return models.BigIntegerField(format_lazy(_("spend from January to month {month} (US cents)"), month=month),
                                  default=0)


class YearDelivery(models.Model):
    """What a year rollup row holds: Σ allocation of the year and the spend from January to each month (running
    sums of a month rollup), so "expenditure as of month m" is one column and needs no addition.

    Amounts are whole US cents (exact): the dashboard sums tens of thousands of these rows per request, and
    integer sums cost PostgreSQL half of what numeric ones do. `has_allocation` and `first_spend_month` record
    that rows exist (an allocation of 0, a month netting to 0): a row with either is listed for the year even
    when its amounts are 0.
    """

    year = models.PositiveSmallIntegerField(_("year"))
    allocation_cents = models.BigIntegerField(_("allocation (US cents)"), default=0)
    has_allocation = models.BooleanField(_("has an allocation"), default=False)
    first_spend_month = models.PositiveSmallIntegerField(_("first month with spend"), null=True, blank=True)
    spent_cents_to_m01 = _cumulative_spend_field(1)
    spent_cents_to_m02 = _cumulative_spend_field(2)
    spent_cents_to_m03 = _cumulative_spend_field(3)
    spent_cents_to_m04 = _cumulative_spend_field(4)
    spent_cents_to_m05 = _cumulative_spend_field(5)
    spent_cents_to_m06 = _cumulative_spend_field(6)
    spent_cents_to_m07 = _cumulative_spend_field(7)
    spent_cents_to_m08 = _cumulative_spend_field(8)
    spent_cents_to_m09 = _cumulative_spend_field(9)
    spent_cents_to_m10 = _cumulative_spend_field(10)
    spent_cents_to_m11 = _cumulative_spend_field(11)
    spent_cents_to_m12 = _cumulative_spend_field(12)

    class Meta:
        abstract = True


def _month_in_year(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(first_spend_month__gte=1, first_spend_month__lte=12)
                                  | Q(first_spend_month__isnull=True), name=name)


class ProjectYearDelivery(YearDelivery):
    """Rollup: a project's year in one row (Allocation and ProjectMonthSpend of the project).

    Kept by the import services (and allocation_set) in their transaction, so the dashboard reads one row per
    project whatever the number of months or lines; `rebuild_year_delivery` recomputes it from scratch.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="year_delivery")

    class Meta:
        ordering = ["project", "year"]
        verbose_name = _("delivery of a project's year")
        verbose_name_plural = _("delivery of projects' years")
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="unique_project_year_delivery"),
            _month_in_year("year_delivery_month_in_year"),
        ]
        indexes = [models.Index(fields=["year", "project"], name="year_delivery_year_project")]

    def __str__(self):
        return f"{self.project_id} {self.year}: {self.allocation_cents / 100:.2f}"


class SourceYearDelivery(YearDelivery):
    """Rollup: a project's year and source of funds in one row (its Allocation and SourceMonthSpend rows of that
    source): what figures grouped by source of funds or budget type read. A project's rows add up to its
    ProjectYearDelivery row. Kept with ProjectYearDelivery, by the same services and the same rebuild."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="source_year_delivery")
    funding_source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("source of funds"))

    class Meta:
        ordering = ["project", "year", "funding_source"]
        verbose_name = _("delivery of a project's year by source of funds")
        verbose_name_plural = _("delivery of projects' years by source of funds")
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "funding_source"], name="unique_source_year_delivery"),
            _month_in_year("source_year_delivery_month_in_year"),
        ]
        indexes = [models.Index(fields=["year", "project"], name="source_year_year_project")]

    def __str__(self):
        return f"{self.project_id} {self.year} {self.funding_source_id}: {self.allocation_cents / 100:.2f}"


class Approval(models.Model):
    """New extra-budgetary funds approved by a donor for a project (the funding-sources report); its organisation
    counts as a donor of the project in every donor filter (projects.selectors.funded_by).

    The amount is kept in the currency of the decision; its US$ value is fixed with the rate of the month of the
    decision when it is written (delivery/services.py), as expenditure is."""

    donor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="approvals",
                              verbose_name=_("donor"))
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="approvals",
                                verbose_name=_("project"))
    date = models.DateField(_("date approved"))
    currency = models.CharField(_("currency"), max_length=3, default=REFERENCE_CURRENCY, help_text=_("ISO 4217 code"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    exchange_rate = models.DecimalField(_("units per US$"), max_digits=18, decimal_places=6, default=1)
    amount_usd = models.DecimalField(_("amount (US$)"), max_digits=16, decimal_places=2)
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="approvals")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [models.CheckConstraint(condition=Q(amount_usd__gt=0), name="approval_positive"),
                       models.CheckConstraint(condition=Q(exchange_rate__gt=0), name="approval_rate_positive")]

    def __str__(self):
        return f"{self.donor} → {self.project_id} {self.date}: {self.amount_usd}"

    def clean(self):
        if self.donor_id and not self.donor.may_fund:
            raise ValidationError({"donor": _("An employers' or workers' organisation cannot be the donor.")})
