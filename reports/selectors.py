"""The Governing Body reports' tables (DESIGN.md §2 "Governing Body reports", para 43 and 53): the one place where
they are computed; the builders (PDF, DOCX, XLSX, CSV), the task and the command only lay them out.

Figures and conventions:
- Money is in US$ thousands, kept as unrounded Decimal (cents ÷ 1000); percentages are kept as unrounded Decimal
  percent values (45.5 means 45.5 %); rounding happens only when a builder shows them (PDF, DOCX).
- A report covers a *period* of whole months: the calendar year for the annual report, any range for the mid-term
  report. It is compared with the period before of the same length (the year before). With an `as_of` date, data
  count up to the month of as_of (expenditure is monthly) and the previous period is cut at the same point
  (as_of moved back by the period's length), so "to October" is compared with "to October of the year before".
- Expenditure and allocations come from delivery.selectors.delivery_by, so every figure equals what the delivery
  dashboard and `delivery_table` show for the same year and as-of date. A period spanning several years sums
  delivery_by year by year; a period starting after January subtracts the months before its start. Allocations
  are annual: each year the period touches counts with its whole allocation.
- A project is attributed to its own classification: its region (a multi-country project counts once, in its
  region), its source of funds, its strategic objective and primary InFocus programme, its gender marker.
  Field-of-activity and gender tables sum delivery_by("project") rows by those attributes, so they add up to
  the same totals as the one-dimension tables.
- Least developed countries: a project's expenditure is split evenly among its countries; the shares of the
  countries that were LDCs in the year (Country.was_ldc_in(year): current LDCs, and graduated ones before
  their graduation) count, in the LDC's own region. Regional and interregional projects with no country count
  nothing. For the previous period, LDC status of the previous year applies.
- Experts: assignments of the years of the period, by the region of their project (national / international
  is the assignment's category). Training: activities starting in the period. Approvals: approved in the period.
- Tripartite involvement: the cells of the projects of the period's portfolio (projects with an allocation or
  spend in a year of the period), autonomous projects excluded (para 51(6)); "realised" = contemplated and
  happened by the end of the period (or as_of).
- Early warnings: alerts of the period's years raised in the period; evaluations: completed in the period.
- data_checksum: SHA-256 over the parameters and counts and sums of every table the report reads, up to the
  period's end; the same parameters on the same data give the same figures and the same checksum.
"""

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, Sum
from django.utils.translation import gettext as _

from alerts.models import Alert, AlertState, RuleCode, Severity, SlippageReason
from delivery.models import Allocation, Approval, Expenditure, ProjectYearDelivery
from delivery.selectors import DeliveryRow, delivery_by, delivery_rate
from evaluation.models import (
    CRITERIA,
    Evaluation,
    EvaluationStatus,
    EvaluationType,
    FollowUpStatus,
    Lesson,
    Recommendation,
    ResponseKind,
)
from partners.models import Country, Organisation, Region
from projects.models import (
    ConstituentGroup,
    ExpertAssignment,
    ExpertCategory,
    FundingSource,
    GenderMarker,
    InputType,
    InvolvementStage,
    Programme,
    Project,
    StrategicObjective,
    TrainingActivity,
    TripartiteInvolvement,
)
from reports.models import ImplementationPlan, MilestoneStatus

THOUSAND = Decimal(1000)
HUNDRED = Decimal(100)
ZERO = Decimal(0)

TEXT, MONEY, PERCENT, COUNT, NUMBER = "text", "money", "percent", "count", "number"

# The XLSX sheet of each table: fixed English names (other tools read them), whatever the report's language.
SHEETS = {
    "by_source": "By source of funds", "by_region": "By region", "by_input": "By type of input",
    "by_field": "By field of activity", "ldc": "LDCs", "experts": "Experts", "training": "Training",
    "delivery_by_field": "Delivery by field", "approvals": "Approvals by donor",
    "tripartite": "Tripartite involvement", "gender": "Gender marker", "early_warnings": "Early warnings",
    "evaluations": "Evaluations",
}


# ---------------------------------------------------------------- periods


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    last_day = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last_day))


