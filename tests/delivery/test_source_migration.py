"""Migrations 0005 and 0006: lines stored before expenditure carried a source of funds get their project's main
source, and the rollups by source are filled from the lines and allocations."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from delivery.models import Expenditure, SourceMonthSpend, SourceYearDelivery
from tests.delivery.factories import AllocationFactory, SpendingProjectFactory
from tests.factories import FundingSourceFactory, InputTypeFactory

BEFORE = [("delivery", "0004_expenditure_source_of_funds")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _migrate_to_the_latest():
    """Back to every app's latest migration: going back to BEFORE also unapplied the other apps' migrations that
    depend on the later delivery ones (and the rows they seed), which the tests after this one need."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_stored_lines_get_their_projects_main_source_and_the_rollups_by_source_are_filled():
    xbtc, rbtc = FundingSourceFactory(code="XBTC"), FundingSourceFactory(code="RBTC")
    experts = InputTypeFactory(code="EXPERTS")
    funded = {SpendingProjectFactory(symbol="RAF/26/01/USA", funding_source=xbtc): xbtc,
              SpendingProjectFactory(symbol="RLA/26/02/USA", funding_source=rbtc): rbtc}
    for project in funded:
        AllocationFactory(project=project, year=2026, funding_source=xbtc, amount_usd=Decimal("100.00"))
    try:
        old_apps = _migrate(BEFORE)
        OldExpenditure = old_apps.get_model("delivery", "Expenditure")
        for index, project in enumerate(funded):
            for month, amount in ((1, "10.00"), (3, "2.50")):
                OldExpenditure.objects.create(project_id=project.pk, period=dt.date(2026, month, 1),
                                              input_type_id=experts.pk, currency="USD", amount=Decimal(amount),
                                              exchange_rate=Decimal(1), amount_usd=Decimal(amount) * (index + 1))
        assert OldExpenditure.objects.filter(funding_source__isnull=True).count() == 4
    finally:
        _migrate_to_the_latest()

    assert {(line.project_id, line.funding_source_id) for line in Expenditure.objects.all()} == {
        (project.pk, source.pk) for project, source in funded.items()}
    assert sorted((m.project_id, m.period.month, m.funding_source_id, m.amount_usd)
                  for m in SourceMonthSpend.objects.all()) == sorted(
        (project.pk, month, source.pk, Decimal(amount) * (index + 1))
        for index, (project, source) in enumerate(funded.items()) for month, amount in ((1, "10.00"), (3, "2.50")))
    rows = {(r.project_id, r.funding_source_id): (r.allocation_cents, r.has_allocation, r.first_spend_month,
                                                  r.spent_cents_to_m02, r.spent_cents_to_m12)
            for r in SourceYearDelivery.objects.filter(year=2026)}
    a, b = funded
    assert rows == {(a.pk, xbtc.pk): (10000, True, 1, 1000, 1250),
                    (b.pk, xbtc.pk): (10000, True, None, 0, 0),
                    (b.pk, rbtc.pk): (0, False, 1, 2000, 2500)}
