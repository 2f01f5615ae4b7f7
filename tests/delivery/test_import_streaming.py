"""Financial imports read their file a row at a time and go through it a chunk of rows after another
(delivery/services.py): with chunks of two rows here, what a file's rows say about each other (a key repeated,
a reversal and what it reverses, missing rates) is found across chunks as it is within one, a refusal in a later
chunk undoes what earlier chunks wrote, and the checksum is the file's."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import tabular
from delivery.models import Allocation, AllocationRevision, ExchangeRate, Expenditure, ImportBatch, ProjectMonthSpend
from delivery.services import financial_import
from tests import import_flow
from tests.delivery.factories import ExchangeRateFactory, allocations_csv, csv_bytes, expenditure_csv

pytestmark = pytest.mark.django_db

A, B = "RAF/26/01/USA", "RLA/26/02/USA"  # project_a, project_b (tests/delivery/conftest.py)


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(tabular, "ROW_CHUNK", 2)


def _expenditure(*lines, dry_run=False, **kwargs):
    return financial_import(kind="expenditure", source=expenditure_csv(*lines), filename="lines.csv",
                            dry_run=dry_run, **kwargs)


def _answer(result) -> tuple:
    return ([(e.row, e.column, e.message) for e in result.errors], result.plans, result.plans_total,
            (result.created, result.updated, result.unchanged))


def test_a_file_in_chunks_gives_the_answer_of_one_chunk(project_a, project_b, monkeypatch):
    ExchangeRateFactory(currency="EUR", period=dt.date(2026, 3, 1), units_per_usd=Decimal("0.5"))
    assert _expenditure(f"{A},2026-03,EXPERTS,USD,100.00", f"{B},2026-03,TRAINING,USD,40.00").ok
    files = [
        # create, replace, unchanged, in several chunks
        [f"{A},2026-03,EXPERTS,USD,120.00", f"{A},2026-04,EXPERTS,EUR,10.00", f"{B},2026-03,TRAINING,USD,40.00",
         f"{B},2026-04,EXPERTS,USD,5.00", f"{A},2026-05,TRAINING,USD,1.00"],
        # a key repeated three chunks later, and a bad cell between
        [f"{A},2026-04,EXPERTS,USD,1.00", f"{A},2026-05,EXPERTS,USD,1.00", f"{A},2026-13,EXPERTS,USD,1.00",
         f"{B},2026-04,EXPERTS,USD,1.00", f"{A},2026-06,EXPERTS,USD,1.00", f"{A},2026-04,EXPERTS,USD,2.00"],
        # rates missing in two chunks
        [f"{A},2026-04,EXPERTS,EUR,1.00", f"{A},2026-05,EXPERTS,USD,1.00", f"{A},2026-06,EXPERTS,CHF,1.00"],
        # a reversal in the first chunk that a raise in the third covers (100 → 130, then −120 US$)...
        [f"{A},2026-03,EXPERTS,EUR,-60.00", f"{B},2026-05,EXPERTS,USD,1.00", f"{B},2026-06,EXPERTS,USD,1.00",
         f"{B},2026-07,EXPERTS,USD,1.00", f"{A},2026-03,EXPERTS,USD,130.00"],
        # ... and one it does not (100 → 110, then −120 US$: −10 US$ left)
        [f"{A},2026-03,EXPERTS,EUR,-60.00", f"{B},2026-05,EXPERTS,USD,1.00", f"{B},2026-06,EXPERTS,USD,1.00",
         f"{B},2026-07,EXPERTS,USD,1.00", f"{A},2026-03,EXPERTS,USD,110.00", f"{B},2026-03,TRAINING,EUR,-20.50"],
    ]
    for lines in files:
        whole = _answer(_expenditure(*lines, dry_run=True))
        monkeypatch.setattr(tabular, "ROW_CHUNK", 2)
        assert _answer(_expenditure(*lines, dry_run=True)) == whole
        monkeypatch.undo()
    duplicate, negative = _answer(_expenditure(*files[1], dry_run=True))[0], _answer(_expenditure(*files[4]))[0]
    assert duplicate == [(4, "period", "“2026-13” is not a period in the form YYYY-MM."),
                         (7, "currency", "Duplicate of row 2 (same key).")]
    assert [(row, column) for row, column, _message in negative] == [(2, "amount"), (7, "amount")]
    assert "(US$ -10.00)" in negative[0][2] and "(US$ -1.00)" in negative[1][2]


def test_a_refusal_in_a_later_chunk_undoes_the_earlier_chunks_writes(project_a, small_chunks):
    result = _expenditure(*[f"{A},2026-0{month},EXPERTS,USD,10.00" for month in range(1, 8)],
                          f"{A},2026-01,EXPERTS,USD,99.00")
    assert [(e.row, e.column) for e in result.errors] == [(9, "currency")]
    assert not Expenditure.objects.exists() and not ProjectMonthSpend.objects.exists()
    assert ImportBatch.objects.get().status == "FAILED"


def test_a_real_import_in_chunks_writes_every_row_and_its_rollups(project_a, project_b, small_chunks):
    ExchangeRateFactory(currency="EUR", period=dt.date(2026, 3, 1), units_per_usd=Decimal("0.5"))
    result = _expenditure(f"{A},2026-03,EXPERTS,USD,100.00", f"{A},2026-03,EXPERTS,EUR,10.00",
                          f"{B},2026-03,EXPERTS,USD,1.00", f"{A},2026-03,TRAINING,USD,-20.00",
                          f"{A},2026-04,EXPERTS,USD,7.00", f"{A},2026-03,TRAINING,EUR,30.00")
    assert result.ok, result.errors
    assert (result.created, result.rows_total) == (6, 6)
    assert dict(ProjectMonthSpend.objects.filter(project=project_a).values_list("period", "amount_usd")) == {
        dt.date(2026, 3, 1): Decimal("160.00"), dt.date(2026, 4, 1): Decimal("7.00")}
    assert Expenditure.objects.count() == 6


def test_allocations_rates_and_approvals_find_repeated_keys_across_chunks(project_a, small_chunks):
    result = financial_import(kind="allocations", source=allocations_csv(
        f"{A},2026,XBTC,1.00", f"{A},2027,XBTC,1.00", f"{A},2028,XBTC,1.00", f"{A},2026,XBTC,2.00"))
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (5, "funding_source", "Duplicate of row 2 (same key).")]
    rates = financial_import(kind="rates", source=csv_bytes(
        "currency,period,units_per_usd", "EUR,2026-01,0.9", "CHF,2026-01,0.9", "EUR,2026-02,0.9", "EUR,2026-01,1"))
    assert [(e.row, e.column) for e in rates.errors] == [(5, "period")]
    assert not ExchangeRate.objects.exists()


def test_allocations_in_chunks_keep_a_revision_of_each_row(project_a, small_chunks):
    assert financial_import(kind="allocations", source=allocations_csv(
        *[f"{A},{year},XBTC,{year}.00" for year in range(2025, 2030)])).ok
    assert Allocation.objects.count() == AllocationRevision.objects.count() == 5


def test_a_preview_keeps_its_first_rows_and_counts_them_all(project_a, small_chunks):
    lines = [f"{A},2026-{month:02d},{kind},USD,1.00" for month in range(1, 13) for kind in ("EXPERTS", "TRAINING")]
    result = _expenditure(*lines, dry_run=True, plan_rows=5)
    assert [plan["row"] for plan in result.plans] == [2, 3, 4, 5, 6] and result.plans_total == 24
    assert len(_expenditure(*lines, dry_run=True, plan_rows=None).plans) == 24


def test_the_job_reads_the_stored_file_and_records_its_checksum(project_a, officer, client,
                                                                django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    content = expenditure_csv(*[f"{A},2026-{month:02d},EXPERTS,USD,{month}.00" for month in range(1, 13)])
    client.force_login(officer)
    upload = SimpleUploadedFile("lines.csv", content)
    job = import_flow.upload(client, capture, reverse("delivery:import"), {"kind": "expenditure", "file": upload}
                             ).context["job"]
    assert job.preview["plan_total"] == 12 and job.rows_total == 12
    import_flow.confirm(client, capture, job)
    assert ImportBatch.objects.get().checksum == hashlib.sha256(content).hexdigest()
    assert Expenditure.objects.count() == 12


def test_approvals_refused_in_a_later_chunk_leave_none_saved(project_a, officer, small_chunks):
    from delivery.models import Approval
    from tests.factories import OrganisationFactory

    OrganisationFactory(name="Norwegian Agency for Development Cooperation", acronym="NORAD")
    header = "project_symbol,donor,date,amount,currency"
    lines = [f"{A},NORAD,2026-0{month},1000.00,USD" for month in range(1, 5)]
    result = financial_import(kind="approvals", user=officer, source=csv_bytes(
        header, *[line.replace(f"2026-0{n + 1},", f"2026-0{n + 1}-15,") for n, line in enumerate(lines)],
        f"{A},NORAD,2026-05-15,1000.00,EUR", f"{A},NORAD,2026-01-15,5.00,USD"))
    assert [(e.row, e.column, e.message) for e in result.errors] == [(7, "date", "Duplicate of row 2 (same key).")]
    result = financial_import(kind="approvals", user=officer, source=csv_bytes(
        header, *[line.replace(f"2026-0{n + 1},", f"2026-0{n + 1}-15,") for n, line in enumerate(lines)],
        f"{A},NORAD,2026-05-15,1000.00,EUR"))
    assert [(e.row, e.column) for e in result.errors] == [(6, "currency")]  # no EUR rate for 2026-05
    assert not Approval.objects.exists()



def test_sources_of_funds_in_chunks_give_the_answer_of_one_chunk(project_a, project_b, monkeypatch):
    """The optional `funding_source` column (issue 16.1) streams as the rest: a line's key and its reversal group
    include its source (the project's main one when the cell is empty), whichever chunks its lines fall in."""
    ExchangeRateFactory(currency="EUR", period=dt.date(2026, 3, 1), units_per_usd=Decimal("0.5"))
    header = "project_symbol,period,input_type,currency,amount,funding_source"
    assert financial_import(kind="expenditure", source=csv_bytes(header, f"{A},2026-03,EXPERTS,USD,100.00,")).ok

    def run(*lines, dry_run=True):
        return financial_import(kind="expenditure", source=csv_bytes(header, *lines), dry_run=dry_run)

    # RBTC's reversal (−30 US$) in the first chunk, covered by RBTC's line of the third (+40 US$); XBTC's reversal
    # (−80 US$) by what XBTC spent before (100 US$).
    covered = [f"{A},2026-03,EXPERTS,USD,-30.00,RBTC", f"{A},2026-03,EXPERTS,EUR,-40.00,XBTC",
               f"{B},2026-03,EXPERTS,USD,1.00,", f"{B},2026-04,EXPERTS,USD,1.00,RBTC",
               f"{A},2026-03,EXPERTS,EUR,20.00,rbtc"]
    # RBTC's reversal that only XBTC's spending (another source) would cover.
    uncovered = [f"{A},2026-03,EXPERTS,USD,-30.00,RBTC", f"{B},2026-03,EXPERTS,USD,1.00,",
                 f"{B},2026-04,EXPERTS,USD,1.00,RBTC", f"{A},2026-03,EXPERTS,USD,100.00,XBTC"]
    # Naming the main source in a later chunk repeats the key of a row that left the cell empty.
    repeated = [f"{A},2026-04,EXPERTS,USD,1.00,", f"{B},2026-03,EXPERTS,USD,1.00,",
                f"{B},2026-04,EXPERTS,USD,1.00,", f"{A},2026-04,EXPERTS,USD,2.00,XBTC"]
    for lines in (covered, uncovered, repeated):
        whole = _answer(run(*lines))
        monkeypatch.setattr(tabular, "ROW_CHUNK", 2)
        assert _answer(run(*lines)) == whole
        monkeypatch.undo()
    monkeypatch.setattr(tabular, "ROW_CHUNK", 2)
    errors, plans, total, counts = _answer(run(*covered))
    assert (errors, total, counts) == ([], 5, (5, 0, 0))
    assert [plan["key"] for plan in plans] == [
        f"{A} 2026-03 EXPERTS USD RBTC", f"{A} 2026-03 EXPERTS EUR XBTC", f"{B} 2026-03 EXPERTS USD",
        f"{B} 2026-04 EXPERTS USD RBTC", f"{A} 2026-03 EXPERTS EUR RBTC"]
    assert _answer(run(*repeated))[0] == [(5, "currency", "Duplicate of row 2 (same key).")]
    refused = run(*uncovered, dry_run=False)
    assert [(e.row, e.column) for e in refused.errors] == [(2, "amount")]
    assert "RBTC" in refused.errors[0].message and "(US$ -30.00)" in refused.errors[0].message
    assert Expenditure.objects.count() == 1
    assert run(*covered, dry_run=False).ok
    assert dict(ProjectMonthSpend.objects.filter(project=project_a).values_list("period", "amount_usd")) == {
        dt.date(2026, 3, 1): Decimal("30.00")}  # 100 − 30 − 80 + 40
