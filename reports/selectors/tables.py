""""""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from alerts.models import Alert, AlertState, RuleCode, Severity, SlippageReason
from delivery.models import Approval
from delivery.selectors import (
    OVERLAPPING_DIMENSIONS,
    DeliveryRow,
    delivery_by,
    delivery_rate,
    overlap_note,
    projects_with_delivery,
)
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
from partners.models import Country, Region
from partners.selectors import ldc_in
from projects.models import (
    Confirmation,
    ConstituentGroup,
    Convention,
    CrossCuttingTheme,
    DeclarationPrinciple,
    ExpertAssignment,
    FundingSource,
    GenderMarker,
    InputType,
    InvolvementStage,
    Programme,
    Project,
    StrategicObjective,
    TrainingActivity,
    TripartiteInvolvement,
    expert_is_national,
)
from reports.selectors._shared import (
    COUNT,
    HUNDRED,
    MONEY,
    NUMBER,
    PERCENT,
    SHEETS,
    TEXT,
    THOUSAND,
    ZERO,
    money_header,
)
from reports.selectors.periods import (
    Period,
)


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
    rows_overlap: bool = False  # a project counts in several rows; the total counts it once

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


# ---------------------------------------------------------------- delivery over a period


def period_delivery_by(*, dimension: str, period: Period, as_of: dt.date | None = None,
                       filters: dict | None = None, split_by_source: bool = False) -> list[DeliveryRow]:
    """delivery_by over a period of whole months (see the module's docstring), sorted by label; `split_by_source`
    as delivery_by's."""
    last_day = period.last_day(as_of)
    sums: dict = {}
    for year in period.years:
        # Counting up to a day before the period (as_of earlier than its start) counts no spend at all.
        upto = last_day if last_day >= period.start else period.start - dt.timedelta(days=1)
        for row in delivery_by(dimension=dimension, year=year, as_of=upto, filters=filters,
                               split_by_source=split_by_source):
            label, allocation, spent = sums.get(row.group_key, (row.group_label, ZERO, ZERO))
            sums[row.group_key] = (label, allocation + row.allocation_usd, spent + row.expenditure_usd)
        if year == period.start.year and period.start.month > 1:
            before = period.start - dt.timedelta(days=1)
            for row in delivery_by(dimension=dimension, year=year, as_of=before, filters=filters,
                                   split_by_source=split_by_source):
                label, allocation, spent = sums.get(row.group_key, (row.group_label, ZERO, ZERO))
                sums[row.group_key] = (label, allocation, spent - row.expenditure_usd)
    rows = [DeliveryRow(key, label, allocation, spent, delivery_rate(spent, allocation))
            for key, (label, allocation, spent) in sums.items()]
    return sorted(rows, key=lambda r: r.group_label)


@dataclass
class _Portfolio:
    """Per project: (allocation, expenditure) in the period, the same split by the source of funds of the money
    (the tables by source count each allocation and line under its own source), and the attributes tables group
    by."""

    figures: dict[int, tuple[Decimal, Decimal]]
    by_source: dict[tuple[int, int], tuple[Decimal, Decimal]]  # (id, source id) → (allocation, expenditure)
    attributes: dict[int, tuple]  # id → (objective_id, programme_id, region_id, gender_marker)


def _portfolio(period: Period, as_of: dt.date | None) -> _Portfolio:
    rows = period_delivery_by(dimension="project", period=period, as_of=as_of)
    figures = {row.group_key: (row.allocation_usd, row.expenditure_usd) for row in rows}
    by_source = {row.group_key: (row.allocation_usd, row.expenditure_usd) for row in period_delivery_by(
        dimension="project", period=period, as_of=as_of, split_by_source=True)}
    in_years = projects_with_delivery(period.years)
    attributes = {pk: rest for pk, *rest in Project.objects.filter(pk__in=in_years).values_list(
        "pk", "strategic_objective_id", "primary_programme_id", "region_id", "gender_marker")}
    return _Portfolio(figures, by_source, {pk: tuple(values) for pk, values in attributes.items()})


def _by_key(rows: list[DeliveryRow]) -> dict:
    return {row.group_key: row for row in rows}


# ---------------------------------------------------------------- table builders


