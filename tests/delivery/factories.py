"""Factories for delivery records; expenditure is normally written through the import service."""

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from delivery.models import Allocation, ExchangeRate
from tests.factories import FundingSourceFactory, ProjectFactory


class SpendingProjectFactory(ProjectFactory):
    """A project whose years cover the periods the tests book expenditure in (an import refuses a period before
    the project's start year or more than 12 months after its planned end)."""

    planned_start = dt.date(2025, 1, 1)
    planned_end = dt.date(2027, 12, 31)


class AllocationFactory(DjangoModelFactory):
    class Meta:
        model = Allocation

    project = factory.SubFactory(ProjectFactory)
    year = 2026
    funding_source = factory.SubFactory(FundingSourceFactory)
    amount_usd = Decimal("1000.00")


class ExchangeRateFactory(DjangoModelFactory):
    class Meta:
        model = ExchangeRate
        django_get_or_create = ("currency", "period")

    currency = "EUR"
    period = dt.date(2026, 1, 1)
    units_per_usd = Decimal("0.800000")


def csv_bytes(header: str, *lines: str) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def expenditure_csv(*lines: str) -> bytes:
    return csv_bytes("project_symbol,period,input_type,currency,amount", *lines)


def allocations_csv(*lines: str) -> bytes:
    return csv_bytes("project_symbol,year,funding_source,amount_usd", *lines)
