"""The expenditure file's optional `funding_source` column (issue 16.1): absent or empty, a line is its project's main
source's; a code books it to that source; an unknown code refuses the file naming the row and the column. A line's
key is project, period, type of input, currency and source, so two lines that differ only by source coexist."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from delivery.models import (
    Expenditure,
    ImportBatch,
    ProjectMonthSpend,
    SourceMonthSpend,
    SourceYearDelivery,
)
from delivery.services import financial_import, rebuild_year_delivery
from tests.delivery.factories import AllocationFactory, ExchangeRateFactory, csv_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

A = "RAF/26/01/USA"  # project_a: main source XBTC (tests/delivery/conftest.py)
HEADER = "project_symbol,period,input_type,currency,amount,funding_source"


def _import(*lines, header=HEADER, dry_run=False, user=None):
    return financial_import(kind="expenditure", source=csv_bytes(header, *lines), dry_run=dry_run, user=user)


def _stored():
    return sorted((e.period.strftime("%Y-%m"), e.input_type.code, e.currency, e.funding_source.code, e.amount)
                  for e in Expenditure.objects.select_related("input_type", "funding_source"))


def test_without_the_column_a_line_is_the_projects_main_sources(project_a, project_b):
    result = _import(f"{A},2026-01,EXPERTS,USD,10.00", "RLA/26/02/USA,2026-01,EXPERTS,USD,20.00",
                     header="project_symbol,period,input_type,currency,amount")
    assert result.ok, result.errors
    assert dict(Expenditure.objects.values_list("project__symbol", "funding_source__code")) == {
        A: "XBTC", "RLA/26/02/USA": "RBTC"}


def test_a_named_source_books_the_line_to_it_and_an_empty_cell_to_the_main_source(project_a):
    result = _import(f"{A},2026-01,EXPERTS,USD,10.00, rbtc ", f"{A},2026-02,EXPERTS,USD,20.00,",
                     f"{A},2026-03,EXPERTS,USD,30.00,XBTC")
    assert result.ok, result.errors
    assert _stored() == [("2026-01", "EXPERTS", "USD", "RBTC", Decimal("10.00")),
                         ("2026-02", "EXPERTS", "USD", "XBTC", Decimal("20.00")),
                         ("2026-03", "EXPERTS", "USD", "XBTC", Decimal("30.00"))]


def test_an_unknown_source_refuses_the_file_naming_row_and_column(project_a):
    result = _import(f"{A},2026-01,EXPERTS,USD,10.00,RBTC", f"{A},2026-01,TRAINING,USD,10.00,NOPE")
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "funding_source")]
    assert "NOPE" in result.errors[0].message and "RBTC" in result.errors[0].message  # the codes it may be
    assert not Expenditure.objects.exists() and not SourceMonthSpend.objects.exists()
    assert ImportBatch.objects.get().status == "FAILED"


def test_lines_differing_only_by_source_coexist_and_each_is_replaced_by_its_own_key(project_a):
    lines = [f"{A},2026-01,EXPERTS,USD,10.00,", f"{A},2026-01,EXPERTS,USD,4.00,RBTC"]
    first = _import(*lines)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert _import(*lines).unchanged == 2
    # Naming the main source is the same line as leaving the cell empty: replaced, not added.
    again = _import(f"{A},2026-01,EXPERTS,USD,12.00,XBTC")
    assert (again.created, again.updated, again.unchanged) == (0, 1, 0)
    assert _stored() == [("2026-01", "EXPERTS", "USD", "RBTC", Decimal("4.00")),
                         ("2026-01", "EXPERTS", "USD", "XBTC", Decimal("12.00"))]
    assert _import(f"{A},2026-01,EXPERTS,USD,4.00,RBTC", f"{A},2026-01,EXPERTS,USD,4.00,rbtc").errors[0].row == 3


def test_the_preview_names_the_source_a_row_names(project_a):
    assert _import(f"{A},2026-01,EXPERTS,USD,10.00,").ok
    result = _import(f"{A},2026-01,EXPERTS,USD,11.00,", f"{A},2026-01,EXPERTS,USD,4.00,RBTC", dry_run=True)
    assert result.plans == [
        {"row": 2, "key": f"{A} 2026-01 EXPERTS USD", "action": "replace", "changes": ["10.00 USD → 11.00 USD"]},
        {"row": 3, "key": f"{A} 2026-01 EXPERTS USD RBTC", "action": "create", "changes": ["4.00 USD"]},
    ]
    assert Expenditure.objects.count() == 1


def test_a_reversal_cannot_take_a_sources_spending_below_zero(project_a):
    ExchangeRateFactory(currency="EUR", period=dt.date(2026, 1, 1), units_per_usd=Decimal("0.8"))
    assert _import(f"{A},2026-01,EXPERTS,USD,100.00,").ok  # XBTC's
    refused = _import(f"{A},2026-01,EXPERTS,EUR,-40.00,RBTC")  # RBTC spent nothing on experts in January
    assert [(e.row, e.column) for e in refused.errors] == [(2, "amount")]
    assert "RBTC" in refused.errors[0].message and "-50.00" in refused.errors[0].message
    accepted = _import(f"{A},2026-01,EXPERTS,EUR,-40.00,XBTC")  # cancels half of what XBTC spent
    assert accepted.ok, accepted.errors
    assert Expenditure.objects.filter(funding_source__code="XBTC").aggregate(s=Sum("amount_usd"))["s"] == 50


def test_the_rollups_by_source_follow_the_lines(project_a, project_b, reference):
    AllocationFactory(project=project_a, year=2026, funding_source=reference["XBTC"], amount_usd=Decimal("900"))
    AllocationFactory(project=project_a, year=2026, funding_source=reference["RBTC"], amount_usd=Decimal("100"))
    assert _import(f"{A},2026-01,EXPERTS,USD,10.00,", f"{A},2026-01,EXPERTS,USD,4.00,RBTC",
                   f"{A},2026-03,TRAINING,USD,6.00,RBTC", "RLA/26/02/USA,2026-02,EXPERTS,USD,7.00,XBTC").ok
    assert _import(f"{A},2026-03,TRAINING,USD,1.00,RBTC").ok  # a correction

    lines = defaultdict(Decimal)
    for project_id, period, source_id, amount in Expenditure.objects.values_list(
            "project_id", "period", "funding_source_id", "amount_usd"):
        lines[(project_id, period, source_id)] += amount
    assert {(m.project_id, m.period, m.funding_source_id): m.amount_usd
            for m in SourceMonthSpend.objects.all()} == dict(lines)
    by_month = {(project_id, period): total for project_id, period, total in SourceMonthSpend.objects.values(
        "project_id", "period").annotate(total=Sum("amount_usd")).values_list("project_id", "period", "total")
        .order_by()}
    assert by_month == {(m.project_id, m.period): m.amount_usd for m in ProjectMonthSpend.objects.all()}

    def year_rows():
        return {(r.project.symbol, r.funding_source.code): (r.allocation_cents, r.has_allocation,
                                                            r.first_spend_month, r.spent_cents_to_m02,
                                                            r.spent_cents_to_m12)
                for r in SourceYearDelivery.objects.filter(year=2026).select_related("project", "funding_source")}

    expected = {(A, "XBTC"): (90000, True, 1, 1000, 1000), (A, "RBTC"): (10000, True, 1, 400, 500),
                ("RLA/26/02/USA", "XBTC"): (0, False, 2, 700, 700)}
    assert year_rows() == expected  # kept by the imports
    SourceYearDelivery.objects.filter(funding_source__code="RBTC").update(spent_cents_to_m12=1)
    rebuild_year_delivery()
    assert year_rows() == expected  # and rebuilt from scratch


def test_the_api_takes_the_column_or_leaves_it_out(project_a, unit):
    client = APIClient()
    client.force_authenticate(UserFactory(username="importer", role=Role.OFFICER, units=[unit]))
    rows = [{"project_symbol": A, "period": "2026-01", "input_type": "EXPERTS", "currency": "USD", "amount": "5"},
            {"project_symbol": A, "period": "2026-01", "input_type": "EXPERTS", "currency": "USD", "amount": "3",
             "funding_source": "RBTC"}]
    response = client.post(reverse("expenditure-list"), rows, format="json")
    assert response.status_code == 201, response.content
    assert _stored() == [("2026-01", "EXPERTS", "USD", "RBTC", Decimal("3.00")),
                         ("2026-01", "EXPERTS", "USD", "XBTC", Decimal("5.00"))]
    rows[1]["funding_source"] = "NOPE"
    refused = client.post(reverse("expenditure-list"), rows, format="json")
    assert refused.status_code == 400
    assert [(e["index"], e["column"]) for e in refused.data["errors"]] == [(1, "funding_source")]


def test_the_upload_page_lists_the_column(client, officer):
    client.force_login(officer)
    assert "funding_source" in client.get(reverse("delivery:import")).content.decode()