def _compare_table(key: str, title: str, first_header: str, current: dict, previous: dict, labels: dict,
                   period: Period, previous_period: Period, order: list | None = None, note: str = "",
                   totals: tuple[Decimal, Decimal] | None = None) -> ReportTable:
    """Label · previous (US$ '000) · % · current (US$ '000) · % · % change; amounts given in US$.

    `totals` (current, previous): where the rows overlap, the portfolio's totals, which the shares are of."""
    keys = order if order is not None else sorted(set(current) | set(previous), key=lambda k: str(labels.get(k, k)))
    if totals is not None:
        total_current, total_previous = totals
    else:
        total_current = sum(current.values(), ZERO)
        total_previous = sum(previous.values(), ZERO)
    columns = [Column(first_header), Column(money_header(previous_period.label), MONEY),
               Column(_("%(period)s (%% of total)") % {"period": previous_period.label}, PERCENT),
               Column(money_header(period.label), MONEY),
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
    return ReportTable(key, title, columns, rows, total, note, rows_overlap=totals is not None)


# Rows of these dimensions follow the reference list's own order (sort_order), as in the Governing Body tables;
# the yes/no dimensions (ldc, in_transition) show yes first; "(none)" comes last.
ORDERED_BY = {"funding_source": FundingSource, "region": Region, "input_type": InputType,
              "theme": CrossCuttingTheme, "principle": DeclarationPrinciple, "convention": Convention}
_THEME_ORDER = ("biennium__start_year", "code")


def _period_expenditure(period: Period, as_of: dt.date | None) -> Decimal:
    """The portfolio's expenditure in the period, each project once (each has exactly one status)."""
    return sum((r.expenditure_usd for r in period_delivery_by(dimension="status", period=period, as_of=as_of)), ZERO)


def _delivery_compare(key, title, first_header, dimension, period, previous_period, as_of, previous_as_of, note=""):
    current = period_delivery_by(dimension=dimension, period=period, as_of=as_of)
    before = period_delivery_by(dimension=dimension, period=previous_period, as_of=previous_as_of)
    labels = {r.group_key: r.group_label for r in [*before, *current]}
    keys = set(labels)
    if dimension in ORDERED_BY:
        reference = ORDERED_BY[dimension].objects.all()
        if reference.model is CrossCuttingTheme:
            reference = reference.order_by(*_THEME_ORDER)
        known = list(reference.values_list("pk", flat=True))
    else:
        known = [True, False]
    order = [pk for pk in known if pk in keys]
    order += sorted(keys - set(order) - {None}, key=lambda k: str(labels[k]))
    if None in keys:
        order.append(None)  # the projects with no theme (principle, Convention)
    totals = None
    if dimension in OVERLAPPING_DIMENSIONS:
        totals = (_period_expenditure(period, as_of), _period_expenditure(previous_period, previous_as_of))
        note = " ".join(text for text in (note, str(overlap_note(dimension))) if text)
    return _compare_table(key, title, first_header, {r.group_key: r.expenditure_usd for r in current},
                          {r.group_key: r.expenditure_usd for r in before}, labels, period, previous_period,
                          order=order, note=note, totals=totals)


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
    columns = ([Column(h) for h in label_headers] + [Column(money_header(s.name), MONEY) for s in shown]
               + [Column(money_header(period.label), MONEY), Column(_("Share of total (%)"), PERCENT),
                  Column(money_header(previous_period.label), MONEY), Column(_("Change (%)"), PERCENT)])
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
    """{((objective, programme), source): Σ figure[index]} (0 allocation, 1 expenditure), each amount under the
    source of funds it came from."""
    sums = defaultdict(Decimal)
    for (pk, source), values in portfolio.by_source.items():
        objective, programme, _region, _marker = portfolio.attributes[pk]
        sums[((objective, programme), source)] += values[index]
    return sums


def _ldc_sums(period: Period, portfolio: _Portfolio) -> dict:
    """{(region_id, source_id): US$}: each project's expenditure (of each source of funds) split evenly among its
    countries, the shares of the countries that were LDCs in the period's last year counted in their region."""
    year = period.end.year
    through = Project.countries.through
    country_counts = dict(through.objects.values("project_id").annotate(n=Count("id")).values_list(
        "project_id", "n"))
    ldc_rows = through.objects.filter(ldc_in(year, prefix="country__")).values(
        "project_id", "country__region_id").annotate(n=Count("id")).values_list("project_id", "country__region_id", "n")
    spent_by_source = defaultdict(list)
    for (project_id, source), (_allocation, spent) in portfolio.by_source.items():
        spent_by_source[project_id].append((source, spent))
    sums = defaultdict(Decimal)
    for project_id, region_id, ldc_count in ldc_rows:
        for source, spent in spent_by_source.get(project_id, []):
            sums[(region_id, source)] += spent * ldc_count / country_counts[project_id]
    return sums


def _experts_table(period: Period) -> ReportTable:
    counts = defaultdict(lambda: [0, 0, ZERO, ZERO])
    national = Q(expert_is_national())
    for region_id, n_national, n, months_national, months in (
            ExpertAssignment.objects.filter(year__in=period.years).values("project__region_id")
            .annotate(n_national=Count("id", filter=national), n=Count("id"),
                      months_national=Sum("work_months", filter=national), months=Sum("work_months"))
            .values_list("project__region_id", "n_national", "n", "months_national", "months")):
        months_national, months = Decimal(months_national or 0), Decimal(months or 0)
        counts[region_id] = [n_national, n - n_national, months_national, months - months_national]
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
                       _("Expert assignments of %(period)s, by the region of their project; an expert is national "
                         "when their nationality is one of the project's countries.") % {"period": period.label})


