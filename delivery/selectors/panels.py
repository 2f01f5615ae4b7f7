"""One project's money (its delivery page and the project's delivery tab): each year's figures, the curve of the
as-of year and life-of-project delivery, from ProjectMonthSpend (one row per month) and its allocations; and the
same money by source of funds, from SourceMonthSpend and the allocations of each source."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from core import clock
from delivery.figures import (
    ZERO,
    CurvePoint,
    delivery_rate,
    elapsed_for,
    forecast_year_end,
    life_elapsed,
    money,
    monthly_curve,
    slippage,
)
from delivery.models import Approval, SourceMonthSpend
from delivery.selectors.rollups import last_three_months, month_of, spend_window
from projects.models import FundingSource, Project


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
class SourceMoney:
    """A project's money from one source of funds: of the panel's year (its allocation, and its expenditure up to
    the as-of month) and of the project's life (all its allocations, its expenditure to date)."""

    source: FundingSource
    allocation_usd: Decimal
    expenditure_usd: Decimal
    delivery_rate: Decimal | None
    budget_usd: Decimal
    spent_to_date_usd: Decimal
    life_delivery_rate: Decimal | None


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
    sources: list[SourceMoney]  # in the order of the sources of funds; the money tab lists them when several


def _by_source(project: Project, *, year: int | None, last_month: dt.date) -> list[SourceMoney]:
    """The project's money by source of funds: allocations of `year` and of all years, expenditure of `year` and
    of all months up to `last_month` (three queries)."""
    allocated, budget = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    for source_id, allocation_year, total in (project.allocations.values("funding_source", "year")
                                              .annotate(total=Sum("amount_usd"))
                                              .values_list("funding_source", "year", "total")):
        budget[source_id] += total
        if allocation_year == year:
            allocated[source_id] += total
    spent, spent_to_date = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    for source_id, period, amount in SourceMonthSpend.objects.filter(
            project=project, period__lte=last_month).values_list("funding_source", "period", "amount_usd"):
        spent_to_date[source_id] += amount
        if period.year == year:
            spent[source_id] += amount
    rows = []
    for source in FundingSource.objects.filter(pk__in=set(budget) | set(spent_to_date)):
        allocation, expenditure = money(allocated[source.pk]), money(spent[source.pk])
        source_budget, source_spent = money(budget[source.pk]), money(spent_to_date[source.pk])
        rows.append(SourceMoney(source, allocation, expenditure, delivery_rate(expenditure, allocation),
                                source_budget, source_spent, delivery_rate(source_spent, source_budget)))
    return rows


def project_delivery(*, project: Project, as_of: dt.date | None = None) -> ProjectDelivery:
    """A project's delivery panel: each year's figures, the curve of the as-of year, life-of-project delivery.
    Without an as-of date, as of today (the clock's)."""
    as_of = as_of or clock.today()
    allocation_by_year = dict(project.allocations.values("year").annotate(total=Sum("amount_usd")).values_list(
        "year", "total"))
    monthly = dict(project.month_spend.filter(period__lte=month_of(as_of)).values_list("period", "amount_usd"))
    years = sorted(set(allocation_by_year) | {m.year for m in monthly})
    rows = []
    for year in years:
        first, last = spend_window(year, as_of)
        in_year = {m: v for m, v in monthly.items() if m.year == year}
        spent = money(sum(in_year.values(), ZERO))
        allocation = money(allocation_by_year.get(year))
        window = last_three_months(last, first)
        forecast = forecast_year_end(spent=spent, last_three=sum((in_year.get(m, ZERO) for m in window), ZERO),
                                     months_in_window=len(window), last=last)
        elapsed = elapsed_for(year, as_of)
        rows.append(ProjectYear(year, allocation, spent, delivery_rate(spent, allocation), elapsed,
                                slippage(allocation=allocation, elapsed=elapsed, spent=spent), forecast,
                                delivery_rate(forecast, allocation)))
    current = next((r for r in rows if r.year == as_of.year), rows[-1] if rows else None)
    curve = []
    if current:
        curve = monthly_curve({m: v for m, v in monthly.items() if m.year == current.year}, year=current.year,
                              allocation=current.allocation_usd, last=spend_window(current.year, as_of)[1])
    budget = money(sum(allocation_by_year.values(), ZERO))
    spent_to_date = money(sum(monthly.values(), ZERO))
    return ProjectDelivery(
        project=project, as_of=as_of, years=rows, current=current, curve=curve, budget_usd=budget,
        spent_to_date_usd=spent_to_date, life_delivery_rate=delivery_rate(spent_to_date, budget),
        life_elapsed=life_elapsed(project.start_date, project.end_date, as_of),
        sources=_by_source(project, year=current.year if current else None, last_month=month_of(as_of)))


def project_slippage(*, project: Project, year: int, as_of: dt.date) -> Decimal:
    """Expected (linear profile) − actual expenditure of the year at as_of, in US$; positive means behind."""
    row = next((r for r in project_delivery(project=project, as_of=as_of).years if r.year == year), None)
    return row.slippage_usd if row else ZERO


def project_approvals(project: Project) -> QuerySet:
    """A project's approvals of funds with their donors, newest first (the money tab)."""
    return Approval.objects.filter(project=project).select_related("donor").order_by("-date", "-id")


def year_delivery_rate(project: Project, as_of: dt.date | None = None) -> tuple[int, Decimal | None] | None:
    """(year, delivery rate) of the as-of year (the clock's today by default), or None when the project has no
    figures for it: what a constituent reads of the project's money (its page and the API)."""
    current = project_delivery(project=project, as_of=as_of).current
    return (current.year, current.delivery_rate) if current else None
