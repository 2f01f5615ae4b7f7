"""Reading the rollups: which months of a year count, and the per-project money other apps read (early warning,
evaluation budgets, IATI), from the month and year rollups and Allocation, never from the raw lines.

Each reader costs a fixed number of queries whatever the number of projects.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from delivery.figures import ZERO, money
from delivery.models import CUMULATIVE_FIELDS, Allocation, ProjectMonthSpend, ProjectYearDelivery, SourceMonthSpend

# ---------------------------------------------------------------- months of a year


def month_of(value: dt.date) -> dt.date:
    return value.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def spend_window(year: int, as_of: dt.date | None) -> tuple[dt.date, dt.date | None]:
    """First and last month of the year that count (the as-of date counts the whole of its month); last is None
    when as_of is before the year."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 1)
    if as_of is not None and as_of < dt.date(year + 1, 1, 1):
        last = month_of(as_of) if as_of >= first else None
    return first, last


def last_three_months(last: dt.date | None, first: dt.date) -> list[dt.date]:
    """The months whose spend the year-end forecast extrapolates: the last (up to) three that count."""
    if last is None:
        return []
    return [m for m in (add_months(last, -2), add_months(last, -1), last) if m >= first]


def spend_to(last_month: int):
    """The year rollup's spend from January to `last_month` (None when no month counts)."""
    return F(CUMULATIVE_FIELDS[last_month - 1]) if last_month else None


def listed(last: dt.date | None, *, spend_reaches_january: bool) -> Q:
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


# ---------------------------------------------------------------- per-project money for other apps


@dataclass(frozen=True)
class ProjectMoney:
    """A project's money at an as-of date: the as-of year's allocations and all of them; expenditure of the
    year's months up to the as-of month, and of all months up to it."""

    status: str
    allocation_year: Decimal = ZERO
    allocation_total: Decimal = ZERO
    spent_year: Decimal = ZERO
    spent_to_date: Decimal = ZERO


def portfolio_money(*, as_of: dt.date, statuses: Iterable[str]) -> dict[int, ProjectMoney]:
    """ProjectMoney of every project in `statuses` with an allocation or spend (two queries)."""
    statuses = list(statuses)
    year, month = as_of.year, month_of(as_of)
    allocations = (Allocation.objects.filter(project__status__in=statuses)
                   .values("project_id", "project__status")
                   .annotate(year_total=Sum("amount_usd", filter=Q(year=year)), total=Sum("amount_usd")))
    spending = (ProjectMonthSpend.objects.filter(project__status__in=statuses, period__lte=month)
                .values("project_id", "project__status")
                .annotate(year_total=Sum("amount_usd", filter=Q(period__gte=dt.date(year, 1, 1))),
                          total=Sum("amount_usd")))
    found: dict[int, dict] = defaultdict(dict)
    for row in allocations:
        found[row["project_id"]].update(status=row["project__status"], allocation_year=money(row["year_total"]),
                                        allocation_total=money(row["total"]))
    for row in spending:
        found[row["project_id"]].update(status=row["project__status"], spent_year=money(row["year_total"]),
                                        spent_to_date=money(row["total"]))
    return {project_id: ProjectMoney(**values) for project_id, values in found.items()}


def projects_with_delivery(years: Iterable[int]):
    """The ids (a values queryset, for `__in`) of the projects with an allocation or spend in any of `years`."""
    return ProjectYearDelivery.objects.filter(year__in=list(years)).values("project_id")


def last_spend_months(*, statuses: Iterable[str], first: dt.date, last: dt.date) -> dict[int, dt.date]:
    """Per project in `statuses`: the latest month from `first` to `last` with spend other than 0."""
    return dict(ProjectMonthSpend.objects
                .filter(project__status__in=list(statuses), period__gte=first, period__lte=last)
                .exclude(amount_usd=0).values("project_id").annotate(last=Max("period"))
                .values_list("project_id", "last"))


def monthly_spend_by_source(project_ids: Iterable[int]) -> dict[int, dict[tuple[dt.date, int], Decimal]]:
    """Per project: its spend of each month and source of funds ((period, source id) → US$), every month
    recorded (one query)."""
    spend: dict[int, dict] = defaultdict(dict)
    rows = (SourceMonthSpend.objects.filter(project_id__in=list(project_ids)).order_by()
            .values_list("project_id", "period", "funding_source_id", "amount_usd"))
    for project_id, period, source_id, amount in rows:
        spend[project_id][(period, source_id)] = amount
    return spend


BUDGET_FIELD = DecimalField(max_digits=18, decimal_places=2)


def budget_subquery(project_ref: str = "pk"):
    """A project's budget (Σ of its allocations over all years and sources, 0 without any) as an expression on
    the project `project_ref` points to, for annotating a project queryset."""
    total = (Allocation.objects.filter(project=OuterRef(project_ref)).order_by().values("project")
             .annotate(total=Sum("amount_usd")).values("total"))
    return Coalesce(Subquery(total, output_field=BUDGET_FIELD), Value(Decimal("0")), output_field=BUDGET_FIELD)


def project_budget_usd(project) -> Decimal:
    """Σ of the project's allocations over all years and sources."""
    return Allocation.objects.filter(project=project).aggregate(total=Sum("amount_usd"))["total"] or Decimal("0")