def _experts_by_nationality_table(period: Period) -> ReportTable:
    """Expert assignments of the period by the expert's nationality (rows) and the region of the project
    (columns), with how many of them were national experts and their work-months."""
    cells = defaultdict(int)
    by_nationality = defaultdict(lambda: [0, ZERO])
    for nationality_id, region_id, n, n_national, months in (
            ExpertAssignment.objects.filter(year__in=period.years).values("nationality_id", "project__region_id")
            .annotate(n=Count("id"), n_national=Count("id", filter=Q(expert_is_national())),
                      months=Sum("work_months"))
            .values_list("nationality_id", "project__region_id", "n", "n_national", "months")):
        cells[(nationality_id, region_id)] += n
        by_nationality[nationality_id][0] += n_national
        by_nationality[nationality_id][1] += Decimal(months or 0)
    regions = list(Region.objects.filter(pk__in={region_id for _n, region_id in cells}))
    countries = list(Country.objects.filter(pk__in=by_nationality).order_by("name"))
    columns = [Column(_("Nationality")), *(Column(region.name, COUNT) for region in regions),
               Column(_("All experts"), COUNT), Column(_("National experts"), COUNT),
               Column(_("National (%)"), PERCENT), Column(_("Work-months"), NUMBER)]
    rows = []
    for country in countries:
        counts = [cells[(country.pk, region.pk)] for region in regions]
        n_national, months = by_nationality[country.pk]
        rows.append([country.name, *counts, sum(counts), n_national, share(n_national, sum(counts)), months])
    width = len(regions)
    sums = [sum(row[i] for row in rows) for i in range(1, width + 3)]
    total = [_("Total"), *sums, share(sums[-1], sums[-2]), sum((row[-1] for row in rows), ZERO)]
    return ReportTable("experts_by_nationality", _("Nationality of experts, by nationality and region"), columns,
                       rows, total, _("Expert assignments of %(period)s, by the expert's nationality and the region "
                                      "of their project.") % {"period": period.label})


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
               Column(money_header(_("Allocation")), MONEY), Column(money_header(_("Expenditure")), MONEY),
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
    in_portfolio = projects_with_delivery(period.years)
    happened = Q(actual_date__isnull=False, actual_date__lte=last_day)
    cells = {(stage, group): values for stage, group, *values in (
        TripartiteInvolvement.objects.filter(project__in=in_portfolio, project__is_autonomous=False)
        .values("stage", "group")
        .annotate(contemplated_n=Count("id", filter=Q(contemplated=True)),
                  realised=Count("id", filter=Q(contemplated=True) & happened),
                  unplanned=Count("id", filter=Q(contemplated=False) & happened),
                  women_n=Sum("women", filter=happened), men_n=Sum("men", filter=happened),
                  confirmed_n=Count("id", filter=happened & Q(confirmation=Confirmation.CONFIRMED)))
        .values_list("stage", "group", "contemplated_n", "realised", "unplanned", "women_n", "men_n",
                     "confirmed_n"))}
    columns = [Column(_("Stage")), Column(_("Constituent group")), Column(_("Contemplated"), COUNT),
               Column(_("Realised"), COUNT), Column(_("Realised (%)"), PERCENT),
               Column(_("Not contemplated but happened"), COUNT), Column(_("Women taking part"), COUNT),
               Column(_("Men taking part"), COUNT), Column(_("Confirmed by the constituent"), COUNT)]
    rows = []
    for stage in InvolvementStage:
        for group in ConstituentGroup:
            contemplated, realised, unplanned, women, men, confirmed = cells.get(
                (stage.value, group.value), (0, 0, 0, 0, 0, 0))
            rows.append([str(stage.label), str(group.label), contemplated, realised, share(realised, contemplated),
                         unplanned, women or 0, men or 0, confirmed])
    sums = [sum(row[i] for row in rows) for i in (2, 3, 5, 6, 7, 8)]
    total = [_("Total"), "", sums[0], sums[1], share(sums[1], sums[0]), sums[2], sums[3], sums[4], sums[5]]
    return ReportTable("tripartite", _("Tripartite involvement: contemplated and actual, by stage and group"),
                       columns, rows, total,
                       _("Projects of the period; programmes requiring autonomy are exempt and left out. Confirmed "
                         "by the constituent: cells that happened and that the constituent group's organisation "
                         "and the Office agree on."))


def _gender_table(portfolio: _Portfolio) -> ReportTable:
    projects = defaultdict(int)
    spent = defaultdict(Decimal)
    for pk, (_allocation, expenditure) in portfolio.figures.items():
        marker = portfolio.attributes[pk][3]
        projects[marker] += 1
        spent[marker] += expenditure
    total_projects, total_spent = sum(projects.values()), sum(spent.values(), ZERO)
    columns = [Column(_("Gender marker")), Column(_("Projects"), COUNT), Column(_("Share of projects (%)"), PERCENT),
               Column(money_header(_("Expenditure")), MONEY), Column(_("Share of expenditure (%)"), PERCENT)]
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
