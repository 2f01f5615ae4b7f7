"""One project's money (its delivery page and the project's delivery tab): each year's figures, the curve of the
as-of year and life-of-project delivery, from ProjectMonthSpend (one row per month) and its allocations."""

import datetime as dt
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
from delivery.models import Approval
from delivery.selectors.rollups import last_three_months, month_of, spend_window
from projects.models import Project


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
        life_elapsed=life_elapsed(project.start_date, project.end_date, as_of))


def project_slippage(*, project: Project, year: int, as_of: dt.date) -> Decimal:
    """Expected (linear profile) − actual expenditure of the year at as_of, in US$; positive means behind."""
    row = next((r for r in project_delivery(project=project, as_of=as_of).years if r.year == year), None)
    return row.slippage_usd if row else ZERO


def project_approvals(project: Project) -> QuerySet:
    """A project's approvals of funds with their donors, newest first (the money tab)."""
    return Approval.objects.filter(project=project).select_related("donor").order_by("-date", "-id")
