import datetime as dt

import pytest

from accounts.models import Role
from partners.models import Country, Organisation, OrganisationKind, Region, Unit
from projects.models import FundingSource, Programme, StrategicObjective
from tests import reference as reference_data
from tests import shared_data
from tests.factories import UserFactory

# Loaded once for the module; each test starts from it as loaded (tests/shared_data.py).
shared_reference = shared_data.module_fixture(reference_data.load, name="shared_reference")


@pytest.fixture
def reference(shared_reference, db, request):
    """The real reference data of fixtures/ (2000-01 framework, regions, countries, sources, units)."""
    shared_reference.for_test(request)


@pytest.fixture
def ref(reference):
    """Handy lookups into the reference data."""

    class Ref:
        africa = Region.objects.get(code="AFRICA")
        americas = Region.objects.get(code="AMERICAS")
        interregional = Region.objects.get(code="INTERREGIONAL")
        kenya = Country.objects.get(iso3="KEN")
        senegal = Country.objects.get(iso3="SEN")
        peru = Country.objects.get(iso3="PER")
        so1 = StrategicObjective.objects.get(code="1")
        so2 = StrategicObjective.objects.get(code="2")
        ipec = Programme.objects.get(code="IPEC")
        skills = Programme.objects.get(code="SKILLS")
        xbtc = FundingSource.objects.get(code="XBTC")
        rbtc = FundingSource.objects.get(code="RBTC")
        ro_africa = Unit.objects.get(code="RO-AFRICA")
        ipec_unit = Unit.objects.get(code="IPEC")
        norad = Organisation.objects.get_or_create(name="Norwegian Agency for Development Cooperation",
                                                   defaults={"acronym": "NORAD", "kind": OrganisationKind.DONOR})[0]

    return Ref


@pytest.fixture
def project_fields(ref):
    """Valid keyword arguments for services.project_create."""
    return {
        "symbol": "KEN/00/01/NOR", "title": "Skills for youth employment", "status": "PIPELINE",
        "planned_start": dt.date(2000, 3, 1), "planned_end": dt.date(2002, 2, 28),
        "strategic_objective": ref.so2, "primary_programme": ref.skills, "region": ref.africa,
        "funding_source": ref.xbtc, "donor": ref.norad, "responsible_unit": ref.ro_africa, "gender_marker": 1,
    }


@pytest.fixture
def users(db):
    return {role: UserFactory(username=f"u-{role.lower()}", role=role) for role in Role.values}
