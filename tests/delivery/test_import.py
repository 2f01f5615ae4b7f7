import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from delivery.models import Allocation, AllocationRevision, ExchangeRate, Expenditure, ImportBatch, ProjectMonthSpend
from delivery.services import financial_import
from projects.models import Project
from tests.delivery.factories import (
    ExchangeRateFactory,
    SpendingProjectFactory,
    allocations_csv,
    csv_bytes,
    expenditure_csv,
)
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def _errors(result):
    return [(e.row, e.column) for e in result.errors]


def test_expenditure_converts_currency_at_the_rate_of_its_month(project_a, officer):
    ExchangeRateFactory(currency="EUR", period=dt.date(2026, 3, 1), units_per_usd=Decimal("0.8"))
    result = financial_import(kind="expenditure", source=expenditure_csv(
        "RAF/26/01/USA,2026-03,EXPERTS,EUR,100.00",
        "RAF/26/01/USA,2026-03,TRAINING,USD,50.00"), filename="march.csv", user=officer)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    line = Expenditure.objects.get(currency="EUR")
    assert line.amount_usd == Decimal("125.00")  # 100 EUR ÷ 0.8 EUR per US$
    assert line.exchange_rate == Decimal("0.8") and line.batch == result.batch
    assert ProjectMonthSpend.objects.get(project=project_a, period=dt.date(2026, 3, 1)).amount_usd == Decimal("175.00")
    assert result.batch.status == "APPLIED" and result.batch.rows_created == 2 and result.batch.uploaded_by == officer


def test_every_bad_row_is_reported_with_row_and_column_and_nothing_is_written(project_a):
    result = financial_import(kind="expenditure", source=expenditure_csv(
        "RAF/26/01/USA,2026-01,EXPERTS,USD,10.00",     # row 2: good
        "XXX/99/99/XXX,2026-01,EXPERTS,USD,10.00",     # row 3: unknown project
        "RAF/26/01/USA,2026-13,EXPERTS,USD,10.00",     # row 4: bad period
        "RAF/26/01/USA,2026-01,PLANES,USD,10.00",      # row 5: unknown input type
        "RAF/26/01/USA,2026-01,EXPERTS,USD,1,5",       # row 6: more values than columns (comma)
        "RAF/26/01/USA,2026-01,EXPERTS,USD,abc",       # row 7: not a number
        "RAF/26/01/USA,2026-01,EXPERTS,USD,20.00",     # row 8: duplicate of row 2
    ))
    assert not result.ok
    assert Expenditure.objects.count() == 0 and ProjectMonthSpend.objects.count() == 0
    batch = ImportBatch.objects.get()
    assert batch.status == "FAILED" and batch.errors


def test_cell_errors_name_row_column_and_reason(project_a):
    result = financial_import(kind="expenditure", source=expenditure_csv(
        "RAF/26/01/USA,2026-01,EXPERTS,USD,10.00",
        "XXX/99/99/XXX,2026-01,EXPERTS,USD,10.00",
        "RAF/26/01/USA,2026-13,EXPERTS,USD,10.00",
        "RAF/26/01/USA,2026-01,PLANES,USD,10.00",
        "RAF/26/01/USA,2026-01,EXPERTS,USD,abc",
        "RAF/26/01/USA,2026-01,EXPERTS,USD,20.00",
        "RAF/26/01/USA,2026-02,EXPERTS,EURO,20.00",
    ), filename="bad.csv")
    assert _errors(result) == [(3, "project_symbol"), (4, "period"), (5, "input_type"), (6, "amount"),
                               (7, "currency"), (8, "currency")]
    messages = [e.message for e in result.errors]
    assert "XXX/99/99/XXX" in messages[0]
    assert "2026-13" in messages[1]
    assert "PLANES" in messages[2] and "EXPERTS" in messages[2]
    assert "Duplicate of row 2" in messages[4]
    assert "EURO" in messages[5]
    assert Expenditure.objects.count() == 0


def test_currency_without_rate_for_its_period_is_refused(project_a):
    ExchangeRateFactory(currency="EUR", period=dt.date(2026, 1, 1))
    result = financial_import(kind="expenditure", source=expenditure_csv(
        "RAF/26/01/USA,2026-01,EXPERTS,EUR,10.00",
        "RAF/26/01/USA,2026-02,EXPERTS,EUR,10.00"))
    assert _errors(result) == [(3, "currency")]
    assert "No exchange rate for EUR in 2026-02" in result.errors[0].message
    assert Expenditure.objects.count() == 0


