"""Demo money for every project in the register: allocations, monthly expenditure, exchange rates, approvals.

Deterministic for a seed (random.Random(seed + k), no now()). Each project gets a delivery factor (0.25 … 1.3)
so that the portfolio shows low, normal and overspent delivery. Expenditure runs to the demo's "today"
(projects.demo.DEMO_AS_OF when the register defines it). Every fifth extra-budgetary project is co-funded by the
regular budget (RBTC): a fifth more allocated and spent from that source, so money tabs and the figures by source
of funds and budget type show mixed sources. Bulk inserts; the month and year rollups are filled too.
"""

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction

from delivery.models import Allocation, AllocationRevision, Approval, ExchangeRate, Expenditure
from delivery.services import rebuild_year_delivery, refresh_month_spend, to_usd
from projects.models import BudgetType, FundingSource, InputType, Project, ProjectStatus

BATCH = 5000
CURRENCY_BASE = {"EUR": Decimal("0.95"), "CHF": Decimal("1.55")}
CO_FUNDING_SOURCE = "RBTC"
CO_FUNDING_SHARE = Decimal("0.2")
SPENDING = {ProjectStatus.ONGOING, ProjectStatus.OPERATIONALLY_CLOSED, ProjectStatus.FINANCIALLY_CLOSED,
            ProjectStatus.SUSPENDED}


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _demo_today() -> dt.date:
    try:
        from projects.demo import DEMO_AS_OF
    except ImportError:
        return dt.date(2001, 10, 31)
    return DEMO_AS_OF


@transaction.atomic
def seed_delivery(*, seed: int, projects: int, log: Callable[[str], None]) -> None:
    if Allocation.objects.exists() or Expenditure.objects.exists():
        log("  Delivery data already present: left as it is.")
        return
    today = _demo_today()
    input_types = list(InputType.objects.order_by("sort_order", "code"))
    if not input_types:
        log("  No types of input: run load_reference first; no delivery data seeded.")
        return
    rng = random.Random(seed + 20)
    register = list(Project.objects.select_related("funding_source").order_by("id"))
    co_funder = FundingSource.objects.filter(code=CO_FUNDING_SOURCE).first()
    extra_budgetary = [p for p in register if p.funding_source.budget_type == BudgetType.EXTRA_BUDGETARY]
    co_funded = set(extra_budgetary[::5]) if co_funder else set()
    first = min((p.start_date for p in register), default=today).replace(day=1)
    rates = [ExchangeRate(currency=currency, period=month,
                          units_per_usd=(base + Decimal(rng.randint(-40, 40)) / 1000).quantize(Decimal("0.000001")))
             for currency, base in CURRENCY_BASE.items() for month in _months(first, today)]
    ExchangeRate.objects.bulk_create(rates, batch_size=BATCH)
    rate_of = {(r.currency, r.period): r.units_per_usd for r in rates}

    allocations, lines, approvals = [], [], []
    spend = defaultdict(set)
    for project in register:
        months = _months(project.start_date, project.end_date)
        budget = Decimal(rng.choice([80, 150, 250, 400, 600, 900, 1500, 2500])) * 1000
        factor = Decimal(rng.choice([25, 45, 60, 75, 85, 90, 95, 100, 105, 130])) / 100
        per_month = budget / len(months)
        for year in sorted({m.year for m in months}):
            share = sum(1 for m in months if m.year == year)
            allocations.append(Allocation(project=project, year=year, funding_source=project.funding_source,
                                          amount_usd=(per_month * share).quantize(Decimal("0.01"))))
            if project in co_funded:
                allocations.append(Allocation(project=project, year=year, funding_source=co_funder, amount_usd=(
                    per_month * share * CO_FUNDING_SHARE).quantize(Decimal("0.01"))))
        if project.donor_id and project.funding_source.budget_type == BudgetType.EXTRA_BUDGETARY:
            approvals.append(Approval(donor_id=project.donor_id, project=project, amount=budget, amount_usd=budget,
                                      date=project.planned_start - dt.timedelta(days=rng.randint(30, 120))))
        if project.status not in SPENDING:
            continue
        currency = rng.choice(["USD", "USD", "USD", "EUR", "CHF"])
        types = rng.sample(input_types, rng.randint(2, min(4, len(input_types))))
        for month in months:
            if month > today:
                break
            for input_type in types:
                amount = (per_month * factor / len(types) * Decimal(rng.randint(50, 150)) / 100).quantize(
                    Decimal("0.01"))
                rate = Decimal(1) if currency == "USD" else rate_of[(currency, month)]
                lines.append(Expenditure(project=project, period=month, input_type=input_type, currency=currency,
                                         funding_source=project.funding_source, amount=amount, exchange_rate=rate,
                                         amount_usd=to_usd(amount, rate)))
                if project in co_funded:
                    co_amount = (amount * CO_FUNDING_SHARE).quantize(Decimal("0.01"))
                    lines.append(Expenditure(project=project, period=month, input_type=input_type,
                                             currency=currency, funding_source=co_funder, amount=co_amount,
                                             exchange_rate=rate, amount_usd=to_usd(co_amount, rate)))
                spend[project.pk].add(month)
    Allocation.objects.bulk_create(allocations, batch_size=BATCH)
    AllocationRevision.objects.bulk_create(
        [AllocationRevision(allocation=a, old_amount_usd=None, new_amount_usd=a.amount_usd,
                            reason="Demo data: approved budget") for a in allocations], batch_size=BATCH)
    Expenditure.objects.bulk_create(lines, batch_size=BATCH)
    refresh_month_spend(spend)
    Approval.objects.bulk_create(approvals, batch_size=BATCH)
    rebuild_year_delivery()
    log(f"  {len(allocations)} allocations, {len(lines)} expenditure lines, {len(approvals)} approvals")
