"""/api/v1/approvals/: funds approved by donors, written through delivery.services like the money tab's forms."""

import datetime as dt
import itertools
from decimal import Decimal

from django.urls import reverse

from accounts.models import Role
from delivery import services
from delivery.models import Approval
from tests.api.base import EndpointTests
from tests.factories import OrganisationFactory, ProjectFactory

EDITORS = {Role.ADMIN, Role.OFFICER, Role.MANAGER}  # on their units' projects (administrators: all)
days = itertools.count(1)


def _date() -> dt.date:
    return dt.date(2020, 1, 1) + dt.timedelta(days=next(days))


class TestApprovals(EndpointTests):
    basename = "approval"
    create_roles = EDITORS
    update_roles = EDITORS
    delete_roles = EDITORS
    scoped = True  # approvals follow the project's edit rule

    def make(self, scope, unit):
        return services.approval_create(project=ProjectFactory(responsible_unit=unit), donor=OrganisationFactory(),
                                        date=_date(), amount=Decimal("1000.00"))

    def create_data(self, scope, n):
        return {"project": ProjectFactory(responsible_unit=scope.unit).pk, "donor": OrganisationFactory().pk,
                "date": _date().isoformat(), "amount": "2500.00", "currency": "USD"}

    def update_data(self, approval):
        return {"amount": f"{1000 + next(days)}.00"}

    def check_updated(self, approval, data):
        approval.refresh_from_db()
        assert approval.amount == approval.amount_usd == Decimal(data["amount"])

    def invalid_data(self, scope):
        return {**self.create_data(scope, 0), "currency": "DOLLARS"}, "currency"

    def test_bulk_import_in_the_approvals_layout(self, scope):
        project = ProjectFactory(responsible_unit=scope.unit)
        donor = OrganisationFactory(acronym="UNICEF")
        rows = [{"project_symbol": project.symbol, "donor": "unicef", "date": "2026-03-01", "amount": "10.00",
                 "currency": "USD"}]
        response = scope.client(Role.MANAGER).post(reverse("approval-bulk-import"), rows, format="json")
        assert response.status_code == 201, response.content
        assert response.data["created"] == 1 and Approval.objects.get().donor == donor
        assert scope.client(Role.EVALUATION).post(reverse("approval-bulk-import"), rows,
                                                  format="json").status_code == 403
        bad = [{**rows[0], "donor": "NOBODY"}]
        refused = scope.client(Role.MANAGER).post(reverse("approval-bulk-import"), bad, format="json")
        assert refused.status_code == 400 and refused.data["errors"][0]["column"] == "donor"