def test_missing_and_extra_columns_are_refused(project_a):
    result = financial_import(kind="expenditure", source=csv_bytes("project_symbol,period,amount,note", "x,y,z,w"))
    assert [e.row for e in result.errors] == [1, 1]
    assert "input_type" in result.errors[0].message and "note" in result.errors[1].message


def test_same_file_twice_changes_nothing_and_corrected_row_replaces(project_a, officer):
    ExchangeRateFactory(currency="EUR", period=dt.date(2026, 1, 1), units_per_usd=Decimal("0.5"))
    data = expenditure_csv("RAF/26/01/USA,2026-01,EXPERTS,EUR,10.00", "RAF/26/01/USA,2026-01,TRAINING,USD,5.00")
    financial_import(kind="expenditure", source=data, user=officer)
    # A later revision of January's rate must not re-value lines already posted.
    ExchangeRate.objects.filter(currency="EUR").update(units_per_usd=Decimal("0.25"))
    again = financial_import(kind="expenditure", source=data, user=officer)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Expenditure.objects.count() == 2
    assert Expenditure.objects.get(currency="EUR").amount_usd == Decimal("20.00")

    corrected = financial_import(kind="expenditure", source=expenditure_csv(
        "RAF/26/01/USA,2026-01,EXPERTS,EUR,10.00", "RAF/26/01/USA,2026-01,TRAINING,USD,7.50"), user=officer)
    assert (corrected.created, corrected.updated, corrected.unchanged) == (0, 1, 1)
    assert Expenditure.objects.get(currency="USD").amount == Decimal("7.50")
    assert ProjectMonthSpend.objects.get().amount_usd == Decimal("27.50")


def test_rollup_equals_sum_of_raw_lines_after_several_imports(project_a, project_b):
    ExchangeRateFactory(currency="EUR", period=dt.date(2026, 2, 1), units_per_usd=Decimal("0.8"))
    financial_import(kind="expenditure", source=expenditure_csv(
        "RAF/26/01/USA,2026-01,EXPERTS,USD,10.00", "RAF/26/01/USA,2026-02,EXPERTS,USD,20.00",
        "RAF/26/01/USA,2026-02,EXPERTS,EUR,8.00", "RLA/26/02/USA,2026-01,TRAINING,USD,30.00"))
    financial_import(kind="expenditure", source=expenditure_csv(
        "RAF/26/01/USA,2026-01,TRAINING,USD,1.25", "RAF/26/01/USA,2026-02,EXPERTS,USD,-5.00",
        "RLA/26/02/USA,2026-03,TRAINING,USD,4.00"))
    raw = {(r["project_id"], r["period"]): r["total"] for r in
           Expenditure.objects.values("project_id", "period").annotate(total=Sum("amount_usd"))}
    rollup = {(r.project_id, r.period): r.amount_usd for r in ProjectMonthSpend.objects.all()}
    assert rollup == raw
    assert rollup[(project_a.id, dt.date(2026, 2, 1))] == Decimal("5.00")  # 10 US$ in EUR, then −5 US$
    assert len(rollup) == 4


def test_dry_run_reports_counts_and_writes_nothing(project_a):
    result = financial_import(kind="expenditure", source=expenditure_csv("RAF/26/01/USA,2026-01,EXPERTS,USD,10.00"),
                              dry_run=True)
    assert result.ok and result.created == 1 and result.dry_run
    assert Expenditure.objects.count() == 0 and ImportBatch.objects.count() == 0
    assert "Dry run" in result.summary()


def test_allocation_change_keeps_every_earlier_amount(project_a, officer):
    first = financial_import(kind="allocations", source=allocations_csv("RAF/26/01/USA,2026,XBTC,1000.00"),
                             filename="budget.csv", user=officer)
    assert first.ok and first.created == 1
    same = financial_import(kind="allocations", source=allocations_csv("RAF/26/01/USA,2026,XBTC,1000.00"))
    assert (same.created, same.updated, same.unchanged) == (0, 0, 1)
    financial_import(kind="allocations", source=allocations_csv("RAF/26/01/USA,2026,XBTC,1500.00"),
                     filename="revised.csv", user=officer)
    allocation = Allocation.objects.get()
    assert allocation.amount_usd == Decimal("1500.00")
    revisions = list(AllocationRevision.objects.filter(allocation=allocation).order_by("id"))
    assert [(r.old_amount_usd, r.new_amount_usd) for r in revisions] == [
        (None, Decimal("1000.00")), (Decimal("1000.00"), Decimal("1500.00"))]
    assert revisions[1].revised_by == officer and "revised.csv" in revisions[1].reason


