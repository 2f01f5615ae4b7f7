"""Delivery figures: the one module where they are computed (dashboard, commands, API and reports call it).

Definitions (DESIGN.md section 2):
- allocation of a year = Σ Allocation.amount_usd of that year (all sources of funds);
- expenditure of a year as of a date = Σ of the US$ spend of the year's months up to the month of `as_of`
  (the whole month counts); `as_of=None` means the whole year;
- delivery rate = expenditure ÷ allocation; a group's rate is Σ expenditure ÷ Σ allocation of its projects,
  never a mean of project rates; None where the allocation is 0;
- time elapsed = share of the calendar year gone at `as_of`, counted in days;
- slippage = expected − actual expenditure, expected following the linear profile (allocation × elapsed);
- year-end forecast = expenditure to date + mean monthly spend of the last three months × months left;
- at risk: a project with an allocation whose delivery rate is below half of the time elapsed (the red threshold
  of the LOW_DELIVERY rule).

Figures of a year are read from the ProjectYearDelivery rollup (one row per project and year: the allocation and
the running spend from January to each month, in cents), never from the raw lines, so reads do not grow with the
number of lines or months; the dashboard does all its sums, sorting and paging in SQL and materialises only the
table page it shows. A project's own panel reads ProjectMonthSpend (one row per month). The one exception is the
`input_type` dimension: no rollup keeps the type of input, so it sums Expenditure. Allocations are not split by
type of input: on `input_type` rows the allocation shown is the whole allocation of the selected projects, so each
row's rate is that input's share of delivery and the rows' rates add up to the total rate.

Groups follow the project's classification: `funding_source` and `budget_type` use the project's source of
funds (expenditure lines carry no source), `donor` its main donor (the donor *filter* is broader: the projects
funded by the organisation, projects.selectors.funded_by), `unit` its responsible unit (the `unit` filter
includes the units below the one chosen; grouping by unit does not merge them), `country` each of
its countries (a multi-country project counts in each, so country rows can add up to more than the total).
"""

import calendar
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Choices, F, Max, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from core import clock
from delivery.models import (
    CUMULATIVE_FIELDS,
    Allocation,
    Approval,
    Expenditure,
    ProjectMonthSpend,
    ProjectYearDelivery,
)
from partners.models import Country, Organisation, Region, Unit
from partners.selectors import units_with_descendants
from projects.models import BudgetType, FundingSource, InputType, Programme, Project, ProjectStatus, StrategicObjective
from projects.selectors import funded_by

ZERO = Decimal("0.00")
RATE_PLACES = Decimal("0.0001")
AT_RISK_SHARE_OF_ELAPSED = Decimal("0.5")

# dimension → (path from Project, label source: a model or a choices class)
DIMENSIONS: dict[str, tuple[str, object]] = {
    "strategic_objective": ("strategic_objective", StrategicObjective),
    "infocus_programme": ("primary_programme", Programme),
    "region": ("region", Region),
    "country": ("countries", Country),
    "funding_source": ("funding_source", FundingSource),
    "budget_type": ("funding_source__budget_type", BudgetType),
    "donor": ("donor", Organisation),
    "unit": ("responsible_unit", Unit),
    "project": ("id", Project),
    "status": ("status", ProjectStatus),
    "input_type": ("input_type", InputType),
}
DIMENSION_LABELS = {
    "strategic_objective": _("Strategic objective"), "infocus_programme": _("InFocus programme"),
    "region": _("Region"), "country": _("Country"), "funding_source": _("Source of funds"),
    "budget_type": _("Budget type"), "donor": _("Donor"), "unit": _("Responsible unit"), "project": _("Project"),
    "status": _("Status"), "input_type": _("Type of input"),
}
# filters key → Project lookup (values: an id, a model instance, a code for status/budget_type, or a list of them)
FILTER_LOOKUPS = {
    "strategic_objective": "strategic_objective", "infocus_programme": "primary_programme", "region": "region",
    "country": "countries", "funding_source": "funding_source", "budget_type": "funding_source__budget_type",
    "donor": "donor", "unit": "responsible_unit", "status": "status", "project": "id",
}


@dataclass(frozen=True)
class DeliveryRow:
    group_key: object
    group_label: str
    allocation_usd: Decimal
    expenditure_usd: Decimal
    delivery_rate: Decimal | None


