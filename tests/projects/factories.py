"""Factories for the register's child records (the shared ones are in tests/factories.py)."""

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from partners.models import OrganisationKind
from projects.models import ExpertAssignment, ProgressReport, ProjectPartner, TrainingActivity, TripartiteInvolvement
from tests.factories import CountryFactory, OrganisationFactory, ProjectFactory


class ConstituentFactory(OrganisationFactory):
    kind = OrganisationKind.GOVERNMENT
    country = factory.SubFactory(CountryFactory)


class ProjectPartnerFactory(DjangoModelFactory):
    class Meta:
        model = ProjectPartner

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "FUNDING"


class TripartiteFactory(DjangoModelFactory):
    class Meta:
        model = TripartiteInvolvement

    project = factory.SubFactory(ProjectFactory)
    stage = "FORMULATION"
    group = "GOVERNMENT"
    contemplated = True
    contemplated_description = "Ministry takes part in the design workshop"


class ExpertFactory(DjangoModelFactory):
    class Meta:
        model = ExpertAssignment

    project = factory.SubFactory(ProjectFactory)
    nationality = factory.SubFactory(CountryFactory)
    year = 2000
    work_months = Decimal("6.0")


class TrainingFactory(DjangoModelFactory):
    class Meta:
        model = TrainingActivity

    project = factory.SubFactory(ProjectFactory)
    title = "Workshop"
    start_date = dt.date(2000, 5, 1)
    end_date = dt.date(2000, 5, 5)


class ProgressReportFactory(DjangoModelFactory):
    class Meta:
        model = ProgressReport

    project = factory.SubFactory(ProjectFactory)
    period_end = dt.date(2000, 6, 30)
    due_date = dt.date(2000, 8, 31)
