"""Factories for test data, shared by every app's tests. Reference rows are get-or-created by code."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from accounts.services import api_token_create
from partners.models import (
    ConstituentAccount,
    Country,
    Organisation,
    OrganisationKind,
    Region,
    Unit,
    UnitKind,
    UnitMembership,
)
from projects.models import (
    Biennium,
    BudgetType,
    Convention,
    CrossCuttingTheme,
    DeclarationPrinciple,
    FundingSource,
    InputType,
    Programme,
    Project,
    ProjectStatus,
    StrategicObjective,
)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@tcms.example.org")
    role = Role.OFFICER
    password = factory.PostGenerationMethodCall("set_password", "a-long-test-password")

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        for unit in extracted or ():
            UnitMembership.objects.get_or_create(user=self, unit=unit)
        if create:
            self.save()

    @factory.post_generation
    def organisation(self, create, extracted, **kwargs):
        """UserFactory(role=Role.CONSTITUENT, organisation=org): a constituent of that organisation."""
        if create and extracted is not None:
            ConstituentAccount.objects.update_or_create(user=self, defaults={"organisation": extracted})


def api_token_for(user) -> str:
    """A working REST API key for the user, made as the API token page makes it (only its digest is stored)."""
    _token, key = api_token_create(user=user)
    return key


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "AFRICA"
    name = factory.LazyAttribute(lambda o: o.code.replace("_", " ").title())
    iati_code = "298"


class CountryFactory(DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("iso3",)

    iso3 = "KEN"
    iso2 = factory.LazyAttribute(lambda o: o.iso3[:2])
    name = factory.LazyAttribute(lambda o: f"Country {o.iso3}")
    region = factory.SubFactory(RegionFactory)
    is_ldc = False


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    acronym = factory.Sequence(lambda n: f"ORG{n}")
    kind = OrganisationKind.DONOR


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"UNIT{n}")
    name = factory.LazyAttribute(lambda o: f"Unit {o.code}")
    kind = UnitKind.HQ


class BienniumFactory(DjangoModelFactory):
    class Meta:
        model = Biennium
        django_get_or_create = ("code",)

    code = "2000-01"
    start_year = 2000
    end_year = 2001


class ObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = StrategicObjective
        django_get_or_create = ("biennium", "code")

    biennium = factory.SubFactory(BienniumFactory)
    code = "2"
    title = factory.LazyAttribute(lambda o: f"Strategic objective {o.code}")


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("biennium", "code")

    objective = factory.SubFactory(ObjectiveFactory)
    biennium = factory.LazyAttribute(lambda o: o.objective.biennium)
    code = "SKILLS"
    title = factory.LazyAttribute(lambda o: f"Programme {o.code}")


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = CrossCuttingTheme
        django_get_or_create = ("biennium", "code")

    biennium = factory.SubFactory(BienniumFactory)
    code = "GENDER"
    title = factory.LazyAttribute(lambda o: f"Theme {o.code}")


class PrincipleFactory(DjangoModelFactory):
    class Meta:
        model = DeclarationPrinciple
        django_get_or_create = ("code",)

    code = "CHILD_LABOUR"
    title = factory.LazyAttribute(lambda o: f"Principle {o.code}")


class ConventionFactory(DjangoModelFactory):
    class Meta:
        model = Convention
        django_get_or_create = ("number",)

    number = 138
    title = factory.LazyAttribute(lambda o: f"Convention {o.number}")
    is_fundamental = True


class FundingSourceFactory(DjangoModelFactory):
    class Meta:
        model = FundingSource
        django_get_or_create = ("code",)

    code = "XBTC"
    name = factory.LazyAttribute(lambda o: f"Source {o.code}")
    budget_type = factory.LazyAttribute(
        lambda o: BudgetType.REGULAR if o.code in ("RBTC", "RBSA") else BudgetType.EXTRA_BUDGETARY)


class InputTypeFactory(DjangoModelFactory):
    class Meta:
        model = InputType
        django_get_or_create = ("code",)

    code = "EXPERTS"
    name = factory.LazyAttribute(lambda o: o.code.title())


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    symbol = factory.Sequence(lambda n: f"INT/00/{n % 10000:04d}/MUL")
    title = factory.Sequence(lambda n: f"Project {n}")
    status = ProjectStatus.ONGOING
    planned_start = dt.date(2000, 1, 1)
    planned_end = dt.date(2001, 12, 31)
    strategic_objective = factory.SubFactory(ObjectiveFactory)
    primary_programme = factory.LazyAttribute(
        lambda o: ProgrammeFactory(objective=o.strategic_objective, biennium=o.strategic_objective.biennium))
    region = factory.SubFactory(RegionFactory)
    funding_source = factory.SubFactory(FundingSourceFactory)
    responsible_unit = factory.SubFactory(UnitFactory)
    gender_marker = 1

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if create and extracted:
            self.countries.set(extracted)
