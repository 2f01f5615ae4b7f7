"""/api/v1/allocations/, expenditure/, exchange-rates/ (bulk through the import service) and delivery/ figures."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from delivery.models import Allocation, AllocationRevision, ExchangeRate, Expenditure, ImportBatch, ImportStatus
from delivery.selectors import delivery_by, total_row
from delivery.services import financial_import
from tests.api.base import EndpointTests
from tests.delivery.factories import SpendingProjectFactory
from tests.factories import FundingSourceFactory, InputTypeFactory, RegionFactory

FINANCE = {Role.ADMIN, Role.OFFICER, Role.MANAGER}  # on their units' projects (administrators: all)
sequence = itertools.count(1)


def expenditure_row(project, **values):
    return {"project_symbol": project.symbol, "period": "2026-01", "input_type": "EXPERTS", "currency": "USD",
            "amount": "100.00", **values}


class TestAllocations(EndpointTests):
    basename = "allocation"
    create_roles = FINANCE
    update_roles = FINANCE
    scoped = True  # allocations follow the project's edit rule

    def make(self, scope, unit):
        return Allocation.objects.create(project=SpendingProjectFactory(responsible_unit=unit), year=2026,
                                         funding_source=FundingSourceFactory(), amount_usd=Decimal("1000.00"))

    def create_data(self, scope, n):
        return {"project": SpendingProjectFactory(responsible_unit=scope.unit).pk, "year": 2026,
                "funding_source": FundingSourceFactory().code, "amount_usd": "2500.00", "reason": "Approved"}

    def update_data(self, allocation):
        return {"amount_usd": f"{1000 + next(sequence)}.00", "reason": "Donor top-up"}

    def invalid_data(self, scope):
        return {**self.create_data(scope, 0), "amount_usd": "-5"}, "amount_usd"

    def check_updated(self, allocation, data):
        allocation.refresh_from_db()
        assert allocation.amount_usd == Decimal(data["amount_usd"])
        assert allocation.revisions.filter(reason="Donor top-up", old_amount_usd=Decimal("1000.00")).exists()

    def test_a_change_without_reason_answers_400(self, scope):
        allocation = self.make(scope, scope.unit)
        response = scope.client(Role.OFFICER).patch(self.detail_url(allocation), {"amount_usd": "5.00"},
                                                     format="json")
        assert response.status_code == 400 and "reason" in response.data
        assert not AllocationRevision.objects.exists()

    def test_setting_one_of_another_units_project_answers_403(self, scope):
        data = {**self.create_data(scope, 0), "project": SpendingProjectFactory(responsible_unit=scope.other_unit).pk}
        for role in (Role.OFFICER, Role.MANAGER):
            response = scope.client(role).post(self.list_url(), data, format="json")
            assert response.status_code == 403, (role, response.content)
        assert not Allocation.objects.exists()
        assert scope.client(Role.ADMIN).post(self.list_url(), data, format="json").status_code == 201

    def test_bulk_import_in_the_allocations_layout(self, scope):
        project = SpendingProjectFactory(responsible_unit=scope.unit)
        FundingSourceFactory(code="RBTC")
        rows = [{"project_symbol": project.symbol, "year": "2026", "funding_source": "RBTC", "amount_usd": "10.00"}]
        response = scope.client(Role.MANAGER).post(reverse("allocation-bulk-import"), rows, format="json")
        assert response.status_code == 201, response.content
        assert response.data["created"] == 1
        assert scope.client(Role.EVALUATION).post(reverse("allocation-bulk-import"), rows,
                                                  format="json").status_code == 403


class _BulkOnly(EndpointTests):
    create_roles = FINANCE
    creates_objects = False

    def test_create_per_role(self, scope):
        for n, role in enumerate(("SECRETARIAT", "EVALUATION", "OFFICER", "MANAGER", "ADMIN")):
            response = scope.client(role).post(self.list_url(), self.create_data(scope, n), format="json")
            expected = 201 if role in self.create_roles else 403
            assert response.status_code == expected, (role, response.content)
            if expected == 201:
                assert response.data["created"] == 1 and response.data["batch"]


class TestExpenditure(_BulkOnly):
    basename = "expenditure"

    def make(self, scope, unit):
        project = SpendingProjectFactory(responsible_unit=unit)
        return Expenditure.objects.create(project=project, period=dt.date(2026, 1, 1),
                                          input_type=InputTypeFactory(), funding_source=project.funding_source,
                                          amount=Decimal("10"), amount_usd=Decimal("10"))

    def create_data(self, scope, n):
        InputTypeFactory()
        return [expenditure_row(SpendingProjectFactory(responsible_unit=scope.unit))]

    def invalid_data(self, scope):
        return [expenditure_row(SpendingProjectFactory(), period="2026-13")], "errors"

    def test_errors_name_row_and_column_and_nothing_is_written(self, scope):
        InputTypeFactory()
        project = SpendingProjectFactory(responsible_unit=scope.unit)
        rows = [expenditure_row(project), expenditure_row(project, input_type="EXPERTS", currency="EUR",
                                                          period="2026-02"),
                expenditure_row(project, period="someday", amount="a lot", input_type="COFFEE")]
        response = scope.client(Role.OFFICER).post(self.list_url(), rows, format="json")
        assert response.status_code == 400
        errors = {(e["index"], e["row"], e["column"]) for e in response.data["errors"]}
        assert {(2, 4, "period"), (2, 4, "amount"), (2, 4, "input_type")} <= errors
        assert not Expenditure.objects.exists()
        assert ImportBatch.objects.get().status == ImportStatus.FAILED

    def test_a_missing_rate_is_reported_for_its_row(self, scope):
        InputTypeFactory()
        project = SpendingProjectFactory(responsible_unit=scope.unit)
        response = scope.client(Role.OFFICER).post(self.list_url(), [expenditure_row(project, currency="EUR")],
                                                   format="json")
        assert response.status_code == 400
        assert response.data["errors"][0]["column"] == "currency" and response.data["errors"][0]["row"] == 2
        assert not Expenditure.objects.exists()

    def test_the_shape_is_checked_before_the_service(self, scope):
        client = scope.client(Role.OFFICER)
        not_a_list = client.post(self.list_url(), {"project_symbol": "X"}, format="json")
        assert not_a_list.status_code == 400 and not_a_list.data["errors"][0]["row"] is None
        unknown_column = client.post(self.list_url(), [{**expenditure_row(SpendingProjectFactory()), "colour": "red"}],
                                     format="json")
        assert unknown_column.status_code == 400
        assert unknown_column.data["errors"][0] == {"index": 0, "row": 2, "column": "colour",
                                                    "message": unknown_column.data["errors"][0]["message"]}
        assert client.post(self.list_url(), [], format="json").status_code == 400
        assert not ImportBatch.objects.exists()

    def test_more_rows_than_the_import_limit_are_refused_before_they_are_checked(self, scope, settings):
        settings.TCMS_MAX_IMPORT_ROWS = 2
        rows = [expenditure_row(SpendingProjectFactory(responsible_unit=scope.unit))] * 3
        response = scope.client(Role.OFFICER).post(self.list_url(), rows, format="json")
        assert response.status_code == 400 and "At most 2 rows" in response.data["errors"][0]["message"]
        assert not Expenditure.objects.exists()

    def test_rows_of_another_units_project_answer_403_naming_them(self, scope):
        InputTypeFactory()
        rows = [expenditure_row(SpendingProjectFactory(responsible_unit=scope.unit)),
                expenditure_row(other := SpendingProjectFactory(responsible_unit=scope.other_unit))]
        for dry_run in ("", "?dry_run=true"):
            response = scope.client(Role.OFFICER).post(self.list_url() + dry_run, rows, format="json")
            assert response.status_code == 403
            assert response.data["errors"] == [{"index": 1, "row": 3, "column": "project_symbol",
                                                "message": f"You may not change project {other.symbol}."}]
        assert not Expenditure.objects.exists()

    def test_dry_run_writes_nothing(self, scope):
        InputTypeFactory()
        rows = [expenditure_row(SpendingProjectFactory(responsible_unit=scope.unit))]
        response = scope.client(Role.OFFICER).post(self.list_url() + "?dry_run=true", rows, format="json")
        assert response.status_code == 200 and response.data["created"] == 1 and response.data["dry_run"]
        assert not Expenditure.objects.exists()


class TestExchangeRates(_BulkOnly):
    basename = "exchange-rate"
    create_roles = {Role.ADMIN}  # reference data

    def make(self, scope, unit):
        return ExchangeRate.objects.create(currency="EUR", period=dt.date(2000, 1, 1) + dt.timedelta(
            days=32 * next(sequence)), units_per_usd=Decimal("0.9"))

    def make_period(self):
        month = next(sequence)
        return f"{2030 + month // 12}-{month % 12 + 1:02d}"

    def create_data(self, scope, n):
        return [{"currency": "CHF", "period": self.make_period(), "units_per_usd": "1.500000"}]

    def invalid_data(self, scope):
        return [{"currency": "USD", "period": "2026-01", "units_per_usd": "1"}], "errors"


@pytest.mark.django_db
class TestDeliveryFigures:
    @pytest.fixture
    def figures(self, scope):
        InputTypeFactory()
        africa, americas = RegionFactory(code="AFRICA"), RegionFactory(code="AMERICAS")
        projects = [SpendingProjectFactory(region=africa), SpendingProjectFactory(region=africa),
                    SpendingProjectFactory(region=americas)]
        allocations = "project_symbol,year,funding_source,amount_usd\n" + "".join(
            f"{p.symbol},2026,XBTC,{amount}\n" for p, amount in zip(projects, (1000, 3000, 500), strict=True))
        assert financial_import(kind="allocations", source=allocations.encode()).ok
        spending = "project_symbol,period,input_type,currency,amount\n" + "".join(
            f"{p.symbol},{period},EXPERTS,USD,{amount}\n" for p, period, amount in
            [(projects[0], "2026-02", 250), (projects[1], "2026-05", 900), (projects[2], "2026-09", 100)])
        assert financial_import(kind="expenditure", source=spending.encode()).ok
        return africa

    @pytest.mark.parametrize("dimension", ["region", "project", "status", "budget_type", "input_type"])
    def test_the_numbers_are_delivery_by_s(self, scope, figures, dimension):
        response = scope.client(Role.SECRETARIAT).get(reverse("delivery-list"), {
            "year": 2026, "as_of": "2026-06-30", "by": dimension})
        assert response.status_code == 200, response.content
        rows = delivery_by(dimension=dimension, year=2026, as_of=dt.date(2026, 6, 30))
        expected = [[str(r.group_label), f"{r.allocation_usd:.2f}", f"{r.expenditure_usd:.2f}",
                     None if r.delivery_rate is None else f"{r.delivery_rate:.4f}"] for r in rows]
        assert [[r["group_label"], r["allocation_usd"], r["expenditure_usd"], r["delivery_rate"]]
                for r in response.data["rows"]] == expected
        total = total_row(rows, dimension)
        assert response.data["total"]["expenditure_usd"] == f"{total.expenditure_usd:.2f}"
        assert response.data["total"]["allocation_usd"] == f"{total.allocation_usd:.2f}"

    def test_region_rows_and_filter(self, scope, figures):
        client = scope.client(Role.EVALUATION)
        whole_year = client.get(reverse("delivery-list"), {"year": 2026, "by": "region"}).data
        assert whole_year["total"]["expenditure_usd"] == "1250.00"
        assert whole_year["total"]["delivery_rate"] == "0.2778"
        africa_only = client.get(reverse("delivery-list"), {"year": 2026, "by": "region", "region": figures.pk}).data
        assert [row["group_key"] for row in africa_only["rows"]] == [figures.pk]
        assert africa_only["total"]["allocation_usd"] == "4000.00"

    def test_a_bad_query_answers_400_naming_the_parameter(self, scope):
        client = scope.client(Role.OFFICER)
        assert "year" in client.get(reverse("delivery-list"), {"by": "region"}).data
        assert "by" in client.get(reverse("delivery-list"), {"year": 2026, "by": "colour"}).data
        assert "region" in client.get(reverse("delivery-list"), {"year": 2026, "by": "region",
                                                                 "region": 999999}).data
