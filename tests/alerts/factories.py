"""Test data for the early-warning tests: money is written straight into the delivery tables the rules read."""

import datetime as dt
from decimal import Decimal

from alerts.models import Rule
from delivery.models import Allocation, ProjectMonthSpend
from partners.models import UnitMembership
from tests.factories import FundingSourceFactory, ProjectFactory


def project(**kwargs):
    kwargs.setdefault("planned_start", dt.date(2025, 1, 1))
    kwargs.setdefault("planned_end", dt.date(2027, 12, 31))
    return ProjectFactory(**kwargs)


def allocate(project, year: int, amount, source: str = "XBTC") -> Allocation:
    return Allocation.objects.create(project=project, year=year, funding_source=FundingSourceFactory(code=source),
                                     amount_usd=Decimal(str(amount)))


def spend(project, period: str, amount) -> ProjectMonthSpend:
    """period "YYYY-MM"."""
    year, month = (int(part) for part in period.split("-"))
    return ProjectMonthSpend.objects.create(project=project, period=dt.date(year, month, 1),
                                            amount_usd=Decimal(str(amount)))


def member(user, unit, **flags) -> UnitMembership:
    membership, _created = UnitMembership.objects.update_or_create(user=user, unit=unit, defaults=flags)
    return membership


def only_rules(*codes: str) -> None:
    """Enable just these rules, so a scan test is about them alone."""
    Rule.objects.exclude(code__in=codes).update(enabled=False)
    Rule.objects.filter(code__in=codes).update(enabled=True)
