"""Organisations, donors found or created, units and memberships, LDC status over time."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from partners import selectors, services
from partners.models import Organisation, OrganisationKind, UnitMembership
from tests.factories import CountryFactory, OrganisationFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_organisation_create_validates_and_records_history():
    user = UserFactory()
    organisation = services.organisation_create(name=" Ministry of Labour, Kenya ", kind=OrganisationKind.GOVERNMENT,
                                                acronym="MOL", country=CountryFactory(), user=user)
    assert organisation.name == "Ministry of Labour, Kenya" and organisation.is_constituent
    assert organisation.history.get().history_user == user
    with pytest.raises(ValidationError) as info:
        services.organisation_create(name="Something", kind="CHURCH")
    assert "kind" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.organisation_create(name="Ministry of Labour, Kenya", kind=OrganisationKind.GOVERNMENT)
    assert "name" in info.value.message_dict


def test_organisation_find_by_acronym_then_name():
    norad = OrganisationFactory(name="Norwegian Agency for Development Cooperation", acronym="NORAD")
    assert selectors.organisation_find("norad") == norad
    assert selectors.organisation_find("norwegian agency for development cooperation") == norad
    assert selectors.organisation_find("") is None
    OrganisationFactory(name="Another", acronym="DUP")
    OrganisationFactory(name="Third", acronym="DUP")
    assert selectors.organisation_find("DUP") is None  # ambiguous acronym: not guessed


def test_donor_get_or_create():
    existing = OrganisationFactory(name="Swedish International Development Cooperation Agency", acronym="SIDA")
    assert services.donor_get_or_create(text="SIDA") == (existing, False)
    donor, created = services.donor_get_or_create(text="USDOL")
    assert created and donor.kind == OrganisationKind.DONOR and donor.acronym == "USDOL"
    donor, created = services.donor_get_or_create(text="Government of Japan")
    assert created and donor.acronym == "" and Organisation.objects.count() == 3


def test_was_ldc_in_follows_graduation():
    cabo_verde = CountryFactory(iso3="CPV", is_ldc=False, ldc_graduation_year=2007)
    assert cabo_verde.was_ldc_in(2000) and not cabo_verde.was_ldc_in(2007)
    assert not CountryFactory(iso3="FRA").was_ldc_in(2000)


def test_unit_membership_set_and_remove_and_selectors():
    user = UserFactory(role=Role.MANAGER)
    office, team = UnitFactory(code="RO-X"), UnitFactory(code="MDT-X")
    services.unit_membership_set(user=user, unit=office, is_manager=True)
    services.unit_membership_set(user=user, unit=team)
    services.unit_membership_set(user=user, unit=team, is_focal_point=True)  # updates, no duplicate
    assert UnitMembership.objects.filter(user=user).count() == 2
    assert list(selectors.managed_units(user)) == [office]
    assert set(selectors.units_of(user)) == {office, team}
    services.unit_membership_remove(user=user, unit=team)
    assert list(selectors.units_of(user)) == [office]


def test_constituents_selector():
    kenya = CountryFactory(iso3="KEN")
    union = OrganisationFactory(name="COTU", kind=OrganisationKind.WORKERS, country=kenya)
    OrganisationFactory(name="Donor", kind=OrganisationKind.DONOR, country=kenya)
    assert list(selectors.constituents(country=kenya)) == [union]
    assert list(selectors.constituents(kind=OrganisationKind.EMPLOYERS)) == []