def delivery_rate(expenditure: Decimal, allocation: Decimal) -> Decimal | None:
    if not allocation:
        return None
    return (Decimal(expenditure) / Decimal(allocation)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def _money(value) -> Decimal:
    return ZERO if value is None else Decimal(value).quantize(ZERO)


def _month(value: dt.date) -> dt.date:
    return value.replace(day=1)


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def year_elapsed(as_of: dt.date) -> Decimal:
    """Share of the calendar year gone at the end of the day `as_of` (0 before the year, 1 after it)."""
    days = 366 if calendar.isleap(as_of.year) else 365
    return (Decimal(as_of.timetuple().tm_yday) / days).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def _elapsed_for(year: int, as_of: dt.date | None) -> Decimal:
    if as_of is None or as_of.year > year:
        return Decimal(1)
    if as_of.year < year:
        return Decimal(0)
    return year_elapsed(as_of)


def _spend_window(year: int, as_of: dt.date | None) -> tuple[dt.date, dt.date | None]:
    """First and last month of the year that count; last is None when as_of is before the year."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 1)
    if as_of is not None and as_of < dt.date(year + 1, 1, 1):
        last = _month(as_of) if as_of >= first else None
    return first, last


def _key(value):
    return getattr(value, "pk", value)


def project_filter(filters: dict | None) -> Q:
    """The dashboard filters (see delivery/filters.py) as a condition on Project."""
    condition = Q()
    for name, value in (filters or {}).items():
        if value in (None, "", [], ()):
            continue
        if name not in FILTER_LOOKUPS:
            raise ValueError(f"Unknown delivery filter {name!r}")
        if name == "donor":  # funded by: main donor or an approval's organisation, the one definition
            condition &= funded_by(value)
            continue
        lookup = FILTER_LOOKUPS[name]
        if name == "unit":  # a unit includes the units below it (a regional office its country offices…)
            value = units_with_descendants(value if isinstance(value, (list, tuple, set, QuerySet)) else [value])
        if isinstance(value, (list, tuple, set, frozenset, QuerySet)):
            condition &= Q(**{f"{lookup}__in": [_key(v) for v in value]})
        else:
            condition &= Q(**{lookup: _key(value)})
    return condition


def _filtered_projects(filters: dict | None) -> QuerySet | None:
    condition = project_filter(filters)
    if not condition:
        return None
    queryset = Project.objects.filter(condition)
    return queryset.values("id").distinct() if "country" in (filters or {}) else queryset.values("id")


def _labels(dimension: str, keys) -> dict:
    _path, source = DIMENSIONS[dimension]
    if issubclass(source, Choices):
        return dict(source.choices)
    keys = [k for k in keys if k is not None]
    if source is Project:
        return dict(Project.objects.filter(pk__in=keys).values_list("pk", "symbol"))
    return {o.pk: str(o) for o in source.objects.filter(pk__in=keys)}


def delivery_by(*, dimension: str, year: int, as_of: dt.date | None = None,
                filters: dict | None = None) -> list[DeliveryRow]:
    """Allocation, expenditure and delivery rate of the year for each group of `dimension`, sorted by label."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"Unknown dimension {dimension!r}; expected one of {', '.join(DIMENSIONS)}")
    path = DIMENSIONS[dimension][0]
    projects = _filtered_projects(filters)
    first, last = _spend_window(year, as_of)
    if dimension == "input_type":
        allocations = Allocation.objects.filter(year=year)
        if projects is not None:
            allocations = allocations.filter(project__in=projects)
        total_allocation = _money(allocations.aggregate(total=Sum("amount_usd"))["total"])
        spend_by: dict = {}
        if last is not None:
            lines = Expenditure.objects.filter(period__gte=first, period__lte=last)
            if projects is not None:
                lines = lines.filter(project__in=projects)
            spend_by = dict(lines.values("input_type").annotate(total=Sum("amount_usd")).values_list(
                "input_type", "total"))
        labels = _labels(dimension, spend_by)
        rows = [DeliveryRow(key, labels.get(key, str(key)), total_allocation, _money(spend),
                            delivery_rate(_money(spend), total_allocation)) for key, spend in spend_by.items()]
        return sorted(rows, key=lambda r: r.group_label)

    listed = ProjectYearDelivery.objects.filter(year=year).filter(_listed(last, spend_reaches_january=False))
    if projects is not None:
        listed = listed.filter(project__in=projects)
    spend = _spend_to(last.month if last else 0)
    aggregates = {"allocation": Sum("allocation_cents")}
    if spend is not None:
        aggregates["spent"] = Sum(spend)
    sums = list(listed.values(f"project__{path}").annotate(**aggregates))
    labels = _labels(dimension, {row[f"project__{path}"] for row in sums})
    none_label = str(_("(none)"))
    rows = []
    for row in sums:
        key = row[f"project__{path}"]
        allocation, spent = _from_cents(row["allocation"]), _from_cents(row.get("spent"))
        rows.append(DeliveryRow(key, str(labels.get(key, key)) if key is not None else none_label, allocation, spent,
                                delivery_rate(spent, allocation)))
    return sorted(rows, key=lambda r: r.group_label)


def _from_cents(value) -> Decimal:
    return ZERO if value is None else Decimal(int(value)).scaleb(-2)


def _spend_to(last_month: int):
    """The year rollup's spend from January to `last_month` (None when no month counts)."""
    return F(CUMULATIVE_FIELDS[last_month - 1]) if last_month else None


def _listed(last: dt.date | None, *, spend_reaches_january: bool) -> Q:
    """Year rows that count: the project has an allocation for the year, or spend in a month up to `last`.

    `spend_reaches_january`: the dashboard has always listed, for a year not begun at its as-of date, the projects
    with spend in January too (with 0 expenditure counted); delivery_by does not.
    """
    condition = Q(has_allocation=True)
    if last is not None:
        condition |= Q(first_spend_month__lte=last.month)
    elif spend_reaches_january:
        condition |= Q(first_spend_month=1)
    return condition


def total_row(rows: list[DeliveryRow], dimension: str | None = None) -> DeliveryRow:
    """The TOTAL of a delivery_by result (for `country`, a multi-country project counts once per country)."""
    if dimension == "input_type" and rows:
        allocation = rows[0].allocation_usd
    else:
        allocation = sum((r.allocation_usd for r in rows), ZERO)
    spent = sum((r.expenditure_usd for r in rows), ZERO)
    return DeliveryRow("TOTAL", "TOTAL", allocation, spent, delivery_rate(spent, allocation))


# ---------------------------------------------------------------- forecast and curve helpers


def _last_three_months(last: dt.date | None, first: dt.date) -> list[dt.date]:
    if last is None:
        return []
    return [m for m in (_add_months(last, -2), _add_months(last, -1), last) if m >= first]


def forecast_year_end(*, spent: Decimal, last_three: Decimal, months_in_window: int, last: dt.date | None) -> Decimal:
    """Expenditure to date + mean monthly spend of the last (up to) three months × months left in the year."""
    if last is None or months_in_window == 0:
        return spent
    months_left = 12 - last.month
    burn = last_three / months_in_window
    return _money(spent + burn * months_left)


@dataclass
class CurvePoint:
    month: dt.date
    cumulative_usd: Decimal | None
    profile_usd: Decimal


def monthly_curve(monthly: dict[dt.date, Decimal], *, year: int, allocation: Decimal,
                  last: dt.date | None) -> list[CurvePoint]:
    """Cumulative spend per month (None after the as-of month) against the linear profile allocation × m/12."""
    points, running = [], ZERO
    for month_number in range(1, 13):
        month = dt.date(year, month_number, 1)
        running += monthly.get(month, ZERO)
        shown = running if last is not None and month <= last else None
        points.append(CurvePoint(month, _money(shown) if shown is not None else None,
                                 _money(allocation * month_number / 12)))
    return points


# ---------------------------------------------------------------- the dashboard


@dataclass
class ProjectFigures:
    id: int
    symbol: str
    title: str
    status: str
    strategic_objective_id: int | None
    region_id: int | None
    funding_source_id: int | None
    allocation_usd: Decimal = ZERO
    expenditure_usd: Decimal = ZERO
    last_three_usd: Decimal = ZERO
    delivery_rate: Decimal | None = None
    forecast_usd: Decimal = ZERO
    at_risk: bool = False

    @property
    def forecast_rate(self):
        return delivery_rate(self.forecast_usd, self.allocation_usd)

    def get_status_display(self):
        return ProjectStatus(self.status).label if self.status in ProjectStatus.values else self.status


class ProjectTable(Sequence):
    """The dashboard's project rows in the chosen order, read lazily: a slice (a page) runs one query for just its
    rows, so only what is shown is materialised; iterating (the downloads) reads them all, once."""

    def __init__(self, *, count: int, fetch: Callable[[int, int | None], list[ProjectFigures]]):
        self._count = count
        self._fetch = fetch
        self._all: list[ProjectFigures] | None = None

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if self._all is not None:
            return self._all[index]
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step != 1:
                return list(self)[index]
            return self._fetch(start, max(0, stop - start)) if stop > start else []
        position = index + self._count if index < 0 else index
        if not 0 <= position < self._count:
            raise IndexError(index)
        return self._fetch(position, 1)[0]

    def __iter__(self):
        if self._all is None:
            self._all = self._fetch(0, None)
        return iter(self._all)


@dataclass
class Dashboard:
    year: int
    as_of: dt.date | None
    elapsed: Decimal
    total: DeliveryRow
    forecast_usd: Decimal
    forecast_rate: Decimal | None
    at_risk: int
    projects: ProjectTable
    groups: dict[str, list[DeliveryRow]] = field(default_factory=dict)
    curve: list[CurvePoint] = field(default_factory=list)


SORT_KEYS = ("symbol", "allocation", "expenditure", "rate", "forecast", "status")
DASHBOARD_GROUPS = ("strategic_objective", "region", "funding_source")
# Python's order of text (code points), whatever the database's default collation.
CODE_POINT_COLLATION = {"postgresql": '"C"', "sqlite": "BINARY"}


def default_period(today: dt.date) -> tuple[int, dt.date]:
    """(year, as_of) to show first: the month of the latest expenditure (so "this year, as of last month" for live
    data, and the demo's own year for demo data); today when nothing is recorded yet."""
    latest = ProjectMonthSpend.objects.filter(period__lte=today).aggregate(latest=Max("period"))["latest"]
    if latest is None:
        return today.year, today
    return latest.year, _add_months(latest, 1) - dt.timedelta(days=1)


def _nearest(numerator: str, denominator: str) -> str:
    """SQL: the integer nearest to numerator ÷ denominator (positive), halves away from zero, in integer arithmetic
    (both databases truncate integer division towards zero)."""
    return (f"CASE WHEN {numerator} >= 0 THEN (2 * {numerator} + {denominator}) / (2 * {denominator}) "
            f"ELSE -((2 * -({numerator}) + {denominator}) / (2 * {denominator})) END")


class _DashboardSql:
    """The dashboard's figures as SQL over the ProjectYearDelivery rollup (one row per listed project).

    Per project, in whole cents: a = allocation, s = spend from January to the as-of month (one running-sum column),
    r3 = spend of the last (up to) three of those months, fc = year-end forecast, rate = delivery rate in units of
    0.0001, risk = 1 if at risk. Integer arithmetic gives exactly what forecast_year_end() and delivery_rate() give
    (half away from zero; a forecast never falls on a half cent: months_left × r3 ÷ months is whole or has a third),
    on SQLite as on PostgreSQL. Exact while 20,000 × a project's yearly spend in cents fits 64 bits (4.6 × 10¹²
    US$). Group and total rates are computed in Python from the sums."""

    def __init__(self, *, year: int, last: dt.date | None, elapsed: Decimal, filters: dict | None):
        quote = connection.ops.quote_name
        self.collation = CODE_POINT_COLLATION.get(connection.vendor)
        rollup, project = quote(ProjectYearDelivery._meta.db_table), quote(Project._meta.db_table)
        last_month = last.month if last else 0
        self.running = [f"y.{quote(name)}" for name in CUMULATIVE_FIELDS[:last_month]]
        a = "y.allocation_cents"
        spent = self.running[-1] if last_month else "0"
        recent = f"({spent} - {self.running[last_month - 4]})" if last_month > 3 else spent
        forecast = spent
        if last_month and last_month < 12:
            months_in_window = min(3, last_month)
            forecast = f"({spent} + {_nearest(f'{recent} * {12 - last_month}', str(months_in_window))})"
        rate = f"CASE WHEN {a} = 0 THEN NULL ELSE {_nearest(f'10000 * {spent}', a)} END"
        # rate (in 0.0001) < half of elapsed ⟺ 10 × rate < 100000 × half of elapsed, a whole number.
        risk_bound = int(AT_RISK_SHARE_OF_ELAPSED * elapsed * 100000)
        self.columns = {"a": a, "s": spent, "r3": recent, "fc": forecast, "rate": rate,
                        "risk": f"CASE WHEN {a} > 0 AND 10 * ({rate}) < {risk_bound} THEN 1 ELSE 0 END"}
        self.source = (f"{rollup} y INNER JOIN {project} p ON p.id = y.project_id WHERE y.year = %s "
                       f"AND (y.has_allocation = %s OR y.first_spend_month <= %s)")
        # As before: for a year not begun at the as-of date, January spenders are listed too (with 0 counted).
        self.source_params = [year, True, last_month or 1]
        if project_filter(filters):
            subquery, params = _filtered_projects(filters).query.sql_with_params()
            self.source += f" AND y.project_id IN ({subquery})"
            self.source_params += list(params)

    def sums(self, *, grouping_sets: bool) -> tuple[list, dict[str, list]]:
        """(totals, {dimension: [(key, Σa, Σs)]}) in one query; totals = Σa, Σs, Σfc, at risk, projects, then Σ of
        the running spend of each month up to the as-of month (the curve).

        The projects are first summed per (objective, region, source), one pass computing every sum once; the
        grouping sets then combine those few hundred rows: with GROUPING SETS where the database has them, else
        as a UNION ALL over the same CTE."""
        c = self.columns
        curve = "".join(f", SUM({column}) AS c{i:02d}" for i, column in enumerate(self.running, start=1))
        combos = (f"SELECT p.strategic_objective_id AS o, p.region_id AS r, p.funding_source_id AS f, "
                  f"SUM({c['a']}) AS a, SUM({c['s']}) AS s, SUM({c['fc']}) AS fc, SUM({c['risk']}) AS risk, "
                  f"COUNT(*) AS n{curve} FROM {self.source} "
                  f"GROUP BY p.strategic_objective_id, p.region_id, p.funding_source_id")
        params = self.source_params
        totals = "SUM(a), SUM(s), SUM(fc), SUM(risk), SUM(n)" + "".join(
            f", SUM(c{i:02d})" for i in range(1, len(self.running) + 1))
        if grouping_sets:
            sql = (f"SELECT GROUPING(o, r, f), o, r, f, {totals} FROM ({combos}) t "
                   f"GROUP BY GROUPING SETS ((o), (r), (f), ())")
        else:
            # Typed NULLs: PostgreSQL resolves a UNION's column types branch by branch.
            none = "CAST(NULL AS INTEGER)"
            empty = ", NULL" * (3 + len(self.running))
            sql = (f"WITH t AS ({combos}) SELECT 7, {none}, {none}, {none}, {totals} FROM t "
                   f"UNION ALL SELECT 3, o, {none}, {none}, SUM(a), SUM(s){empty} FROM t GROUP BY o "
                   f"UNION ALL SELECT 5, {none}, r, {none}, SUM(a), SUM(s){empty} FROM t GROUP BY r "
                   f"UNION ALL SELECT 6, {none}, {none}, f, SUM(a), SUM(s){empty} FROM t GROUP BY f")
        # GROUPING(o, r, f) has a bit set for each column not grouped on: 3 = by o, 5 = by r, 6 = by f, 7 = total.
        bit_of = {3: "strategic_objective", 5: "region", 6: "funding_source", 7: None}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        totals_row, groups = None, {name: [] for name in DASHBOARD_GROUPS}
        for row in rows:
            dimension = bit_of[row[0]]
            if dimension is None:
                totals_row = row[4:]
            else:
                key = row[1 + DASHBOARD_GROUPS.index(dimension)]
                groups[dimension].append((key, _from_cents(row[4]), _from_cents(row[5])))
        return totals_row, groups

    def page(self, *, sort: str, offset: int, limit: int | None) -> list[tuple]:
        """The project rows of the table in the order of `sort`, ties by symbol (a stable sort of symbol order)."""
        name = sort.lstrip("-") if sort.lstrip("-") in SORT_KEYS else "rate"
        direction = "DESC" if sort.startswith("-") else "ASC"
        collate = f" COLLATE {self.collation}" if self.collation else ""
        symbol = f"p.symbol{collate}"
        c = self.columns
        order = {
            "symbol": [f"{symbol} {direction}"],
            "status": [f"p.status{collate} {direction}", symbol],
            "allocation": [f"{c['a']} {direction}", symbol],
            # Before the year nothing is spent: a constant would read as a column number in ORDER BY.
            "expenditure": [f"{c['s']} {direction}", symbol] if self.running else [symbol],
            "forecast": [f"{c['fc']} {direction}", symbol] if self.running else [symbol],
            # Projects without an allocation have no rate: last, whichever way the rates are sorted.
            "rate": [f"CASE WHEN {c['a']} = 0 THEN 1 ELSE 0 END", f"{c['rate']} {direction}", symbol],
        }[name]
        sql = (f"SELECT p.id, p.symbol, p.title, p.status, p.strategic_objective_id, p.region_id, "
               f"p.funding_source_id, {c['a']} AS a, {c['s']} AS s, {c['r3']} AS r3, {c['fc']} AS fc "
               f"FROM {self.source} ORDER BY {', '.join(order)}")
        params = list(self.source_params)
        if limit is not None:
            sql += " LIMIT %s OFFSET %s"
            params += [limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def delivery_dashboard(*, year: int, as_of: dt.date | None = None, filters: dict | None = None,
                       sort: str = "rate", grouping_sets: bool | None = None) -> Dashboard:
    """Everything the delivery dashboard shows, from two queries over the year rollup whatever the number of
    projects: one aggregate (tiles, the groups by objective, region and source, the monthly curve) and one for
    the rows of the table page being shown (sorted and cut in SQL). Project figures are Σ/Σ as in delivery_by.

    `grouping_sets`: use GROUPING SETS (default: on PostgreSQL); the portable form gives the same numbers.
    """
    first, last = _spend_window(year, as_of)
    elapsed = _elapsed_for(year, as_of)
    window = _last_three_months(last, first)
    if grouping_sets is None:
        grouping_sets = connection.vendor == "postgresql"
    query = _DashboardSql(year=year, last=last, elapsed=elapsed, filters=filters)
    totals, group_sums = query.sums(grouping_sets=grouping_sets)
    allocation_total, spent_total, forecast_total = (_from_cents(v) for v in totals[:3])
    at_risk, listed = int(totals[3] or 0), int(totals[4] or 0)
    running = [_from_cents(total) for total in totals[5:]]

    def fetch(offset: int, limit: int | None) -> list[ProjectFigures]:
        projects = []
        for *values, allocation, spent, recent, _forecast in query.page(sort=sort, offset=offset, limit=limit):
            figures = ProjectFigures(*values)
            figures.allocation_usd, figures.expenditure_usd = _from_cents(allocation), _from_cents(spent)
            figures.last_three_usd = _from_cents(recent)
            figures.delivery_rate = delivery_rate(figures.expenditure_usd, figures.allocation_usd)
            figures.forecast_usd = forecast_year_end(spent=figures.expenditure_usd,
                                                     last_three=figures.last_three_usd,
                                                     months_in_window=len(window), last=last)
            figures.at_risk = (figures.delivery_rate is not None
                               and figures.delivery_rate < AT_RISK_SHARE_OF_ELAPSED * elapsed)
            projects.append(figures)
        return projects

    monthly = {dt.date(year, month, 1): total - previous
               for month, (total, previous) in enumerate(zip(running, [ZERO, *running[:-1]], strict=False), start=1)}
    dashboard = Dashboard(
        year=year, as_of=as_of, elapsed=elapsed,
        total=DeliveryRow("TOTAL", "TOTAL", allocation_total, spent_total,
                          delivery_rate(spent_total, allocation_total)),
        forecast_usd=forecast_total, forecast_rate=delivery_rate(forecast_total, allocation_total),
        at_risk=at_risk, projects=ProjectTable(count=listed, fetch=fetch),
        curve=monthly_curve(monthly, year=year, allocation=allocation_total, last=last))
    for dimension in DASHBOARD_GROUPS:
        sums = group_sums[dimension]
        labels = _labels(dimension, [key for key, _a, _s in sums])
        dashboard.groups[dimension] = sorted(
            (DeliveryRow(key, str(labels.get(key, key)), _money(a), _money(s), delivery_rate(_money(s), _money(a)))
             for key, a, s in sums), key=lambda r: r.group_label)
    return dashboard


# ---------------------------------------------------------------- one project


@dataclass
class ProjectYear:
    year: int
    allocation_usd: Decimal
    expenditure_usd: Decimal
    delivery_rate: Decimal | None
    elapsed: Decimal
    slippage_usd: Decimal
    forecast_usd: Decimal
    forecast_rate: Decimal | None


@dataclass
class ProjectDelivery:
    project: Project
    as_of: dt.date
    years: list[ProjectYear]
    current: ProjectYear | None
    curve: list[CurvePoint]
    budget_usd: Decimal
    spent_to_date_usd: Decimal
    life_delivery_rate: Decimal | None
    life_elapsed: Decimal | None


def life_elapsed(start: dt.date, end: dt.date, as_of: dt.date) -> Decimal | None:
    """Share of a project's life gone at as_of, in days (0 before its start, 1 after its end)."""
    if not start or not end or end <= start:
        return None
    share = Decimal((min(max(as_of, start), end) - start).days) / Decimal((end - start).days)
    return share.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def project_delivery(*, project: Project, as_of: dt.date | None = None) -> ProjectDelivery:
    """A project's delivery panel: each year's figures, the curve of the as-of year, life-of-project delivery.
    Without an as-of date, as of today (the clock's)."""
    as_of = as_of or clock.today()
    allocation_by_year = dict(project.allocations.values("year").annotate(total=Sum("amount_usd")).values_list(
        "year", "total"))
    monthly = dict(project.month_spend.filter(period__lte=_month(as_of)).values_list("period", "amount_usd"))
    years = sorted(set(allocation_by_year) | {m.year for m in monthly})
    rows = []
    for year in years:
        first, last = _spend_window(year, as_of)
        in_year = {m: v for m, v in monthly.items() if m.year == year}
        spent = _money(sum(in_year.values(), ZERO))
        allocation = _money(allocation_by_year.get(year))
        window = _last_three_months(last, first)
        forecast = forecast_year_end(spent=spent, last_three=sum((in_year.get(m, ZERO) for m in window), ZERO),
                                     months_in_window=len(window), last=last)
        elapsed = _elapsed_for(year, as_of)
        rows.append(ProjectYear(year, allocation, spent, delivery_rate(spent, allocation), elapsed,
                                _money(allocation * elapsed - spent), forecast, delivery_rate(forecast, allocation)))
    current = next((r for r in rows if r.year == as_of.year), rows[-1] if rows else None)
    curve = []
    if current:
        curve = monthly_curve({m: v for m, v in monthly.items() if m.year == current.year}, year=current.year,
                              allocation=current.allocation_usd, last=_spend_window(current.year, as_of)[1])
    budget = _money(sum(allocation_by_year.values(), ZERO))
    spent_to_date = _money(sum(monthly.values(), ZERO))
    return ProjectDelivery(
        project=project, as_of=as_of, years=rows, current=current, curve=curve, budget_usd=budget,
        spent_to_date_usd=spent_to_date, life_delivery_rate=delivery_rate(spent_to_date, budget),
        life_elapsed=life_elapsed(project.start_date, project.end_date, as_of))


def project_slippage(*, project: Project, year: int, as_of: dt.date) -> Decimal:
    """Expected (linear profile) − actual expenditure of the year at as_of, in US$; positive means behind."""
    row = next((r for r in project_delivery(project=project, as_of=as_of).years if r.year == year), None)
    return row.slippage_usd if row else ZERO


def project_approvals(project: Project) -> QuerySet:
    """A project's approvals of funds with their donors, newest first (the money tab)."""
    return Approval.objects.filter(project=project).select_related("donor").order_by("-date", "-id")
