"""The same financial file submitted twice at the same moment gives one result: never double rows, never a crash."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from delivery.models import Allocation, AllocationRevision, ExchangeRate, Expenditure, ImportBatch, ImportStatus
from delivery.services import financial_import
from tests.delivery.factories import SpendingProjectFactory
from tests.factories import FundingSourceFactory, InputTypeFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SUBMISSIONS = 4


def _submit_together(kind: str, payload: bytes) -> list:
    barrier = threading.Barrier(SUBMISSIONS)
    outcomes: list = [None] * SUBMISSIONS

    def submit(index):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = financial_import(kind=kind, source=payload, filename=f"{kind}.csv")
        except Exception as exc:  # the assertion below reports it
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(SUBMISSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an import is stuck"
    return outcomes


def _assert_one_result(outcomes):
    crashes = [o for o in outcomes if isinstance(o, Exception)]
    assert not crashes, f"{connection.vendor}: {crashes!r}"
    applied = [o for o in outcomes if o.ok]
    assert applied, [o.errors for o in outcomes]
    # Exactly one submission writes the rows; the others find them already there (or are refused cleanly).
    assert sum(o.created for o in applied) == applied[0].rows_total
    for other in outcomes:
        if not other.ok:
            assert all(str(e) for e in other.errors)


def test_same_allocations_file_submitted_four_times_at_once():
    source = FundingSourceFactory(code="XBTC")
    projects = [SpendingProjectFactory(symbol=f"RAF/26/{i:02d}/USA") for i in range(20)]
    payload = ("project_symbol,year,funding_source,amount_usd\n" + "".join(
        f"{p.symbol},2026,XBTC,{1000 + i}.00\n" for i, p in enumerate(projects))).encode()
    _assert_one_result(_submit_together("allocations", payload))
    assert Allocation.objects.count() == 20
    assert AllocationRevision.objects.count() == 20  # one "created" revision per allocation, not one per submission
    assert Allocation.objects.get(project=projects[3], year=2026, funding_source=source).amount_usd == Decimal("1003")


def test_same_expenditure_and_rates_files_submitted_at_once():
    InputTypeFactory(code="EXPERTS")
    project = SpendingProjectFactory(symbol="RAF/26/01/USA")
    rates = b"currency,period,units_per_usd\nEUR,2026-01,0.9\nEUR,2026-02,0.91\n"
    _assert_one_result(_submit_together("rates", rates))
    assert ExchangeRate.objects.count() == 2
    spending = b"project_symbol,period,input_type,currency,amount\n" + b"".join(
        f"{project.symbol},2026-{m:02d},EXPERTS,EUR,{m}00.00\n".encode() for m in (1, 2))
    _assert_one_result(_submit_together("expenditure", spending))
    assert Expenditure.objects.count() == 2
    assert ImportBatch.objects.filter(kind="expenditure", status=ImportStatus.APPLIED).count() >= 1
