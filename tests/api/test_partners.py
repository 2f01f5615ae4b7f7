"""/api/v1/organisations/, units/, regions/, countries/."""

import itertools
import string

import pytest

from accounts.models import Role
from partners.models import Organisation
from tests.api.base import EndpointTests
from tests.factories import CountryFactory, OrganisationFactory, RegionFactory, UnitFactory

sequence = itertools.count(1)


def _letters(n: int) -> str:
    return string.ascii_uppercase[n // 26 % 26] + string.ascii_uppercase[n % 26]


class TestOrganisations(EndpointTests):
    basename = "organisation"
    create_roles = {Role.ADMIN, Role.OFFICER, Role.MANAGER}

    def make(self, scope, unit):
        return OrganisationFactory()

    def create_data(self, scope, n):
        return {"name": f"Norwegian Agency {n}", "acronym": f"NORAD{n}", "kind": "DONOR", "country": None}

    def invalid_data(self, scope):
        return {"name": "Somebody", "kind": "PIRATES"}, "kind"

    def test_a_duplicate_name_answers_400(self, scope):
        OrganisationFactory(name="Ministry of Labour")
        response = scope.client(Role.OFFICER).post(self.list_url(), {"name": "Ministry of Labour",
                                                                     "kind": "GOVERNMENT"}, format="json")
        assert response.status_code == 400 and "name" in response.data
        assert Organisation.objects.filter(name="Ministry of Labour").count() == 1


class TestUnits(EndpointTests):
    basename = "unit"

    def make(self, scope, unit):
        created = UnitFactory(code=f"U{next(sequence)}")
        created.countries.set([CountryFactory()])
        return created


class TestRegions(EndpointTests):
    basename = "region"

    def make(self, scope, unit):
        return RegionFactory(code=f"R{next(sequence)}")

    @pytest.mark.parametrize(("language", "name"), [("fr", "Afrique"), ("es", "África"), ("en", "Africa")])
    def test_names_follow_accept_language(self, scope, language, name):
        RegionFactory(code="AFRICA", name_en="Africa", name_fr="Afrique", name_es="África")
        response = scope.client(Role.OFFICER).get(self.list_url(), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert [row["name"] for row in response.data["results"] if row["code"] == "AFRICA"] == [name]


class TestCountries(EndpointTests):
    basename = "country"

    def make(self, scope, unit):
        letters = _letters(next(sequence) + 40)
        return CountryFactory(iso3=f"Q{letters}", iso2=letters)
