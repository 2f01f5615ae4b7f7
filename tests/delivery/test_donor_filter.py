"""One donor definition: "funded by X" = X is the project's main donor or approved funds for it, whatever X's kind;
the register, the dashboard, their API and the downloads all offer and apply it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from delivery import services
from delivery.filters import DeliveryFilterSet
from delivery.selectors import delivery_dashboard
from partners.models import OrganisationKind
from projects.filters import ProjectFilterSet
from projects.models import Project
from projects.selectors import funded_by, funding_organisations
from tests.delivery.factories import AllocationFactory
from tests.factories import OrganisationFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def funding(reference):
    """A project with a bilateral main donor, one funded by UNICEF through an approval, one funded by neither."""
    usaid = OrganisationFactory(name="USAID", acronym="USAID", kind=OrganisationKind.DONOR)
    unicef = OrganisationFactory(name="UNICEF", acronym="UNICEF", kind=OrganisationKind.UN)
    idb = OrganisationFactory(name="Inter-American Development Bank", acronym="IDB",
                              kind=OrganisationKind.REGIONAL_BANK)
    bilateral = ProjectFactory(symbol="RAF/26/11/USA", donor=usaid)
    by_approval = ProjectFactory(symbol="RAF/26/12/UNI", donor=usaid)
    unfunded = ProjectFactory(symbol="RAF/26/13/MUL")
    for project in (bilateral, by_approval, unfunded):
        AllocationFactory(project=project, year=2026, funding_source=reference["XBTC"], amount_usd=Decimal("100"))
    for day in (1, 2):  # two approvals: the project is still counted once
        services.approval_create(project=by_approval, donor=unicef, date=dt.date(2026, 2, day), amount=Decimal("10"))
    services.rebuild_year_delivery()
    return {"usaid": usaid, "unicef": unicef, "idb": idb, "bilateral": bilateral, "by_approval": by_approval,
            "unfunded": unfunded}


def test_funding_organisations_are_donors_and_approvers_of_any_kind(funding):
    assert set(funding_organisations()) == {funding["usaid"], funding["unicef"]}  # IDB funds nothing yet
    assert set(Project.objects.filter(funded_by(funding["unicef"]))) == {funding["by_approval"]}
    assert set(Project.objects.filter(funded_by([funding["usaid"], funding["unicef"]]))) == {
        funding["bilateral"], funding["by_approval"]}


def test_the_register_filter(funding):
    def symbols(params):
        filterset = ProjectFilterSet(params, queryset=Project.objects.all())
        assert filterset.is_valid(), filterset.errors
        return sorted(p.symbol for p in filterset.qs)

    assert symbols({"donor": funding["unicef"].pk}) == ["RAF/26/12/UNI"]
    assert symbols({"donor": funding["usaid"].pk}) == ["RAF/26/11/USA", "RAF/26/12/UNI"]
    assert not ProjectFilterSet({"donor": funding["idb"].pk}, queryset=Project.objects.all()).is_valid()


def test_the_dashboard_filter_takes_a_un_agency(funding, client):
    filterset = DeliveryFilterSet({"donor": funding["unicef"].pk}, queryset=Project.objects.none())
    assert filterset.is_valid(), filterset.errors
    choices = {str(label) for _value, label in filterset.form.fields["donor"].choices}
    assert {"UNICEF (UNICEF)", "USAID (USAID)"} <= choices
    board = delivery_dashboard(year=2026, as_of=dt.date(2026, 12, 31), filters=filterset.selector_filters())
    assert [p.symbol for p in board.projects] == ["RAF/26/12/UNI"]
    assert board.total.allocation_usd == Decimal("100.00")
    client.force_login(UserFactory(username="manager", role="MANAGER"))
    response = client.get(reverse("delivery:dashboard"), {"year": 2026, "donor": funding["unicef"].pk})
    assert response.status_code == 200 and not response.context["board"].projects[1:]
    download = client.get(reverse("delivery:dashboard"), {"year": 2026, "donor": funding["unicef"].pk,
                                                           "format": "csv"})
    text = download.getvalue().decode() if hasattr(download, "getvalue") else download.content.decode()
    assert "RAF/26/12/UNI" in text and "RAF/26/11/USA" not in text


def test_the_api_filters(funding):
    client = APIClient()
    client.force_authenticate(UserFactory(username="reader", role="SECRETARIAT"))
    projects = client.get(reverse("project-list"), {"donor": funding["unicef"].pk})
    assert projects.status_code == 200 and [p["symbol"] for p in projects.data["results"]] == ["RAF/26/12/UNI"]
    figures = client.get(reverse("delivery-list"), {"year": 2026, "by": "project", "donor": funding["unicef"].pk})
    assert figures.status_code == 200 and figures.data["total"]["allocation_usd"] == "100.00"
