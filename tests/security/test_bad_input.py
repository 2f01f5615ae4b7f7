"""Property-based tests: whatever file arrives, the imports answer with a result or a TableError, never another
exception, and a refused file writes none of its rows (only the record of the refusal)."""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.tabular import Table, TableError, read_table
from delivery.models import Allocation, ExchangeRate, Expenditure, ImportBatch, ImportStatus
from delivery.services import LAYOUTS, financial_import
from projects.models import Project
from projects.services import IMPORT_COLUMNS, load_reference, project_import
from tests.factories import FundingSourceFactory, InputTypeFactory, ProjectFactory

BOUNDED = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])

# Cells that look almost right are where parsers break: near-dates, near-numbers, codes that exist, and noise.
NEAR_MISS = st.sampled_from([
    "", " ", "0", "-1", "1e309", "NaN", "inf", "1,5", "12.345.6", "2026", "2026-13", "2026-02-30", "0000-01",
    "9999-12", "2001-10", "2001-10-31", "31/12/2001", "XBTC", "RBTC", "EXPERTS", "TRAINING", "EUR", "USD", "€€€",
    "INT/00/0001/MUL", "RAF/26/01/USA", "=1+1", "\u202e", "\x00", "NULL", "' OR 1=1 --", "9" * 40, "-0.00",
    "ONGOING", "COMPLETED", "AFRICA", "SEN;KEN", "1", "2", "IPEC", "CO-DAKAR",
])
CELL = st.one_of(NEAR_MISS, st.text(max_size=30), st.decimals(allow_nan=False, allow_infinity=False, places=2)
                 .map(str), st.integers(-10**15, 10**15).map(str))


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", errors="surrogatepass")


def tables(columns: list[str]):
    """A CSV whose header is a shuffled subset of the expected columns, maybe with a stranger, and random rows."""
    header = st.lists(st.sampled_from([*columns, "unexpected", ""]), min_size=0, max_size=len(columns) + 2)
    full = st.permutations(columns)
    return st.one_of(header, full, full).flatmap(lambda head: st.tuples(
        st.just(list(head)), st.lists(st.lists(CELL, min_size=0, max_size=len(head) + 1), max_size=6)))


def _row_counts() -> dict[str, int]:
    return {"allocations": Allocation.objects.count(), "expenditure": Expenditure.objects.count(),
            "rates": ExchangeRate.objects.count(), "projects": Project.objects.count(),
            "applied_batches": ImportBatch.objects.filter(status=ImportStatus.APPLIED).count()}


@BOUNDED
@given(data=st.binary(max_size=2048), as_xlsx=st.booleans())
def test_read_table_on_random_bytes(data, as_xlsx):
    try:
        table = read_table(data, required=["symbol"], optional=["title"], filename="f.xlsx" if as_xlsx else "f.csv")
    except TableError as exc:
        assert exc.errors and all(str(e) for e in exc.errors)
    else:
        assert isinstance(table, Table) and "symbol" in table.columns


@BOUNDED
@given(data=st.binary(max_size=512).map(lambda tail: b"PK\x03\x04" + tail))
def test_read_table_on_broken_zip(data):
    with pytest.raises(TableError):
        read_table(data, required=["symbol"])


@pytest.fixture
def delivery_reference(db):
    FundingSourceFactory(code="XBTC")
    FundingSourceFactory(code="RBTC")
    InputTypeFactory(code="EXPERTS")
    InputTypeFactory(code="TRAINING")
    ProjectFactory(symbol="RAF/26/01/USA")
    ProjectFactory(symbol="INT/00/0001/MUL")


def _check_financial(kind, payload, dry_run):
    before = _row_counts()
    result = financial_import(kind=kind, source=payload, filename=f"{kind}.csv", dry_run=dry_run)
    after = _row_counts()
    if result.errors or dry_run:
        assert after == before, (result.errors, before, after)
        assert all(str(error) for error in result.errors)
    else:
        assert after["applied_batches"] == before["applied_batches"] + 1
        assert result.created + result.updated + result.unchanged == result.rows_total


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(LAYOUTS))
def test_financial_import_random_tables(kind, delivery_reference):
    @BOUNDED
    @given(table=tables(LAYOUTS[kind]), dry_run=st.booleans())
    def check(table, dry_run):
        _check_financial(kind, _csv(*table), dry_run)

    check()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(LAYOUTS))
def test_financial_import_random_bytes(kind, delivery_reference):
    @BOUNDED
    @given(data=st.binary(max_size=1024))
    def check(data):
        _check_financial(kind, data, dry_run=False)

    check()


@pytest.mark.django_db
def test_project_import_random_tables(db):
    load_reference()
    ProjectFactory(symbol="INT/00/0001/MUL")

    @BOUNDED
    @given(table=st.one_of(tables(IMPORT_COLUMNS), st.binary(max_size=512).map(lambda b: ([], b))),
           dry_run=st.booleans())
    def check(table, dry_run):
        payload = table[1] if isinstance(table[1], bytes) else _csv(*table)
        before = _row_counts()
        titles = dict(Project.objects.values_list("symbol", "title"))
        result = project_import(source=payload, filename="projects.csv", dry_run=dry_run)
        if result.errors or dry_run:
            assert _row_counts() == before
            assert dict(Project.objects.values_list("symbol", "title")) == titles
            assert all(str(error) for error in result.errors)

    check()


def test_nul_characters_are_refused_with_a_message():
    """Found by the tests above on PostgreSQL, which cannot store NUL in text: refused at reading, by position."""
    with pytest.raises(TableError, match="NUL characters"):
        read_table(b"symbol\nA\x00B\n", required=["symbol"])
