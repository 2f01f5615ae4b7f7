"""A small known portfolio over 2000 and 2001; the expected figures in the tests are computed from the plain
lists below, independently of reports.selectors."""

import datetime as dt
from decimal import Decimal

import pytest

from alerts.models import Alert, AlertState, Rule, Severity, SlippageReason
from delivery.models import Approval
from delivery.services import financial_import, rebuild_year_delivery
from evaluation.models import (
    EvaluationStatus,
    EvaluationType,
    FollowUpStatus,
    Lesson,
    ManagementResponse,
    Recommendation,
    ResponseKind,
)
from projects.models import (
    ConstituentGroup,
    ExpertAssignment,
    InvolvementStage,
    TrainingActivity,
    TripartiteInvolvement,
)
from tests import shared_data
from tests.delivery.factories import AllocationFactory, expenditure_csv
from tests.evaluation.factories import EvaluationFactory
from tests.factories import (
    CountryFactory,
    FundingSourceFactory,
    InputTypeFactory,
    ObjectiveFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProjectFactory,
    RegionFactory,
)

# (project, period, input type, US$)
LINES = [
    ("P1", "2000-03", "EXPERTS", 3000), ("P1", "2000-06", "TRAINING", 1000), ("P2", "2000-05", "EXPERTS", 2000),
    ("P3", "2000-09", "TRAINING", 1500),
    ("P1", "2001-02", "EXPERTS", 4000), ("P1", "2001-11", "TRAINING", 2000), ("P2", "2001-03", "EXPERTS", 6000),
    ("P3", "2001-04", "EXPERTS", 1000), ("P4", "2001-07", "TRAINING", 500),
]
# (project, year, US$)
ALLOCATIONS = [("P1", 2001, 10000), ("P2", 2001, 8000), ("P3", 2001, 4000), ("P4", 2001, 2000),
               ("P1", 2000, 6000), ("P2", 2000, 5000), ("P3", 2000, 3000)]
# project → region, source, (objective, programme), gender marker, countries
PROJECTS = {
    "P1": ("AFRICA", "XBTC", ("1", "DECLARATION"), 2, ["TZA", "KEN"]),
    "P2": ("AMERICAS", "RBTC", ("2", "SKILLS"), 1, ["HTI"]),
    "P3": ("AFRICA", "XBTC", ("2", "SKILLS"), 0, ["CPV"]),
    "P4": ("AMERICAS", "RBTC", ("2", None), 1, []),
}
SYMBOLS = {"P1": "RAF/01/01/USA", "P2": "HTI/01/02/USA", "P3": "CPV/01/03/USA", "P4": "RLA/01/04/USA"}


def spent(*, year=None, months=None, **match) -> Decimal:
    """Σ of LINES in a year (or in months "YYYY-MM" given) whose project attributes match."""
    total = Decimal(0)
    for project, period, input_type, amount in LINES:
        if year is not None and not period.startswith(str(year)):
            continue
        if months is not None and period not in months:
            continue
        region, source, field, _marker, _countries = PROJECTS[project]
        attributes = {"project": project, "region": region, "source": source, "field": field,
                      "input_type": input_type}
        if all(attributes[k] == v for k, v in match.items()):
            total += amount
    return total