def _month_end(day: dt.date) -> dt.date:
    return _add_months(day.replace(day=1), 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """Whole months from `start` (a first of month) to `end` (a last of month)."""

    start: dt.date
    end: dt.date

    @classmethod
    def of_year(cls, year: int) -> "Period":
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> "Period":
        """The months from start's to end's (data are monthly, so a month counts whole)."""
        if end < start:
            raise ValueError(_("The period ends before it starts."))
        return cls(start.replace(day=1), _month_end(end))

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    @property
    def is_calendar_year(self) -> bool:
        return self.start == dt.date(self.start.year, 1, 1) and self.end == dt.date(self.start.year, 12, 31)

    def previous(self) -> "Period":
        return Period(_add_months(self.start, -self.months), self.start - dt.timedelta(days=1))

    def shift_as_of(self, as_of: dt.date | None) -> dt.date | None:
        """as_of moved back by this period's length: the same point of the previous period."""
        return None if as_of is None else _add_months(as_of, -self.months)

    def last_day(self, as_of: dt.date | None) -> dt.date:
        """The last day whose data count: the period's end, or as_of if earlier (may be before the start)."""
        return self.end if as_of is None else min(self.end, as_of)

    @property
    def label(self) -> str:
        if self.is_calendar_year:
            return str(self.start.year)
        return f"{self.start:%Y-%m}–{self.end:%Y-%m}"


# ---------------------------------------------------------------- tables


@dataclass
class Column:
    label: str
    kind: str = TEXT


@dataclass
class ReportTable:
    key: str
    title: str
    columns: list[Column]
    rows: list[list]
    total: list | None = None
    note: str = ""

    @property
    def sheet(self) -> str:
        return SHEETS.get(self.key, self.key.replace("_", " ").capitalize())

    @property
    def headers(self) -> list[str]:
        return [column.label for column in self.columns]

    def column(self, label: str) -> list:
        index = self.headers.index(label)
        return [row[index] for row in self.rows]


@dataclass
class LessonItem:
    kind: str
    title: str
    text: str
    source: str


@dataclass
class GbReport:
    kind: str
    title: str
    period: Period
    previous: Period
    as_of: dt.date | None
    tables: list[ReportTable]
    lessons: list[LessonItem] = field(default_factory=list)
    checksum: str = ""

    def table(self, key: str) -> ReportTable:
        return next(t for t in self.tables if t.key == key)


def thousands(usd) -> Decimal:
    return Decimal(usd) / THOUSAND


def share(part, total) -> Decimal | None:
    """part as a percentage of total (None when the total is 0)."""
    return None if not total else Decimal(part) * HUNDRED / Decimal(total)


def change(current, previous) -> Decimal | None:
    """% change from previous to current (None when previous is 0)."""
    return None if not previous else (Decimal(current) - Decimal(previous)) * HUNDRED / Decimal(previous)


def _money_header(label: str) -> str:
    return _("%(period)s (US$ '000)") % {"period": label}


# ---------------------------------------------------------------- delivery over a period


def period_delivery_by(*, dimension: str, period: Period, as_of: dt.date | None = None,
                       filters: dict | None = None) -> list[DeliveryRow]:
    """delivery_by over a period of whole months (see the module's docstring), sorted by label."""
    last_day = period.last_day(as_of)
    sums: dict = {}
    for year in period.years:
        # Counting up to a day before the period (as_of earlier than its start) counts no spend at all.
        upto = last_day if last_day >= period.start else period.start - dt.timedelta(days=1)
        for row in delivery_by(dimension=dimension, year=year, as_of=upto, filters=filters):
            label, allocation, spent = sums.get(row.group_key, (row.group_label, ZERO, ZERO))
            sums[row.group_key] = (label, allocation + row.allocation_usd, spent + row.expenditure_usd)
        if year == period.start.year and period.start.month > 1:
            before = period.start - dt.timedelta(days=1)
            for row in delivery_by(dimension=dimension, year=year, as_of=before, filters=filters):
                label, allocation, spent = sums.get(row.group_key, (row.group_label, ZERO, ZERO))
                sums[row.group_key] = (label, allocation, spent - row.expenditure_usd)
    rows = [DeliveryRow(key, label, allocation, spent, delivery_rate(spent, allocation))
            for key, (label, allocation, spent) in sums.items()]
    return sorted(rows, key=lambda r: r.group_label)


@dataclass
class _Portfolio:
    """Per project: (allocation, expenditure) in the period, and the attributes tables group by."""

    figures: dict[int, tuple[Decimal, Decimal]]
    attributes: dict[int, tuple]  # id → (objective_id, programme_id, source_id, region_id, gender_marker)


def _portfolio(period: Period, as_of: dt.date | None) -> _Portfolio:
    rows = period_delivery_by(dimension="project", period=period, as_of=as_of)
    figures = {row.group_key: (row.allocation_usd, row.expenditure_usd) for row in rows}
    in_years = ProjectYearDelivery.objects.filter(year__in=period.years).values("project_id")
    attributes = {pk: rest for pk, *rest in Project.objects.filter(pk__in=in_years).values_list(
        "pk", "strategic_objective_id", "primary_programme_id", "funding_source_id", "region_id", "gender_marker")}
    return _Portfolio(figures, {pk: tuple(values) for pk, values in attributes.items()})


def _by_key(rows: list[DeliveryRow]) -> dict:
    return {row.group_key: row for row in rows}


# ---------------------------------------------------------------- table builders


def _compare_table(key: str, title: str, first_header: str, current: dict, previous: dict, labels: dict,
                   period: Period, previous_period: Period, order: list | None = None, note: str = "") -> ReportTable:
    """Label · previous (US$ '000) · % · current (US$ '000) · % · % change; amounts given in US$."""
    keys = order if order is not None else sorted(set(current) | set(previous), key=lambda k: str(labels.get(k, k)))
    total_current = sum(current.values(), ZERO)
    total_previous = sum(previous.values(), ZERO)
    columns = [Column(first_header), Column(_money_header(previous_period.label), MONEY),
               Column(_("%(period)s (%% of total)") % {"period": previous_period.label}, PERCENT),
               Column(_money_header(period.label), MONEY),
               Column(_("%(period)s (%% of total)") % {"period": period.label}, PERCENT),
               Column(_("Change (%)"), PERCENT)]
    rows = []
    for k in keys:
        now, before = current.get(k, ZERO), previous.get(k, ZERO)
        rows.append([str(labels.get(k, k)), thousands(before), share(before, total_previous), thousands(now),
                     share(now, total_current), change(now, before)])
    total = [_("Total"), thousands(total_previous), share(total_previous, total_previous) if rows else None,
             thousands(total_current), share(total_current, total_current) if rows else None,
             change(total_current, total_previous)]
    return ReportTable(key, title, columns, rows, total, note)


# Rows of these dimensions follow the reference list's own order (sort_order), as in the Governing Body tables.
ORDERED_BY = {"funding_source": FundingSource, "region": Region, "input_type": InputType}


def _delivery_compare(key, title, first_header, dimension, period, previous_period, as_of, previous_as_of, note=""):
    current = period_delivery_by(dimension=dimension, period=period, as_of=as_of)
    before = period_delivery_by(dimension=dimension, period=previous_period, as_of=previous_as_of)
    labels = {r.group_key: r.group_label for r in [*before, *current]}
    keys = set(labels)
    order = [pk for pk in ORDERED_BY[dimension].objects.values_list("pk", flat=True) if pk in keys]
    order += sorted(keys - set(order), key=lambda k: str(labels[k]))
    return _compare_table(key, title, first_header, {r.group_key: r.expenditure_usd for r in current},
                          {r.group_key: r.expenditure_usd for r in before}, labels, period, previous_period,
                          order=order, note=note)


def _sources() -> list[FundingSource]:
    return list(FundingSource.objects.all())


def _cross_table(key: str, title: str, label_headers: list[str], current: dict, previous: dict,
                 labels: dict, sources: list[FundingSource], period: Period, previous_period: Period,
                 note: str = "") -> ReportTable:
    """Rows × source of funds (current period), then total, % of total, previous total and % change.

    current/previous: {(row_key, source_id): US$}; labels: {row_key: [label cells]}."""
    used = {s for (_row, s) in current} | {s for (_row, s) in previous}
    shown = [s for s in sources if s.pk in used]
    row_keys = sorted({r for (r, _s) in current} | {r for (r, _s) in previous},
                      key=lambda r: [str(cell) for cell in labels[r]])
    row_now = defaultdict(Decimal)
    row_before = defaultdict(Decimal)
    for (r, _s), amount in current.items():
        row_now[r] += amount
    for (r, _s), amount in previous.items():
        row_before[r] += amount
    total_now, total_before = sum(row_now.values(), ZERO), sum(row_before.values(), ZERO)
    columns = ([Column(h) for h in label_headers] + [Column(f"{s.name} (US$ '000)", MONEY) for s in shown]
               + [Column(_money_header(period.label), MONEY), Column(_("Share of total (%)"), PERCENT),
                  Column(_money_header(previous_period.label), MONEY), Column(_("Change (%)"), PERCENT)])
    rows = []
    for r in row_keys:
        rows.append([*[str(cell) for cell in labels[r]],
                     *[thousands(current.get((r, s.pk), ZERO)) for s in shown],
                     thousands(row_now[r]), share(row_now[r], total_now), thousands(row_before[r]),
                     change(row_now[r], row_before[r])])
    by_source = defaultdict(Decimal)
    for (_r, s), amount in current.items():
        by_source[s] += amount
    total = [_("Total"), *[""] * (len(label_headers) - 1), *[thousands(by_source[s.pk]) for s in shown],
             thousands(total_now), share(total_now, total_now) if rows else None, thousands(total_before),
             change(total_now, total_before)]
    return ReportTable(key, title, columns, rows, total, note)


def _field_labels(keys) -> dict:
    objectives = {o.pk: str(o) for o in StrategicObjective.objects.filter(pk__in={o for o, _p in keys})}
    programmes = {p.pk: str(p) for p in Programme.objects.filter(pk__in={p for _o, p in keys if p})}
    none = _("(no programme)")
    return {(o, p): [objectives.get(o, o), programmes.get(p, none) if p else none] for o, p in keys}


def _field_sums(portfolio: _Portfolio, *, index: int) -> dict:
    """{((objective, programme), source): Σ figure[index]} (0 allocation, 1 expenditure)."""
    sums = defaultdict(Decimal)
    for pk, values in portfolio.figures.items():
        objective, programme, source, _region, _marker = portfolio.attributes[pk]
        sums[((objective, programme), source)] += values[index]
    return sums


def _ldc_sums(period: Period, portfolio: _Portfolio) -> dict:
    """{(region_id, source_id): US$}: each project's expenditure split evenly among its countries, the shares of
    the countries that were LDCs in the period's last year counted in their region."""
    year = period.end.year
    ldc = Q(is_ldc=True) | Q(ldc_graduation_year__gt=year)
    through = Project.countries.through
    country_counts = dict(through.objects.values("project_id").annotate(n=Count("id")).values_list(
        "project_id", "n"))
    ldc_rows = through.objects.filter(country__in=Country.objects.filter(ldc)).values(
        "project_id", "country__region_id").annotate(n=Count("id")).values_list("project_id", "country__region_id", "n")
    sums = defaultdict(Decimal)
    for project_id, region_id, ldc_count in ldc_rows:
        if project_id not in portfolio.figures:
            continue
        spent = portfolio.figures[project_id][1]
        source = portfolio.attributes[project_id][2]
        sums[(region_id, source)] += spent * ldc_count / country_counts[project_id]
    return sums


def _experts_table(period: Period) -> ReportTable:
    counts = defaultdict(lambda: [0, 0, ZERO, ZERO])
    for region_id, category, n, months in (ExpertAssignment.objects.filter(year__in=period.years)
                                           .values("project__region_id", "category")
                                           .annotate(n=Count("id"), months=Sum("work_months"))
                                           .values_list("project__region_id", "category", "n", "months")):
        national = category == ExpertCategory.NATIONAL
        cell = counts[region_id]
        cell[0 if national else 1] += n
        cell[2 if national else 3] += Decimal(months or 0)
    labels = {r.pk: r.name for r in Region.objects.filter(pk__in=counts)}
    order = [r.pk for r in Region.objects.filter(pk__in=counts)]
    columns = [Column(_("Region")), Column(_("National experts"), COUNT), Column(_("International experts"), COUNT),
               Column(_("All experts"), COUNT), Column(_("National (%)"), PERCENT),
               Column(_("Work-months, national"), NUMBER), Column(_("Work-months, international"), NUMBER)]
    rows = []
    for region_id in order:
        national, international, months_national, months_international = counts[region_id]
        rows.append([labels[region_id], national, international, national + international,
                     share(national, national + international), months_national, months_international])
    sums = [sum(row[i] for row in rows) for i in (1, 2, 3)]
    total = [_("Total"), sums[0], sums[1], sums[2], share(sums[0], sums[2]),
             sum((row[5] for row in rows), ZERO), sum((row[6] for row in rows), ZERO)]
    return ReportTable("experts", _("Nationality of experts, by region"), columns, rows, total,
                       _("Expert assignments of %(period)s, by the region of their project.") % {
                           "period": period.label})


def _training_counts(start: dt.date, last_day: dt.date) -> dict:
    return {turin: (n, women or 0, men or 0) for turin, n, women, men in (
        TrainingActivity.objects.filter(start_date__gte=start, start_date__lte=last_day)
        .values("is_turin_centre").annotate(n=Count("id"), women=Sum("women"), men=Sum("men"))
        .values_list("is_turin_centre", "n", "women", "men"))}


def _training_table(period, previous_period, as_of, previous_as_of) -> ReportTable:
    now = _training_counts(period.start, period.last_day(as_of))
    before = _training_counts(previous_period.start, previous_period.last_day(previous_as_of))
    columns = [Column(_("Where trained")), Column(_("Activities"), COUNT), Column(_("Women"), COUNT),
               Column(_("Men"), COUNT), Column(_("Participants"), COUNT), Column(_("Women (%)"), PERCENT),
               Column(_("Participants, %(period)s") % {"period": previous_period.label}, COUNT),
               Column(_("Change (%)"), PERCENT)]
    rows = []
    for turin, label in ((True, _("Turin Centre")), (False, _("Other training"))):
        n, women, men = now.get(turin, (0, 0, 0))
        _n, women_before, men_before = before.get(turin, (0, 0, 0))
        rows.append([label, n, women, men, women + men, share(women, women + men), women_before + men_before,
                     change(women + men, women_before + men_before)])
    sums = [sum(row[i] for row in rows) for i in (1, 2, 3, 4, 6)]
    total = [_("Total"), sums[0], sums[1], sums[2], sums[3], share(sums[1], sums[3]), sums[4],
             change(sums[3], sums[4])]
    return ReportTable("training", _("Training participants"), columns, rows, total)


def _delivery_by_field_table(portfolio: _Portfolio, period: Period) -> ReportTable:
    allocation = defaultdict(Decimal)
    spent = defaultdict(Decimal)
    for (row_key, _source), amount in _field_sums(portfolio, index=0).items():
        allocation[row_key] += amount
    for (row_key, _source), amount in _field_sums(portfolio, index=1).items():
        spent[row_key] += amount
    keys = set(allocation) | set(spent)
    labels = _field_labels(keys)
    columns = [Column(_("Strategic objective")), Column(_("InFocus programme")),
               Column(_("Allocation (US$ '000)"), MONEY), Column(_("Expenditure (US$ '000)"), MONEY),
               Column(_("Delivery rate (%)"), PERCENT)]
    rows = [[*labels[k], thousands(allocation[k]), thousands(spent[k]), share(spent[k], allocation[k])]
            for k in sorted(keys, key=lambda k: [str(c) for c in labels[k]])]
    total_allocation, total_spent = sum(allocation.values(), ZERO), sum(spent.values(), ZERO)
    total = [_("Total"), "", thousands(total_allocation), thousands(total_spent), share(total_spent, total_allocation)]
    return ReportTable("delivery_by_field", _("Delivery rate by field of activity, %(period)s") % {
        "period": period.label}, columns, rows, total,
        _("Delivery rate = expenditure ÷ allocation; a group's rate is Σ expenditure ÷ Σ allocation."))


def _approvals(start: dt.date, last_day: dt.date) -> dict:
    return dict(Approval.objects.filter(date__gte=start, date__lte=last_day).values("donor_id")
                .annotate(total=Sum("amount_usd")).values_list("donor_id", "total"))


def _tripartite_table(period: Period, as_of: dt.date | None) -> ReportTable:
    last_day = period.last_day(as_of)
    in_portfolio = ProjectYearDelivery.objects.filter(year__in=period.years).values("project_id")
    happened = Q(actual_date__isnull=False, actual_date__lte=last_day)
    cells = {(stage, group): values for stage, group, *values in (
        TripartiteInvolvement.objects.filter(project__in=in_portfolio, project__is_autonomous=False)
        .values("stage", "group")
        .annotate(contemplated_n=Count("id", filter=Q(contemplated=True)),
                  realised=Count("id", filter=Q(contemplated=True) & happened),
                  unplanned=Count("id", filter=Q(contemplated=False) & happened),
                  women_n=Sum("women", filter=happened), men_n=Sum("men", filter=happened))
        .values_list("stage", "group", "contemplated_n", "realised", "unplanned", "women_n", "men_n"))}
    columns = [Column(_("Stage")), Column(_("Constituent group")), Column(_("Contemplated"), COUNT),
               Column(_("Realised"), COUNT), Column(_("Realised (%)"), PERCENT),
               Column(_("Not contemplated but happened"), COUNT), Column(_("Women taking part"), COUNT),
               Column(_("Men taking part"), COUNT)]
    rows = []
    for stage in InvolvementStage:
        for group in ConstituentGroup:
            contemplated, realised, unplanned, women, men = cells.get((stage.value, group.value), (0, 0, 0, 0, 0))
            rows.append([str(stage.label), str(group.label), contemplated, realised, share(realised, contemplated),
                         unplanned, women or 0, men or 0])
    sums = [sum(row[i] for row in rows) for i in (2, 3, 5, 6, 7)]
    total = [_("Total"), "", sums[0], sums[1], share(sums[1], sums[0]), sums[2], sums[3], sums[4]]
    return ReportTable("tripartite", _("Tripartite involvement: contemplated and actual, by stage and group"),
                       columns, rows, total,
                       _("Projects of the period; programmes requiring autonomy are exempt and left out."))


def _gender_table(portfolio: _Portfolio) -> ReportTable:
    projects = defaultdict(int)
    spent = defaultdict(Decimal)
    for pk, (_allocation, expenditure) in portfolio.figures.items():
        marker = portfolio.attributes[pk][4]
        projects[marker] += 1
        spent[marker] += expenditure
    total_projects, total_spent = sum(projects.values()), sum(spent.values(), ZERO)
    columns = [Column(_("Gender marker")), Column(_("Projects"), COUNT), Column(_("Share of projects (%)"), PERCENT),
               Column(_("Expenditure (US$ '000)"), MONEY), Column(_("Share of expenditure (%)"), PERCENT)]
    rows = [[str(marker.label), projects[marker.value], share(projects[marker.value], total_projects),
             thousands(spent[marker.value]), share(spent[marker.value], total_spent)] for marker in GenderMarker]
    total = [_("Total"), total_projects, share(total_projects, total_projects), thousands(total_spent),
             share(total_spent, total_spent)]
    return ReportTable("gender", _("Gender-marker distribution"), columns, rows, total)


def _early_warnings_table(period: Period, as_of: dt.date | None) -> ReportTable:
    alerts = Alert.objects.filter(period__in=period.years, raised_on__gte=period.start,
                                  raised_on__lte=period.last_day(as_of))
    reasons = list(SlippageReason.objects.all())
    by_rule = {code: values for code, *values in alerts.values("rule__code").annotate(
        raised=Count("id"), red=Count("id", filter=Q(severity=Severity.RED)),
        explained=Count("id", filter=Q(slippage_reason__isnull=False)),
        resolved=Count("id", filter=Q(state=AlertState.RESOLVED))).values_list(
        "rule__code", "raised", "red", "explained", "resolved")}
    by_reason = {(code, reason): n for code, reason, n in alerts.filter(slippage_reason__isnull=False).values(
        "rule__code", "slippage_reason_id").annotate(n=Count("id")).values_list(
        "rule__code", "slippage_reason_id", "n")}
    columns = [Column(_("Early-warning rule")), Column(_("Raised"), COUNT), Column(_("Red"), COUNT),
               Column(_("Explained"), COUNT), Column(_("Resolved"), COUNT),
               *[Column(_("Reason: %(reason)s") % {"reason": reason}, COUNT) for reason in reasons]]
    rows = []
    for code in RuleCode:
        if code.value not in by_rule:
            continue
        rows.append([str(code.label), *by_rule[code.value],
                     *[by_reason.get((code.value, reason.pk), 0) for reason in reasons]])
    total = [_("Total"), *[sum(row[i] for row in rows) for i in range(1, len(columns))]]
    return ReportTable("early_warnings", _("Early warnings raised and reasons for slippage"), columns, rows, total)


def _completed_evaluations(period: Period, as_of: dt.date | None):
    return Evaluation.objects.filter(status=EvaluationStatus.COMPLETED, actual_date__gte=period.start,
                                     actual_date__lte=period.last_day(as_of))


def _evaluations_table(period: Period, as_of: dt.date | None) -> ReportTable:
    completed = _completed_evaluations(period, as_of)
    rating_sums = {f"{c}_sum": Sum(c) for c in CRITERIA} | {f"{c}_n": Count(c) for c in CRITERIA}
    by_type = {row["type"]: row for row in completed.order_by().values("type").annotate(n=Count("id"), **rating_sums)}
    recommendations = {row["evaluation__type"]: row for row in (
        Recommendation.objects.filter(evaluation__in=completed).order_by().values("evaluation__type").annotate(
            n=Count("id"),
            accepted=Count("id", filter=Q(response__response__in=[ResponseKind.ACCEPTED, ResponseKind.PARTIAL])),
            followed=Count("id", filter=Q(response__follow_up_status=FollowUpStatus.COMPLETED))))}
    criteria_labels = {c: str(Evaluation._meta.get_field(c).verbose_name).capitalize() for c in CRITERIA}
    columns = [Column(_("Type of evaluation")), Column(_("Completed"), COUNT),
               *[Column(_("Mean rating: %(criterion)s") % {"criterion": criteria_labels[c]}, NUMBER)
                 for c in CRITERIA],
               Column(_("Recommendations"), COUNT), Column(_("Accepted"), COUNT), Column(_("Followed up"), COUNT),
               Column(_("Accepted and followed up (%)"), PERCENT)]
    rows = []
    sums = defaultdict(int)
    for kind in EvaluationType:
        if kind.value not in by_type and kind.value not in recommendations:
            continue
        figures = by_type.get(kind.value, {})
        recs = recommendations.get(kind.value, {"n": 0, "accepted": 0, "followed": 0})
        for c in CRITERIA:
            sums[f"{c}_sum"] += figures.get(f"{c}_sum") or 0
            sums[f"{c}_n"] += figures.get(f"{c}_n") or 0
        rows.append([str(kind.label), figures.get("n", 0),
                     *[Decimal(figures[f"{c}_sum"]) / figures[f"{c}_n"] if figures.get(f"{c}_n") else None
                       for c in CRITERIA],
                     recs["n"], recs["accepted"], recs["followed"], share(recs["followed"], recs["accepted"])])
    count_sum = sum(row[1] for row in rows)
    offset = 2 + len(CRITERIA)
    rec_sums = [sum(row[offset + i] for row in rows) for i in range(3)]
    total = [_("Total"), count_sum,
             *[Decimal(sums[f"{c}_sum"]) / sums[f"{c}_n"] if sums[f"{c}_n"] else None for c in CRITERIA],
             *rec_sums, share(rec_sums[2], rec_sums[1])]
    return ReportTable("evaluations", _("Evaluations completed, ratings and follow-up of recommendations"),
                       columns, rows, total,
                       _("Ratings on a six-point scale (6 highly satisfactory); the total row gives the mean of all "
                         "ratings given."))


LESSONS_SHOWN = 12


def _lessons(period: Period, as_of: dt.date | None) -> list[LessonItem]:
    """Validated lessons and good practices from the period's evaluations, or recorded during the period."""
    last_day = period.last_day(as_of)
    lessons = (Lesson.objects.filter(is_validated=True)
               .filter(Q(evaluation__in=_completed_evaluations(period, as_of))
                       | Q(created_at__date__gte=period.start, created_at__date__lte=last_day))
               .select_related("evaluation", "project").order_by("kind", "title", "id")[:LESSONS_SHOWN])
    return [LessonItem(str(lesson.get_kind_display()), lesson.title, lesson.text,
                       lesson.evaluation.title if lesson.evaluation else (lesson.project.symbol if lesson.project
                                                                          else "")) for lesson in lessons]


# ---------------------------------------------------------------- the reports


def period_report(*, period: Period, as_of: dt.date | None = None, kind: str = "annual",
                  progress: Callable[[int], None] | None = None) -> GbReport:
    """Every table of the annual (or mid-term) report for `period`, compared with the period before."""
    report_progress = progress or (lambda _percent: None)
    previous = period.previous()
    previous_as_of = period.shift_as_of(as_of)
    tables = []

    tables.append(_delivery_compare("by_source", _("Expenditure by source of funds"), _("Source of funds"),
                                    "funding_source", period, previous, as_of, previous_as_of))
    tables.append(_delivery_compare(
        "by_region", _("Expenditure by region"), _("Region"), "region", period, previous, as_of, previous_as_of,
        note=_("A project counts in its own region; multi-country projects are not split.")))
    tables.append(_delivery_compare("by_input", _("Expenditure by type of input"), _("Type of input"), "input_type",
                                    period, previous, as_of, previous_as_of))
    report_progress(20)

    portfolio = _portfolio(period, as_of)
    portfolio_before = _portfolio(previous, previous_as_of)
    sources = _sources()
    current = _field_sums(portfolio, index=1)
    before = _field_sums(portfolio_before, index=1)
    tables.append(_cross_table(
        "by_field", _("Expenditure by field of activity and source of funds"),
        [_("Strategic objective"), _("InFocus programme")], current, before,
        _field_labels({k for k, _s in [*current, *before]}), sources, period, previous,
        note=_("A project counts under its strategic objective and primary InFocus programme.")))
    report_progress(40)

    ldc_now = _ldc_sums(period, portfolio)
    ldc_before = _ldc_sums(previous, portfolio_before)
    region_labels = {r.pk: [r.name] for r in Region.objects.all()}
    tables.append(_cross_table(
        "ldc", _("Expenditure in least developed countries, by region and source of funds"), [_("Region")],
        ldc_now, ldc_before, region_labels, sources, period, previous,
        note=_("A project's expenditure is split evenly among its countries; the shares of countries that were "
               "least developed countries in %(year)s count, in their region.") % {"year": period.end.year}))
    tables.append(_experts_table(period))
    tables.append(_training_table(period, previous, as_of, previous_as_of))
    tables.append(_delivery_by_field_table(portfolio, period))
    report_progress(60)

    approvals_now = _approvals(period.start, period.last_day(as_of))
    approvals_before = _approvals(previous.start, previous.last_day(previous_as_of))
    donors = {o.pk: str(o) for o in Organisation.objects.filter(pk__in=set(approvals_now) | set(approvals_before))}
    tables.append(_compare_table("approvals", _("Approvals of extra-budgetary funds, by donor"), _("Donor"),
                                 approvals_now, approvals_before, donors, period, previous,
                                 note=_("New extra-budgetary funds approved in the period (funding sources, "
                                        "para 43).")))
    tables.append(_tripartite_table(period, as_of))
    tables.append(_gender_table(portfolio))
    report_progress(75)
    tables.append(_early_warnings_table(period, as_of))
    tables.append(_evaluations_table(period, as_of))
    lessons = _lessons(period, as_of)
    report_progress(85)

    if kind == "midterm":
        title = _("Mid-term report on technical cooperation, %(period)s") % {"period": period.label}
    else:
        title = _("Technical cooperation programme of the ILO, %(period)s") % {"period": period.label}
    return GbReport(kind=kind, title=title, period=period, previous=previous, as_of=as_of, tables=tables,
                    lessons=lessons, checksum=data_checksum(period=period, as_of=as_of))


def annual_report(*, year: int, as_of: dt.date | None = None,
                  progress: Callable[[int], None] | None = None) -> GbReport:
    return period_report(period=Period.of_year(year), as_of=as_of, kind="annual", progress=progress)


def midterm_report(*, start: dt.date, end: dt.date, as_of: dt.date | None = None,
                   progress: Callable[[int], None] | None = None) -> GbReport:
    return period_report(period=Period.between(start, end), as_of=as_of, kind="midterm", progress=progress)


def plan_report(*, plan: ImplementationPlan, as_of: dt.date | None = None) -> GbReport:
    """The implementation plan: its timetable as a table (the builders add the Gantt-like chart)."""
    milestones = list(plan.milestones.all())
    columns = [Column(_("Milestone")), Column(_("Owner")), Column(_("Start")), Column(_("Due date")),
               Column(_("Status")), Column(_("Completed on"))]
    rows = [[m.title, m.owner, (m.start_date or plan.start_date).isoformat(), m.due_date.isoformat(),
             str(m.get_status_display()), m.completed_on.isoformat() if m.completed_on else ""] for m in milestones]
    done = sum(1 for m in milestones if m.status == MilestoneStatus.DONE)
    table = ReportTable("timetable", _("Timetable"), columns, rows, None,
                        _("%(done)s of %(count)s milestones done.") % {"done": done, "count": len(milestones)})
    period = Period.between(plan.start_date, plan.end_date)
    checksum = hashlib.sha256(json.dumps(
        {"plan": plan.pk, "title": plan.title, "start": plan.start_date.isoformat(),
         "end": plan.end_date.isoformat(), "rows": rows}, sort_keys=True, default=str).encode()).hexdigest()
    return GbReport(kind="plan", title=_("Implementation plan: %(title)s") % {"title": plan.title}, period=period,
                    previous=period.previous(), as_of=as_of, tables=[table], checksum=checksum)


def plan_timetable(plan: ImplementationPlan) -> list[tuple[str, dt.date, dt.date, str]]:
    """(title, start, due, status) of each milestone, for the Gantt-like chart."""
    return [(m.title, m.start_date or plan.start_date, m.due_date, m.status) for m in plan.milestones.all()]


# ---------------------------------------------------------------- which data a report was made from


def _fingerprint(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):  # SQLite may return sums of decimals as floats
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def data_checksum(*, period: Period, as_of: dt.date | None = None) -> str:
    """SHA-256 of the parameters and of counts and sums of every table the report reads, for its period and the
    period before, up to the last day that counts. Same parameters and same data ⇒ same checksum; a changed,
    added or removed row changes a count or a sum (barring changes that cancel out exactly)."""
    previous = period.previous()
    first, last = previous.start, period.last_day(as_of)
    years = sorted(set(previous.years) | set(period.years))
    money_cents = Sum("amount_usd")
    parts = {
        "parameters": [period.start.isoformat(), period.end.isoformat(), as_of.isoformat() if as_of else ""],
        "allocation": Allocation.objects.filter(year__in=years).aggregate(n=Count("id"), s=money_cents,
                                                                          f=Sum("funding_source_id")),
        "expenditure": Expenditure.objects.filter(period__gte=first, period__lte=last).aggregate(
            n=Count("id"), s=money_cents, t=Sum("input_type_id")),
        "year_rollup": ProjectYearDelivery.objects.filter(year__in=years).aggregate(
            n=Count("id"), a=Sum("allocation_cents"), s=Sum("spent_cents_to_m12")),
        "approvals": Approval.objects.filter(date__gte=first, date__lte=last).aggregate(
            n=Count("id"), s=money_cents, d=Sum("donor_id")),
        "projects": Project.objects.aggregate(n=Count("id"), o=Sum("strategic_objective_id"),
                                              p=Sum("primary_programme_id"), f=Sum("funding_source_id"),
                                              r=Sum("region_id"), g=Sum("gender_marker"),
                                              a=Count("id", filter=Q(is_autonomous=True)), m=Max("updated_at")),
        "project_countries": Project.countries.through.objects.aggregate(n=Count("id"), c=Sum("country_id")),
        "countries": Country.objects.aggregate(n=Count("id"), ldc=Count("id", filter=Q(is_ldc=True)),
                                               g=Sum("ldc_graduation_year"), r=Sum("region_id")),
        "experts": ExpertAssignment.objects.filter(year__in=years).aggregate(
            n=Count("id"), m=Sum("work_months"), national=Count("id", filter=Q(category=ExpertCategory.NATIONAL))),
        "training": TrainingActivity.objects.filter(start_date__gte=first, start_date__lte=last).aggregate(
            n=Count("id"), w=Sum("women"), m=Sum("men"), t=Count("id", filter=Q(is_turin_centre=True))),
        "tripartite": TripartiteInvolvement.objects.aggregate(
            n=Count("id"), c=Count("id", filter=Q(contemplated=True)),
            a=Count("id", filter=Q(actual_date__lte=last)), w=Sum("women"), m=Sum("men"), d=Max("actual_date"),
            e=Min("actual_date")),
        "alerts": Alert.objects.filter(period__in=years, raised_on__lte=last).aggregate(
            n=Count("id"), red=Count("id", filter=Q(severity=Severity.RED)), r=Sum("slippage_reason_id"),
            s=Count("id", filter=Q(state=AlertState.RESOLVED))),
        "evaluations": Evaluation.objects.filter(actual_date__gte=first, actual_date__lte=last).aggregate(
            n=Count("id"), **{c: Sum(c) for c in CRITERIA}),
        "recommendations": Recommendation.objects.filter(
            evaluation__actual_date__gte=first, evaluation__actual_date__lte=last).aggregate(
            n=Count("id"), accepted=Count("response", filter=Q(response__response__in=[ResponseKind.ACCEPTED,
                                                                                     ResponseKind.PARTIAL])),
            followed=Count("response", filter=Q(response__follow_up_status=FollowUpStatus.COMPLETED))),
        "lessons": Lesson.objects.filter(is_validated=True).aggregate(n=Count("id"), t=Max("created_at")),
    }
    canonical = json.dumps({name: value if isinstance(value, list) else {k: _fingerprint(v) for k, v in
                                                                           sorted(value.items())}
                            for name, value in parts.items()}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