def test_allocation_errors(project_a):
    result = financial_import(kind="allocations", source=allocations_csv(
        "RAF/26/01/USA,20x6,XBTC,1000.00", "RAF/26/01/USA,2026,NOPE,1000.00", "RAF/26/01/USA,2026,XBTC,-1",
        "RAF/26/01/USA,2026,XBTC,5", "RAF/26/01/USA,2026,xbtc,6"))
    assert _errors(result) == [(2, "year"), (3, "funding_source"), (4, "amount_usd"), (6, "funding_source")]
    assert Allocation.objects.count() == 0


def test_rates_import_and_idempotency():
    data = csv_bytes("currency,period,units_per_usd", "EUR,2026-01,0.91", "chf,2026-01,0.88")
    first = financial_import(kind="rates", source=data)
    assert first.ok and first.created == 2
    assert ExchangeRate.objects.get(currency="CHF").units_per_usd == Decimal("0.880000")
    again = financial_import(kind="rates", source=data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    bad = financial_import(kind="rates", source=csv_bytes("currency,period,units_per_usd", "USD,2026-01,1",
                                                          "EUR,2026-01,0"))
    assert _errors(bad) == [(2, "currency"), (3, "units_per_usd")]


def test_rows_of_projects_the_user_may_not_change_are_refused_whole(project_a, officer, reference):
    other = SpendingProjectFactory(symbol="RAS/26/03/USA", responsible_unit=UnitFactory(code="RO-ELSEWHERE"))
    for kind, data in (("allocations", allocations_csv("RAF/26/01/USA,2026,XBTC,10", "RAS/26/03/USA,2026,XBTC,10")),
                       ("expenditure", expenditure_csv("RAF/26/01/USA,2026-01,EXPERTS,USD,1",
                                                       "RAS/26/03/USA,2026-01,EXPERTS,USD,1"))):
        for dry_run in (True, False):
            result = financial_import(kind=kind, source=data, user=officer, dry_run=dry_run)
            assert [(e.row, e.column, e.message) for e in result.errors] == [
                (3, "project_symbol", f"You may not change project {other.symbol}.")] and result.refused
    assert not Allocation.objects.exists() and not Expenditure.objects.exists()
    assert financial_import(kind="allocations", source=allocations_csv("RAS/26/03/USA,2026,XBTC,10")).ok  # command


def test_the_rows_projects_are_checked_set_based(reference, officer, unit):
    """The officer's import asks a fixed number of queries more than the system actor's, whatever the rows."""
    symbols = [SpendingProjectFactory(symbol=f"RAF/26/{n:02d}/USA", responsible_unit=unit).symbol
               for n in range(10, 40)]

    def extra_queries(count: int) -> int:
        data = allocations_csv(*(f"{symbol},2026,XBTC,10" for symbol in symbols[:count]))
        measured = []
        for user in (type(officer).objects.get(pk=officer.pk), None):  # a fresh user: no cached units
            with CaptureQueriesContext(connection) as queries:
                assert financial_import(kind="allocations", source=data, user=user, dry_run=True).ok
            measured.append(len(queries))
        return measured[0] - measured[1]

    assert extra_queries(1) == extra_queries(30) <= 2


def test_xlsx_file_is_read(project_a):
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["project_symbol", "period", "input_type", "currency", "amount"])
    sheet.append(["RAF/26/01/USA", "2026-04", "EXPERTS", "USD", 12.5])
    buffer = BytesIO()
    workbook.save(buffer)
    result = financial_import(kind="expenditure", source=buffer.getvalue(), filename="april.xlsx")
    assert result.ok, result.errors
    assert Expenditure.objects.get().amount_usd == Decimal("12.50")


def test_demo_seed_is_deterministic_and_rollup_matches(reference, project_a, project_b):
    from delivery.demo import seed_delivery

    Project.objects.update(planned_start=dt.date(2000, 1, 1), planned_end=dt.date(2001, 12, 31))
    seed_delivery(seed=7, projects=2, log=lambda message: None)
    assert Allocation.objects.count() >= 4  # each project spans 2000 and 2001
    raw = {(r["project_id"], r["period"]): r["total"] for r in
           Expenditure.objects.values("project_id", "period").annotate(total=Sum("amount_usd"))}
    assert raw and raw == {(r.project_id, r.period): r.amount_usd for r in ProjectMonthSpend.objects.all()}
    first = sorted(Expenditure.objects.values_list("project_id", "period", "amount_usd"))
    Expenditure.objects.all().delete()
    ProjectMonthSpend.objects.all().delete()
    Allocation.objects.all().delete()
    ExchangeRate.objects.all().delete()
    seed_delivery(seed=7, projects=2, log=lambda message: None)
    assert sorted(Expenditure.objects.values_list("project_id", "period", "amount_usd")) == first