def build_portfolio():
    africa = RegionFactory(code="AFRICA", name="Africa", sort_order=1)
    americas = RegionFactory(code="AMERICAS", name="Americas", sort_order=2)
    countries = {
        "TZA": CountryFactory(iso3="TZA", region=africa, is_ldc=True, name="Tanzania"),
        "KEN": CountryFactory(iso3="KEN", region=africa, is_ldc=False, name="Kenya"),
        "HTI": CountryFactory(iso3="HTI", region=americas, is_ldc=True, name="Haiti"),
        # Graduated in 2001: an LDC for the 2000 figures only.
        "CPV": CountryFactory(iso3="CPV", region=africa, is_ldc=False, ldc_graduation_year=2001, name="Cabo Verde"),
    }
    regions = {"AFRICA": africa, "AMERICAS": americas}
    sources = {"RBTC": FundingSourceFactory(code="RBTC", name="Regular budget", sort_order=1),
               "XBTC": FundingSourceFactory(code="XBTC", name="Multi-bilateral", sort_order=2)}
    InputTypeFactory(code="EXPERTS", name="Experts", sort_order=1)
    InputTypeFactory(code="TRAINING", name="Training", sort_order=2)
    objectives = {"1": ObjectiveFactory(code="1", title="Standards"),
                  "2": ObjectiveFactory(code="2", title="Employment")}
    programmes = {"DECLARATION": ProgrammeFactory(code="DECLARATION", title="Declaration",
                                                  objective=objectives["1"]),
                  "SKILLS": ProgrammeFactory(code="SKILLS", title="Skills", objective=objectives["2"])}
    donors = {"D1": OrganisationFactory(name="Donor One", acronym="D1"),
              "D2": OrganisationFactory(name="Donor Two", acronym="D2")}
    projects = {}
    for key, (region, source, (objective, programme), marker, iso3s) in PROJECTS.items():
        projects[key] = ProjectFactory(
            symbol=SYMBOLS[key], region=regions[region], funding_source=sources[source],
            strategic_objective=objectives[objective], primary_programme=programmes[programme] if programme else None,
            gender_marker=marker, countries=[countries[c] for c in iso3s], is_autonomous=key == "P3",
            donor=donors["D1"])
    for key, year, amount in ALLOCATIONS:
        AllocationFactory(project=projects[key], year=year, funding_source=projects[key].funding_source,
                          amount_usd=Decimal(amount))
    result = financial_import(kind="expenditure", source=expenditure_csv(
        *[f"{SYMBOLS[p]},{period},{kind},USD,{amount}" for p, period, kind, amount in LINES]))
    assert not result.errors, result.errors
    rebuild_year_delivery()  # the allocations above were written without the import service

    # National: the nationality is one of the project's countries (P1: TZA, KEN; P2: HTI).
    for project, year, nationality, months in (("P1", 2001, "KEN", 6), ("P1", 2001, "CPV", 3),
                                               ("P2", 2001, "KEN", 4), ("P2", 2001, "KEN", 2),
                                               ("P2", 2000, "HTI", 5)):
        ExpertAssignment.objects.create(project=projects[project], nationality=countries[nationality], year=year,
                                        work_months=Decimal(months))
    for project, start, women, men, turin in (("P1", dt.date(2001, 3, 5), 5, 7, True),
                                              ("P2", dt.date(2001, 11, 2), 10, 4, False),
                                              ("P3", dt.date(2000, 4, 1), 3, 3, False)):
        TrainingActivity.objects.create(project=projects[project], title="Workshop", start_date=start,
                                        end_date=start + dt.timedelta(days=3), women=women, men=men,
                                        is_turin_centre=turin)
    Approval.objects.create(donor=donors["D1"], project=projects["P1"], date=dt.date(2001, 2, 1),
                            amount=Decimal(50000), amount_usd=Decimal(50000))
    Approval.objects.create(donor=donors["D2"], project=projects["P3"], date=dt.date(2001, 12, 1),
                            amount=Decimal(20000), amount_usd=Decimal(20000))
    Approval.objects.create(donor=donors["D1"], project=projects["P2"], date=dt.date(2000, 5, 1),
                            amount=Decimal(30000), amount_usd=Decimal(30000))

    T = TripartiteInvolvement.objects.create
    T(project=projects["P1"], stage=InvolvementStage.FORMULATION, group=ConstituentGroup.GOVERNMENT,
      contemplated=True, contemplated_description="Ministry", actual_date=dt.date(2000, 2, 1), women=3, men=5)
    T(project=projects["P1"], stage=InvolvementStage.IMPLEMENTATION, group=ConstituentGroup.WORKERS,
      contemplated=True, contemplated_description="Unions")
    T(project=projects["P2"], stage=InvolvementStage.APPROVAL, group=ConstituentGroup.EMPLOYERS,
      contemplated=False, actual_date=dt.date(2001, 5, 1), women=1, men=2)
    T(project=projects["P3"], stage=InvolvementStage.FORMULATION, group=ConstituentGroup.GOVERNMENT,
      contemplated=True, contemplated_description="Autonomous: left out")

    recruitment = SlippageReason.objects.get(code="RECRUITMENT")
    rule = {code: Rule.objects.get(code=code) for code in ("LOW_DELIVERY", "NO_EXPENDITURE", "PAST_END")}
    Alert.objects.create(project=projects["P1"], rule=rule["LOW_DELIVERY"], period=2001, severity=Severity.RED,
                         state=AlertState.EXPLAINED, raised_on=dt.date(2001, 4, 2), slippage_reason=recruitment)
    Alert.objects.create(project=projects["P3"], rule=rule["LOW_DELIVERY"], period=2001, severity=Severity.AMBER,
                         state=AlertState.RESOLVED, raised_on=dt.date(2001, 5, 2), slippage_reason=recruitment,
                         resolved_on=dt.date(2001, 8, 1))
    Alert.objects.create(project=projects["P2"], rule=rule["NO_EXPENDITURE"], period=2001, severity=Severity.AMBER,
                         raised_on=dt.date(2001, 11, 20))
    Alert.objects.create(project=projects["P4"], rule=rule["PAST_END"], period=2000, severity=Severity.RED,
                         raised_on=dt.date(2000, 12, 1))

    independent = EvaluationFactory(title="Final evaluation P1", type=EvaluationType.INDEPENDENT,
                                    status=EvaluationStatus.COMPLETED, actual_date=dt.date(2001, 6, 1),
                                    relevance=5, effectiveness=4, projects=[projects["P1"]])
    self_evaluation = EvaluationFactory(title="Self-evaluation P2", type=EvaluationType.SELF,
                                        status=EvaluationStatus.COMPLETED, actual_date=dt.date(2001, 9, 1),
                                        relevance=3, projects=[projects["P2"]])
    EvaluationFactory(title="Old one", type=EvaluationType.SELF, status=EvaluationStatus.COMPLETED,
                      actual_date=dt.date(2000, 9, 1), relevance=1, projects=[projects["P2"]])
    EvaluationFactory(title="Planned one", status=EvaluationStatus.PLANNED, projects=[projects["P4"]])
    for evaluation, response, follow_up in ((independent, ResponseKind.ACCEPTED, FollowUpStatus.COMPLETED),
                                            (independent, ResponseKind.REJECTED, FollowUpStatus.NOT_APPLICABLE),
                                            (self_evaluation, ResponseKind.PARTIAL, FollowUpStatus.IN_PROGRESS)):
        recommendation = Recommendation.objects.create(evaluation=evaluation, text="Do better", addressee="Office")
        ManagementResponse.objects.create(
            recommendation=recommendation, response=response, justification="Because", action="Act",
            owner="Unit", due_date=dt.date(2002, 1, 1), follow_up_status=follow_up,
            completion_date=dt.date(2001, 12, 1) if follow_up == FollowUpStatus.COMPLETED else None)
    Lesson.objects.create(title="Involve ministries early", text="Ministries that help write the document "
                          "deliver.", evaluation=independent, is_validated=True)
    Lesson.objects.create(title="Unvalidated idea", text="Not for the report.", evaluation=independent)
    return {"projects": projects, "sources": sources, "regions": regions, "donors": donors,
            "objectives": objectives, "programmes": programmes}


shared_portfolio = shared_data.module_fixture(build_portfolio, name="shared_portfolio")


@pytest.fixture
def portfolio(shared_portfolio, db, request):
    """build_portfolio()'s, built once for the module; each test gets it as built (tests/shared_data.py)."""
    return shared_portfolio.for_test(request)
