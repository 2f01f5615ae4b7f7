"""Imports refuse what cannot be (delivery/import_checks.py): expenditure outside the project's years, a reversal
that would leave a period and type of input below zero; and the preview says what each row creates or replaces."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delivery.models import Allocation, Expenditure, ImportBatch, ProjectMonthSpend
from delivery.services import financial_import
from tests import import_flow
from tests.delivery.factories import AllocationFactory, ExchangeRateFactory, allocations_csv, expenditure_csv
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

SYMBOL = "RAF/26/01/USA"  # project_a: 2025-01-01 to 2027-12-31 (planned, tests/delivery/conftest.py)


def _errors(result):
    return [(e.row, e.column) for e in result.errors]


def _import(*lines, user=None, dry_run=False):
    return financial_import(kind="expenditure", source=expenditure_csv(*lines), filename="lines.csv", user=user,
                            dry_run=dry_run)


# ---------------------------------------------------------------- periods


def test_period_before_the_start_year_is_refused_naming_row_and_column(project_a, officer):
    result = _import(f"{SYMBOL},2025-01,EXPERTS,USD,10.00", f"{SYMBOL},2024-12,EXPERTS,USD,10.00", user=officer)
    assert _errors(result) == [(3, "period")]
    assert "2024-12" in result.errors[0].message and "2025" in result.errors[0].message
    assert Expenditure.objects.count() == 0 and ImportBatch.objects.get().status == "FAILED"


def test_the_start_year_is_the_actual_start_when_known(project_a):
    project_a.actual_start = dt.date(2024, 11, 15)
    project_a.save()
    assert _import(f"{SYMBOL},2024-01,EXPERTS,USD,10.00").ok
    assert _errors(_import(f"{SYMBOL},2023-12,EXPERTS,USD,10.00")) == [(2, "period")]


def test_period_12_months_after_the_planned_end_is_accepted_13_refused(project_a):
    # Planned end 2027-12-31: up to 2028-12 books closing entries; 2029-01 cannot be.
    result = _import(f"{SYMBOL},2028-12,EXPERTS,USD,10.00", f"{SYMBOL},2029-01,TRAINING,USD,10.00")
    assert _errors(result) == [(3, "period")]
    assert "2029-01" in result.errors[0].message and "2027-12-31" in result.errors[0].message
    assert _import(f"{SYMBOL},2028-12,EXPERTS,USD,10.00").ok
    assert Expenditure.objects.get().period == dt.date(2028, 12, 1)


def test_period_bounds_follow_a_mid_month_planned_end(reference, unit):
    ProjectFactory(symbol="X/1", planned_start=dt.date(2025, 3, 1), planned_end=dt.date(2026, 6, 15))
    assert _errors(_import("X/1,2027-06,EXPERTS,USD,1.00", "X/1,2027-07,EXPERTS,USD,1.00")) == [(3, "period")]


# ---------------------------------------------------------------- reversals


def test_a_reversal_line_is_accepted(project_a, officer):
    assert _import(f"{SYMBOL},2026-03,EXPERTS,USD,100.00", user=officer).ok
    ExchangeRateFactory(currency="EUR", period=dt.date(2026, 3, 1), units_per_usd=Decimal("0.8"))
    result = _import(f"{SYMBOL},2026-03,EXPERTS,EUR,-40.00", user=officer)  # −50 US$ of the 100 spent
    assert result.ok, result.errors
    assert Expenditure.objects.get(currency="EUR").amount_usd == Decimal("-50.00")
    assert ProjectMonthSpend.objects.get(period=dt.date(2026, 3, 1)).amount_usd == Decimal("50.00")


def test_a_reversal_in_the_same_file_as_the_spending_is_accepted(project_a):
    ExchangeRateFactory(currency="EUR", period=dt.date(2026, 3, 1), units_per_usd=Decimal("0.8"))
    result = _import(f"{SYMBOL},2026-03,EXPERTS,EUR,-80.00", f"{SYMBOL},2026-03,EXPERTS,USD,100.00")
    assert result.ok, result.errors
    assert ProjectMonthSpend.objects.get().amount_usd == Decimal("0.00")


def test_a_reversal_making_the_period_and_input_negative_is_refused_naming_row_and_column(project_a, officer):
    ExchangeRateFactory(currency="EUR", period=dt.date(2026, 3, 1), units_per_usd=Decimal("0.8"))
    assert _import(f"{SYMBOL},2026-03,EXPERTS,USD,100.00", f"{SYMBOL},2026-03,TRAINING,USD,500.00").ok
    result = _import(f"{SYMBOL},2026-03,TRAINING,USD,10.00",   # row 2: lowers TRAINING, which stays positive
                     f"{SYMBOL},2026-03,EXPERTS,EUR,-80.01",   # row 3: −100.01 US$ against 100 spent on EXPERTS
                     user=officer)
    assert _errors(result) == [(3, "amount")]
    assert "EXPERTS" in result.errors[0].message and "2026-03" in result.errors[0].message
    assert "-0.01" in result.errors[0].message
    assert Expenditure.objects.count() == 2 and ImportBatch.objects.latest("pk").status == "FAILED"
    assert ProjectMonthSpend.objects.get().amount_usd == Decimal("600.00")


def test_lowering_a_stored_line_below_what_was_reversed_is_refused(project_a):
    assert _import(f"{SYMBOL},2026-03,EXPERTS,USD,100.00").ok
    ExchangeRateFactory(currency="EUR", period=dt.date(2026, 3, 1), units_per_usd=Decimal("0.5"))
    assert _import(f"{SYMBOL},2026-03,EXPERTS,EUR,-30.00").ok  # −60 US$
    # Replacing the 100 US$ with 50 leaves −10 US$: the row that lowers the sum is refused, its key cell named.
    assert _errors(_import(f"{SYMBOL},2026-03,EXPERTS,USD,50.00")) == [(2, "amount")]
    assert _import(f"{SYMBOL},2026-03,EXPERTS,USD,60.00").ok  # exactly nothing left: accepted


def test_the_rule_is_per_project_period_and_input(project_a, project_b):
    assert _import(f"{SYMBOL},2026-03,EXPERTS,USD,100.00").ok
    # What was spent on EXPERTS in 2026-03 covers no reversal of another period, input or project.
    result = _import(f"{SYMBOL},2026-04,EXPERTS,USD,-1.00", f"{SYMBOL},2026-03,TRAINING,USD,-1.00",
                     "RLA/26/02/USA,2026-03,EXPERTS,USD,-1.00")
    assert _errors(result) == [(2, "amount"), (3, "amount"), (4, "amount")]


def test_the_checks_load_the_stored_lines_in_a_few_queries(reference, unit):
    projects = [ProjectFactory(symbol=f"P/{i}", planned_start=dt.date(2026, 1, 1), planned_end=dt.date(2026, 12, 31))
                for i in range(30)]
    small = [f"{p.symbol},2026-0{m},EXPERTS,USD,-1.00" for p in projects[:2] for m in (1, 2)]
    large = [f"{p.symbol},2026-0{m},EXPERTS,USD,-1.00" for p in projects for m in (1, 2, 3)]
    with CaptureQueriesContext(connection) as few:
        assert len(_import(*small, dry_run=True).errors) == 4
    with CaptureQueriesContext(connection) as many:
        assert len(_import(*large, dry_run=True).errors) == 90
    assert len(many) == len(few)


# ---------------------------------------------------------------- the preview


def test_dry_run_plans_each_row_create_replace_or_unchanged_with_the_old_value(project_a):
    ExchangeRateFactory(currency="EUR", period=dt.date(2026, 3, 1), units_per_usd=Decimal("0.8"))
    assert _import(f"{SYMBOL},2026-03,EXPERTS,EUR,100.00", f"{SYMBOL},2026-03,TRAINING,USD,50.00").ok
    result = _import(f"{SYMBOL},2026-03,EXPERTS,EUR,120.00", f"{SYMBOL},2026-03,TRAINING,USD,50.00",
                     f"{SYMBOL},2026-04,EXPERTS,USD,7.50", dry_run=True)
    assert result.ok and (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert result.plans == [
        {"row": 2, "key": f"{SYMBOL} 2026-03 EXPERTS EUR", "action": "replace", "changes": ["100.00 EUR → 120.00 EUR"]},
        {"row": 3, "key": f"{SYMBOL} 2026-03 TRAINING USD", "action": "unchanged", "changes": []},
        {"row": 4, "key": f"{SYMBOL} 2026-04 EXPERTS USD", "action": "create", "changes": ["7.50 USD"]},
    ]
    assert Expenditure.objects.get(input_type__code="EXPERTS").amount == Decimal("100.00")


def test_allocations_dry_run_plans_the_amount_it_replaces(project_a, reference):
    AllocationFactory(project=project_a, year=2026, funding_source=reference["XBTC"], amount_usd=Decimal("1000.00"))
    result = financial_import(kind="allocations", dry_run=True, source=allocations_csv(
        f"{SYMBOL},2026,XBTC,1200.00", f"{SYMBOL},2027,XBTC,300.00"))
    assert [(p["row"], p["key"], p["action"], p["changes"]) for p in result.plans] == [
        (2, f"{SYMBOL} 2026 XBTC", "replace", ["1000.00 USD → 1200.00 USD"]),
        (3, f"{SYMBOL} 2027 XBTC", "create", ["300.00 USD"])]
    assert Allocation.objects.get().amount_usd == Decimal("1000.00")


def test_a_refused_file_has_no_plan(project_a):
    result = _import(f"{SYMBOL},2026-03,EXPERTS,USD,-1.00", dry_run=True)
    assert not result.ok and result.plans == []


def test_the_job_preview_shows_each_row_and_the_value_it_replaces(project_a, officer, client,
                                                                 django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    assert _import(f"{SYMBOL},2026-03,EXPERTS,USD,100.00").ok
    client.force_login(officer)
    upload = SimpleUploadedFile("lines.csv", expenditure_csv(f"{SYMBOL},2026-03,EXPERTS,USD,80.00",
                                                             f"{SYMBOL},2026-03,TRAINING,USD,0.00"))
    page = import_flow.upload(client, capture, reverse("delivery:import"), {"kind": "expenditure", "file": upload})
    job = page.context["job"]
    assert job.preview["plan"] == [
        {"row": 2, "key": f"{SYMBOL} 2026-03 EXPERTS USD", "action": "replace", "changes": ["100.00 USD → 80.00 USD"]},
        {"row": 3, "key": f"{SYMBOL} 2026-03 TRAINING USD", "action": "create", "changes": ["0.00 USD"]}]
    html = page.content.decode()
    assert 'id="import-preview"' in html and "Project, period, type of input, currency" in html
    assert "Replaces" in html and "100.00 USD → 80.00 USD" in html and "New" in html
    assert b"2 rows: 1 to create, 1 to update, 0 unchanged." in page.content


def test_the_job_refuses_a_reversal_naming_row_and_column(project_a, officer, client,
                                                         django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    client.force_login(officer)
    upload = SimpleUploadedFile("lines.csv", expenditure_csv(f"{SYMBOL},2026-03,EXPERTS,USD,-5.00",
                                                             f"{SYMBOL},2030-01,EXPERTS,USD,5.00"))
    page = import_flow.upload(client, capture, reverse("delivery:import"), {"kind": "expenditure", "file": upload})
    job = page.context["job"]
    assert job.status == "REFUSED"
    assert [(e["row"], e["column"]) for e in job.preview["errors"]] == [(3, "period")]
    upload = SimpleUploadedFile("lines.csv", expenditure_csv(f"{SYMBOL},2026-03,EXPERTS,USD,-5.00"))
    page = import_flow.upload(client, capture, reverse("delivery:import"), {"kind": "expenditure", "file": upload})
    assert [(e["row"], e["column"]) for e in page.context["job"].preview["errors"]] == [(2, "amount")]
    assert "would be negative" in page.content.decode()


def test_the_command_dry_run_lists_each_row(project_a, tmp_path):
    assert _import(f"{SYMBOL},2026-03,EXPERTS,USD,100.00").ok
    path = tmp_path / "lines.csv"
    path.write_bytes(expenditure_csv(f"{SYMBOL},2026-03,EXPERTS,USD,90.00",
                                     *(f"{SYMBOL},2026-{m:02d},TRAINING,USD,1.00" for m in range(1, 13))))
    out = io.StringIO()
    call_command("import_financials", "expenditure", str(path), "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"row 2: {SYMBOL} 2026-03 EXPERTS USD: replace 100.00 USD → 90.00 USD" in text
    assert f"row 14: {SYMBOL} 2026-12 TRAINING USD: create 1.00 USD" in text
    assert "13 rows: 12 created, 1 updated, 0 unchanged." in text
    assert Expenditure.objects.get().amount == Decimal("100.00")


def test_the_command_dry_run_lists_the_first_rows_of_a_big_file(project_a, tmp_path, monkeypatch):
    from delivery.management.commands import import_financials

    monkeypatch.setattr(import_financials, "PLAN_ROWS", 2)
    path = tmp_path / "lines.csv"
    path.write_bytes(expenditure_csv(*(f"{SYMBOL},2026-{m:02d},TRAINING,USD,1.00" for m in range(1, 6))))
    out = io.StringIO()
    call_command("import_financials", "expenditure", str(path), "--dry-run", stdout=out)
    assert out.getvalue().count(": create ") == 2 and "… and 3 more rows" in out.getvalue()
    out = io.StringIO()
    call_command("import_financials", "expenditure", str(path), "--dry-run", "--verbosity", "2", stdout=out)
    assert out.getvalue().count(": create ") == 5
