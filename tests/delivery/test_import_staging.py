"""Expenditure imports write through a staging table (core.staging, issue 19.3): every new or changed line is staged
(COPY on PostgreSQL, batched INSERTs on SQLite) and moved into Expenditure by one upsert once the whole file has
passed; the rollups are written the same way. What the tests of import results check (counts, errors by row,
re-import, reversals) holds unchanged; these check the staging itself."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.staging import StagingTable, upsert_rows
from delivery.models import Expenditure, ProjectMonthSpend, ProjectYearDelivery
from delivery.services import financial_import
from tests.delivery.factories import expenditure_csv

pytestmark = pytest.mark.django_db

A = "RAF/26/01/USA"  # project_a (tests/delivery/conftest.py)


def _lines(count: int, amount: str = "10.00") -> bytes:
    kinds = ("EXPERTS", "TRAINING")
    return expenditure_csv(*[f"{A},2026-{month:02d},{kinds[n % 2]},{currency},{amount}"
                             for n, (month, currency) in enumerate(
                                 (month, currency) for month in range(1, 13) for currency in ("USD", "EUR", "CHF"))
                             ][:count])


def _staging_tables() -> set[str]:
    """The staging tables the connection holds (SQLite keeps temporary tables in a schema of their own)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table'")
            names = [name for (name,) in cursor.fetchall()]
    else:
        names = connection.introspection.table_names()
    return {name for name in names if name.startswith("staging_")}


def test_upsert_rows_inserts_new_keys_and_replaces_the_others_columns(project_a):
    upsert_rows(ProjectMonthSpend, [{"project_id": project_a.pk, "period": dt.date(2026, 1, 1), "amount_usd": 5},
                                    {"project_id": project_a.pk, "period": dt.date(2026, 2, 1), "amount_usd": 7}],
                key=("project_id", "period"))
    upsert_rows(ProjectMonthSpend, [{"project_id": project_a.pk, "period": dt.date(2026, 2, 1),
                                     "amount_usd": Decimal("8.25")}], key=("project_id", "period"))
    assert dict(ProjectMonthSpend.objects.values_list("period", "amount_usd")) == {
        dt.date(2026, 1, 1): Decimal("5.00"), dt.date(2026, 2, 1): Decimal("8.25")}
    upsert_rows(ProjectMonthSpend, [], key=("project_id", "period"))  # nothing to write: no statement fails
    assert not _staging_tables()  # each staging table is dropped when its rows are in


def test_a_staged_row_reaches_its_table_only_at_the_upsert(project_a):
    with StagingTable(ProjectMonthSpend, ["project_id", "period", "amount_usd"]) as staged:
        staged.add([[project_a.pk, dt.date(2026, 3, 1), Decimal("1.50")],
                    [project_a.pk, dt.date(2026, 4, 1), Decimal("2.50")]])
        assert not ProjectMonthSpend.objects.exists()
        assert sorted(staged.distinct("project_id")) == [(project_a.pk,)]
        staged.upsert(key=["project_id", "period"], update=["amount_usd"])
    assert ProjectMonthSpend.objects.count() == 2


def test_an_import_writes_its_lines_and_rollups_and_a_reimport_changes_nothing(project_a):
    from tests.delivery.factories import ExchangeRateFactory

    for month in range(1, 13):
        for currency in ("EUR", "CHF"):
            ExchangeRateFactory(currency=currency, period=dt.date(2026, month, 1), units_per_usd=Decimal("0.5"))
    first = financial_import(kind="expenditure", source=_lines(30))
    assert first.ok, first.errors
    assert (first.created, Expenditure.objects.count()) == (30, 30)
    assert not _staging_tables()
    spent = ProjectYearDelivery.objects.get(project=project_a, year=2026).spent_cents_to_m12
    assert spent == sum(int(e.amount_usd * 100) for e in Expenditure.objects.all())
    again = financial_import(kind="expenditure", source=_lines(30))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 30)
    changed = financial_import(kind="expenditure", source=_lines(30, "12.00"))
    assert (changed.created, changed.updated) == (0, 30)
    assert set(Expenditure.objects.values_list("amount", flat=True)) == {Decimal("12.00")}
    assert set(Expenditure.objects.values_list("batch", flat=True)) == {changed.batch.pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_on_postgresql_the_lines_go_by_copy_in_statements_that_do_not_grow_with_the_file(project_a):
    from tests.delivery.factories import ExchangeRateFactory

    for month in range(1, 13):
        for currency in ("EUR", "CHF"):
            ExchangeRateFactory(currency=currency, period=dt.date(2026, month, 1), units_per_usd=Decimal("0.5"))

    def statements(rows: int) -> list[str]:
        Expenditure.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            assert financial_import(kind="expenditure", source=_lines(rows)).ok
        return [query["sql"] for query in captured.captured_queries]

    small, large = statements(3), statements(36)
    assert len(small) == len(large)
    inserts = [sql for sql in large if sql.startswith('INSERT INTO "delivery_expenditure"')]
    assert len(inserts) == 1 and "SELECT" in inserts[0] and "ON CONFLICT" in inserts[0]
