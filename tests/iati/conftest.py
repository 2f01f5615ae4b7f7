import datetime as dt

import pytest
from django.core.files.base import ContentFile

from iati.schema import activities_schema
from partners.models import OrganisationKind
from projects.models import PartnerRole, ProjectStatus
from tests import shared_data
from tests.factories import (
    CountryFactory,
    ObjectiveFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProjectFactory,
    RegionFactory,
)
from tests.iati.factories import (
    ConventionFactory,
    EvaluationFactory,
    PrincipleFactory,
    ProjectPartnerFactory,
    ThemeFactory,
    add_money,
    add_results,
)


@pytest.fixture(scope="session")
def iati_schema():
    return activities_schema()


def build_portfolio():
    """A project in every status; country (1, 2 and 3 countries) and regional projects; every organisation kind
    in every role; evaluations with PDF and DOCX reports; indicators of every measure; revised allocations;
    Declaration principles, Conventions and cross-cutting themes supported."""
    africa = RegionFactory(code="AFRICA", iati_code="298")
    americas = RegionFactory(code="AMERICAS", iati_code="498")
    europe = RegionFactory(code="EUROPE_CENTRAL_ASIA", iati_code="89")
    interregional = RegionFactory(code="INTERREGIONAL", iati_code="998")
    kenya = CountryFactory(iso3="KEN", iso2="KE", region=africa)
    senegal = CountryFactory(iso3="SEN", iso2="SN", region=africa)
    tanzania = CountryFactory(iso3="TZA", iso2="TZ", region=africa)
    peru = CountryFactory(iso3="PER", iso2="PE", region=americas)
    so1, so2, so4 = ObjectiveFactory(code="1"), ObjectiveFactory(code="2"), ObjectiveFactory(code="4")
    ipec = ProgrammeFactory(objective=so1, code="IPEC")
    declaration = ProgrammeFactory(objective=so1, code="DECLARATION")
    skills = ProgrammeFactory(objective=so2, code="SKILLS")
    seed_programme = ProgrammeFactory(objective=so2, code="SEED")
    outcome = ProgrammeFactory(objective=so4, code="OUTCOME-4.1")  # a later-biennium code with no DAC mapping
    norad = OrganisationFactory(name="Norwegian Agency for Development Cooperation", kind=OrganisationKind.DONOR,
                                iati_identifier="NO-BRC-971277882")
    usdol = OrganisationFactory(name="US Department of Labor", kind=OrganisationKind.DONOR,
                                iati_identifier="US/DOL?bad")  # not a valid identifier: the ref is left out
    organisations = [OrganisationFactory(name=f"{kind.label} partner", kind=kind,
                                         country=kenya if kind != OrganisationKind.WORKERS else None)
                     for kind in OrganisationKind]
    organisations.append(OrganisationFactory(name="National workers' centre", kind=OrganisationKind.WORKERS,
                                             country=senegal))
    organisations.append(OrganisationFactory(name="International employers' body", kind=OrganisationKind.EMPLOYERS))

    specs = [
        # status, symbol, region, countries, objective, programme, other programmes, donor
        (ProjectStatus.PIPELINE, "KEN/02/01/NOR", africa, [kenya], so2, skills, [], norad),
        (ProjectStatus.APPROVED, "RAF/01/02/NOR", africa, [], so2, skills, [seed_programme], norad),
        (ProjectStatus.ONGOING, "RAF/00/M07/USA", africa, [kenya, senegal, tanzania], so1, ipec, [declaration],
         usdol),
        (ProjectStatus.OPERATIONALLY_CLOSED, "RLA/99/03/MUL", americas, [], so1, declaration, [], None),
        (ProjectStatus.FINANCIALLY_CLOSED, "PER/98/04/USA", americas, [peru], so2, seed_programme, [], usdol),
        (ProjectStatus.SUSPENDED, "RER/00/05/NOR", europe, [], so4, outcome, [], norad),
        (ProjectStatus.CANCELLED, "INT/99/06/MUL", interregional, [], so4, None, [], None),
        (ProjectStatus.ONGOING, "SEN/00/07/NOR", africa, [senegal, kenya], so2, skills, [], norad),
    ]
    projects = []
    for index, (status, symbol, region, countries, objective, programme, others, donor) in enumerate(specs):
        started = status not in (ProjectStatus.PIPELINE, ProjectStatus.APPROVED, ProjectStatus.CANCELLED)
        closed = status in (ProjectStatus.OPERATIONALLY_CLOSED, ProjectStatus.FINANCIALLY_CLOSED)
        project = ProjectFactory(
            status=status, symbol=symbol, region=region, countries=countries, strategic_objective=objective,
            primary_programme=programme, donor=donor, gender_marker=index % 3,
            summary="" if index == 3 else f"What {symbol} does",
            actual_start=dt.date(2000, 2, 1) if started else None,
            actual_end=dt.date(2001, 11, 30) if closed else None)
        project.other_programmes.set(others)
        projects.append(project)
        if status not in (ProjectStatus.PIPELINE, ProjectStatus.CANCELLED):
            add_money(project, months=3 + 4 * (index % 4), index=index)
            add_results(project)
    for index, organisation in enumerate(organisations):
        ProjectPartnerFactory(project=projects[index % len(projects)], organisation=organisation,
                              role=list(PartnerRole)[index % len(PartnerRole)])
    ProjectPartnerFactory(project=projects[2], organisation=usdol, role=PartnerRole.FUNDING)
    child_labour = PrincipleFactory()
    projects[2].principles.set([child_labour])
    projects[2].conventions.set([ConventionFactory(principle=child_labour),
                                 ConventionFactory(number=138, title="Minimum Age Convention (1973)",
                                                   principle=child_labour)])
    projects[2].themes.set([ThemeFactory(), ThemeFactory(code="DEVELOPMENT", title="Development")])
    projects[3].principles.set([PrincipleFactory(code="FREEDOM_OF_ASSOCIATION", title="Freedom of association")])
    EvaluationFactory(projects=[projects[2], projects[4]])
    EvaluationFactory(projects=[projects[3]], title="Mid-term review", actual_date=None, status="ONGOING",
                      report="")
    EvaluationFactory(projects=[projects[3]], report=ContentFile(b"PK docx", name="final.docx"))
    return projects


shared_portfolio = shared_data.module_fixture(build_portfolio, name="shared_portfolio")


@pytest.fixture
def portfolio(shared_portfolio, db, request):
    """build_portfolio()'s, built once for the module; each test gets it as built (tests/shared_data.py)."""
    return shared_portfolio.for_test(request)
