"""The delivery dashboard: tiles, groups by objective, region and source, the monthly curve and the sorted
project table, from two queries over the ProjectYearDelivery rollup whatever the number of projects, and one over
SourceYearDelivery for the groups by source of funds (each allocation and line under its own source).

Every per-project figure (rate, forecast, at risk) is computed once, in SQL, by the SQL twins of delivery/figures.py;
Python only converts their units. Group and total rates are delivery_rate() of the sums.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Max, QuerySet

from delivery import figures
from delivery.figures import ZERO, CurvePoint, delivery_rate, from_cents, from_rate_units, money, monthly_curve
from delivery.models import CUMULATIVE_FIELDS, ProjectMonthSpend, ProjectYearDelivery
from delivery.selectors.by_dimension import (
    SOURCE_OF_MONEY_PATHS,
    DeliveryRow,
    filtered_projects,
    group_labels,
    rollup_sums,
)
from delivery.selectors.rollups import add_months, spend_window
from projects.models import Project, ProjectStatus


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
    at_risk_threshold: Decimal | None  # the LOW_DELIVERY rule's red threshold the count used (None: nobody)
    projects: ProjectTable
    groups: dict[str, list[DeliveryRow]] = field(default_factory=dict)
    curve: list[CurvePoint] = field(default_factory=list)


SORT_KEYS = ("symbol", "allocation", "expenditure", "rate", "forecast", "status")
DASHBOARD_GROUPS = ("strategic_objective", "region", "funding_source")
# The groups of projects, summed with the tiles in one query; the others follow the money (SOURCE_OF_MONEY_PATHS).
PROJECT_GROUPS = ("strategic_objective", "region")
# Python's order of text (code points), whatever the database's default collation.
CODE_POINT_COLLATION = {"postgresql": '"C"', "sqlite": "BINARY"}


def default_period(today: dt.date) -> tuple[int, dt.date]:
    """(year, as_of) to show first: the month of the latest expenditure (so "this year, as of last month" for live
    data, and the demo's own year for demo data); today when nothing is recorded yet."""
    latest = ProjectMonthSpend.objects.filter(period__lte=today).aggregate(latest=Max("period"))["latest"]
    if latest is None:
        return today.year, today
    return latest.year, add_months(latest, 1) - dt.timedelta(days=1)


class _DashboardSql:
    """The dashboard's figures as SQL over the ProjectYearDelivery rollup (one row per listed project).

    Per project, in whole cents: a = allocation, s = spend from January to the as-of month (one running-sum column),
    r3 = spend of the last (up to) three of those months, fc = year-end forecast; rate = delivery rate in 0.0001,
    risk = 1 if at risk: the SQL twins of delivery/figures.py, exact on SQLite as on PostgreSQL."""

    def __init__(self, *, year: int, as_of: dt.date | None, last: dt.date | None, threshold: Decimal | None,
                 projects: QuerySet | None):
        quote = connection.ops.quote_name
        self.collation = CODE_POINT_COLLATION.get(connection.vendor)
        rollup, project = quote(ProjectYearDelivery._meta.db_table), quote(Project._meta.db_table)
        last_month = last.month if last else 0
        self.running = [f"y.{quote(name)}" for name in CUMULATIVE_FIELDS[:last_month]]
        a = "y.allocation_cents"
        spent = self.running[-1] if last_month else "0"
        recent = f"({spent} - {self.running[last_month - 4]})" if last_month > 3 else spent
        elapsed = figures.active_elapsed_sql(year, as_of, start="COALESCE(p.actual_start, p.planned_start)",
                                             end="p.planned_end", vendor=connection.vendor)
        self.columns = {"a": a, "s": spent, "r3": recent,
                        "fc": figures.forecast_sql(spent=spent, recent=recent, last_month=last_month),
                        "rate": figures.rate_sql(spent, a),
                        "risk": figures.at_risk_sql(status="p.status", spent=spent, allocation=a,
                                                    threshold=threshold, elapsed_units=elapsed)}
        self.source = (f"{rollup} y INNER JOIN {project} p ON p.id = y.project_id WHERE y.year = %s "
                       f"AND (y.has_allocation = %s OR y.first_spend_month <= %s)")
        # As before: for a year not begun at the as-of date, January spenders are listed too (with 0 counted).
        self.source_params = [year, True, last_month or 1]
        if projects is not None:  # the filtered projects (by_dimension.filtered_projects)
            subquery, params = projects.query.sql_with_params()
            self.source += f" AND y.project_id IN ({subquery})"
            self.source_params += list(params)

    def sums(self, *, grouping_sets: bool) -> tuple[list, dict[str, list]]:
        """(totals, {dimension: [(key, Σa, Σs)]}) of the PROJECT_GROUPS in one query; totals = Σa, Σs, Σfc, at
        risk, projects, then Σ of the running spend of each month up to the as-of month (the curve).

        The projects are first summed per (objective, region), one pass computing every sum once; the grouping
        sets then combine those few hundred rows: with GROUPING SETS where the database has them, else as a
        UNION ALL over the same CTE."""
        c = self.columns
        curve = "".join(f", SUM({column}) AS c{i:02d}" for i, column in enumerate(self.running, start=1))
        combos = (f"SELECT p.strategic_objective_id AS o, p.region_id AS r, "
                  f"SUM({c['a']}) AS a, SUM({c['s']}) AS s, SUM({c['fc']}) AS fc, SUM({c['risk']}) AS risk, "
                  f"COUNT(*) AS n{curve} FROM {self.source} "
                  f"GROUP BY p.strategic_objective_id, p.region_id")
        params = self.source_params
        totals = "SUM(a), SUM(s), SUM(fc), SUM(risk), SUM(n)" + "".join(
            f", SUM(c{i:02d})" for i in range(1, len(self.running) + 1))
        if grouping_sets:
            sql = f"SELECT GROUPING(o, r), o, r, {totals} FROM ({combos}) t GROUP BY GROUPING SETS ((o), (r), ())"
        else:
            # Typed NULLs: PostgreSQL resolves a UNION's column types branch by branch.
            none = "CAST(NULL AS INTEGER)"
            empty = ", NULL" * (3 + len(self.running))
            sql = (f"WITH t AS ({combos}) SELECT 3, {none}, {none}, {totals} FROM t "
                   f"UNION ALL SELECT 1, o, {none}, SUM(a), SUM(s){empty} FROM t GROUP BY o "
                   f"UNION ALL SELECT 2, {none}, r, SUM(a), SUM(s){empty} FROM t GROUP BY r")
        # GROUPING(o, r) has a bit set for each column not grouped on: 1 = by o, 2 = by r, 3 = total.
        bit_of = {1: "strategic_objective", 2: "region", 3: None}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        totals_row, groups = None, {name: [] for name in PROJECT_GROUPS}
        for row in rows:
            dimension = bit_of[row[0]]
            if dimension is None:
                totals_row = row[3:]
            else:
                key = row[1 + PROJECT_GROUPS.index(dimension)]
                groups[dimension].append((key, from_cents(row[3]), from_cents(row[4])))
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
               f"p.funding_source_id, {c['a']} AS a, {c['s']} AS s, {c['r3']} AS r3, {c['fc']} AS fc, "
               f"{c['rate']} AS rate, {c['risk']} AS risk FROM {self.source} ORDER BY {', '.join(order)}")
        params = list(self.source_params)
        if limit is not None:
            sql += " LIMIT %s OFFSET %s"
            params += [limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def delivery_dashboard(*, year: int, as_of: dt.date | None = None, filters: dict | None = None,
                       sort: str = "rate", grouping_sets: bool | None = None) -> Dashboard:
    """Everything the delivery dashboard shows, from three queries over the year rollups whatever the number of
    projects: one aggregate (tiles, the groups by objective and region, the monthly curve), one for the groups by
    source of funds (over the rollup by source) and one for the rows of the table page being shown (sorted and
    cut in SQL); and the at-risk threshold (the LOW_DELIVERY rule's red threshold). Project figures are Σ/Σ as in
    delivery_by.

    `grouping_sets`: use GROUPING SETS (default: on PostgreSQL); the portable form gives the same numbers.
    """
    _first, last = spend_window(year, as_of)
    threshold = figures.at_risk_threshold()
    if grouping_sets is None:
        grouping_sets = connection.vendor == "postgresql"
    projects = filtered_projects(filters, year=year)  # read once: a unit filter reads the unit tree
    query = _DashboardSql(year=year, as_of=as_of, last=last, threshold=threshold, projects=projects)
    totals, group_sums = query.sums(grouping_sets=grouping_sets)
    for dimension in DASHBOARD_GROUPS:
        if dimension in SOURCE_OF_MONEY_PATHS:
            group_sums[dimension] = rollup_sums([SOURCE_OF_MONEY_PATHS[dimension]], year=year, last=last,
                                                projects=projects, by_source=True, spend_reaches_january=True)
    allocation_total, spent_total, forecast_total = (from_cents(v) for v in totals[:3])
    at_risk, listed = int(totals[3] or 0), int(totals[4] or 0)
    running = [from_cents(total) for total in totals[5:]]

    def fetch(offset: int, limit: int | None) -> list[ProjectFigures]:
        return [ProjectFigures(*values, allocation_usd=from_cents(allocation), expenditure_usd=from_cents(spent),
                               last_three_usd=from_cents(recent), forecast_usd=from_cents(forecast),
                               delivery_rate=from_rate_units(rate), at_risk=bool(risk))
                for *values, allocation, spent, recent, forecast, rate, risk
                in query.page(sort=sort, offset=offset, limit=limit)]

    monthly = {dt.date(year, month, 1): total - previous
               for month, (total, previous) in enumerate(zip(running, [ZERO, *running[:-1]], strict=False), start=1)}
    dashboard = Dashboard(
        year=year, as_of=as_of, elapsed=figures.elapsed_for(year, as_of),
        total=DeliveryRow("TOTAL", "TOTAL", allocation_total, spent_total,
                          delivery_rate(spent_total, allocation_total)),
        forecast_usd=forecast_total, forecast_rate=delivery_rate(forecast_total, allocation_total),
        at_risk=at_risk, at_risk_threshold=threshold, projects=ProjectTable(count=listed, fetch=fetch),
        curve=monthly_curve(monthly, year=year, allocation=allocation_total, last=last))
    for dimension in DASHBOARD_GROUPS:
        sums = group_sums[dimension]
        labels = group_labels(dimension, [key for key, _a, _s in sums])
        dashboard.groups[dimension] = sorted(
            (DeliveryRow(key, str(labels.get(key, key)), money(a), money(s), delivery_rate(money(s), money(a)))
             for key, a, s in sums), key=lambda r: r.group_label)
    return dashboard
