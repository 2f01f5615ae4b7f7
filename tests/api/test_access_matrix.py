"""Who may call which API endpoint, generated from the DRF router and the URL configuration under api/.

Every (URL name, HTTP method) the API answers is enumerated: the router's routes for each registered viewset (list,
retrieve, create, update, partial_update, destroy and every @action, with only the methods the viewset implements),
plus the other URLs under api/ (API root, OpenAPI schema and its two viewers, the IATI files). Each must be declared
in MATRIX with the roles allowed (projects/permissions.py decides; the viewsets map actions to its perms through
`perms`, `object_perms` and `action_kinds`); an endpoint or @action added without a declaration, or a declaration
left behind, fails test_every_api_endpoint_is_declared.

What the answers must be:
- anonymous: 401 (token authentication comes first, so DRF asks for credentials) or 403; never 2xx, never 5xx.
  Only PUBLIC endpoints (the schema and its viewers: they describe the API, they hold no data) answer 200.
- a role that may: not 401/403/404/405 and not 5xx. Reads must answer 200. Writes are sent a deliberately
  empty body `{}`: TcmsViewSet checks the perm in has_permission (collection writes) or in get_object, before the
  write serializer (object writes), so 400 shows the permission check was passed just as well as 2xx does.
  The exception is a create whose perm is asked about a parent named in the body (check_target, after the shape is
  validated: partners, tripartite cells, results, indicators, periods, allocations) and the bulk imports (each row's
  project is asked about): those are sent a well-formed body pointing at the own or the other unit's project; a
  400 from the service (e.g. a duplicate) still comes after the check.
  No If-Match is sent, so 412 is not expected.
- a role that may not: exactly 403. The API does not hide objects a user may read but not change (every signed-in
  user reads the whole register), so there is no 404 standing in for a refusal.
- own vs other unit: entries with `other` are tried on the own unit's object (officer and manager are members of
  that unit) and on another unit's; `other` names who may act there (administrators only, for writes).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from alerts.models import Alert, Rule
from delivery.models import ExchangeRate
from delivery.services import approval_create
from projects.models import (
    AutonomyAgreement,
    Convention,
    ExpertAssignment,
    ProgressReport,
    ProjectPartner,
    TrainingActivity,
    TripartiteInvolvement,
)
from tcms.api_urls import router
from tests import constituent_requests, shared_data
from tests.delivery.factories import AllocationFactory
from tests.evaluation.factories import (
    EvaluationFactory,
    IndicatorFactory,
    LessonFactory,
    PeriodFactory,
    RecommendationFactory,
    ResultFactory,
)
from tests.factories import (
    CountryFactory,
    FundingSourceFactory,
    InputTypeFactory,
    ObjectiveFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProjectFactory,
    UnitFactory,
    UserFactory,
)
from tests.iati.factories import ExpenditureFactory

pytestmark = pytest.mark.django_db

OFFICER, MANAGER, EVALUATION, SECRETARIAT, ADMIN = (Role.OFFICER, Role.MANAGER, Role.EVALUATION, Role.SECRETARIAT,
                                                    Role.ADMIN)
ALL = frozenset(Role.values) - {Role.CONSTITUENT}  # the staff; constituents: CONSTITUENT_ACCESS below
ADMINS = frozenset({ADMIN})
EDITORS = frozenset({OFFICER, MANAGER, ADMIN})  # projects.add_project; projects.change_project on their units'
EVALUATORS = frozenset({EVALUATION, ADMIN})  # evaluation.manage_evaluations
API_PREFIX = "api/"
OWN, OTHER = "own", "other"
ALLOWED_WRITE_ANSWERS = {200, 201, 204, 400}


@dataclass(frozen=True)
class Access:
    allowed: frozenset  # roles that may (on the own unit's object when `other` is given)
    other: frozenset | None = None  # roles that may on another unit's object; None: the unit makes no difference
    body: Callable | None = None  # (world, side) → request body; None: {} (see the module's docstring)
    params: dict = field(default_factory=dict)  # query string of a read


def read(**params) -> Access:
    return Access(ALL, params=params)


def read_both_units() -> Access:
    return Access(ALL, other=ALL)


def project_write(body: Callable | None = None) -> Access:
    """A write decided by projects.change_project on the project the object belongs to."""
    return Access(EDITORS, other=ADMINS, body=body)


def router_endpoints() -> dict[tuple[str, str], str]:
    """(URL name, HTTP method) → viewset action, for every route the router serves."""
    endpoints = {}
    for _prefix, viewset, basename in router.registry:
        for route in router.get_routes(viewset):
            mapping = router.get_method_map(viewset, route.mapping)
            for method, action in mapping.items():
                endpoints[(route.name.format(basename=basename), method.upper())] = action
    return endpoints


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield pattern, route


def _methods_of(callback) -> list[str]:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    assert view_class is not None, f"{callback!r}: an API URL that is not a class-based view"
    return [method.upper() for method in view_class.http_method_names
            if method not in ("options", "head") and hasattr(view_class, method)]


def other_api_endpoints() -> dict[tuple[str, str], str]:
    """(URL name, method) → view class name, for the URLs under api/ that the router does not make."""
    router_names = {name for name, _ in router_endpoints()}
    endpoints = {}
    for pattern, route in _walk(get_resolver().url_patterns):
        if not route.startswith(API_PREFIX) or getattr(pattern.callback, "actions", None) is not None:
            continue  # router routes (and their format-suffix twins) are enumerated from the router itself
        assert pattern.name, f"the API URL {route!r} has no name, so no permission can be declared for it"
        if pattern.name in router_names:
            continue
        for method in _methods_of(pattern.callback):
            endpoints[(pattern.name, method)] = getattr(pattern.callback, "view_class", pattern.callback).__name__
    return endpoints


def all_endpoints() -> dict[tuple[str, str], str]:
    return {**router_endpoints(), **other_api_endpoints()}


def _partner_body(world, side):
    return {"project": world.project[side].pk, "organisation": world.organisation.pk, "role": "FUNDING"}


def _tripartite_body(world, side):
    return {"project": world.project[side].pk, "stage": "FORMULATION", "group": "EMPLOYERS", "contemplated": True,
            "contemplated_description": "Employers sit on the steering committee"}


def _result_body(world, side):
    return {"project": world.project[side].pk, "kind": "OUTCOME", "title": "Youth employed"}


def _indicator_body(world, side):
    return {"result": world.result[side].pk, "title": "Trainees", "measure": "UNIT"}


def _period_body(world, side):
    return {"indicator": world.indicator[side].pk, "start": "2003-01-01", "end": "2003-12-31", "target": "40"}


def _allocation_body(world, side):
    return {"project": world.project[side].pk, "year": 2001, "funding_source": "XBTC", "amount_usd": "10.00",
            "reason": "Approved budget"}


def _allocation_rows(world, side):
    return [{"project_symbol": world.project[side].symbol, "year": "2001", "funding_source": "XBTC",
             "amount_usd": "20.00"}]


def _approval_body(world, side):
    return {"project": world.project[side].pk, "donor": world.organisation.pk, "date": "2001-03-15",
            "amount": "500.00", "currency": "USD"}


def _approval_rows(world, side):
    return [{"project_symbol": world.project[side].symbol, "donor": world.organisation.name, "date": "2001-03-16",
             "amount": "600.00", "currency": "USD"}]


def _expert_body(world, side):
    return {"project": world.project[side].pk, "nationality": world.country.iso3, "year": 2001, "work_months": "3"}


def _training_body(world, side):
    return {"project": world.project[side].pk, "title": "Workshop", "start_date": "2001-03-01",
            "end_date": "2001-03-02"}


def _progress_report_body(world, side):
    return {"project": world.project[side].pk, "period_end": "2001-06-30", "due_date": "2001-08-31"}


def _expenditure_rows(world, side):
    return [{"project_symbol": world.project[side].symbol, "period": "2001-01", "input_type": "EXPERTS",
             "currency": "USD", "amount": "30.00"}]


def _rate_rows(world, side):
    return [{"currency": "CHF", "period": "2001-01", "units_per_usd": "1.500000"}]


# Endpoints anyone may call, signed in or not.
PUBLIC = {("api-schema", "GET"), ("api-swagger", "GET"), ("api-redoc", "GET")}

MATRIX: dict[tuple[str, str], Access] = {
    ("api-root", "GET"): read(),
    ("api-schema", "GET"): read(),
    ("api-swagger", "GET"): read(),
    ("api-redoc", "GET"): read(),
    # IATI files: signed-in users (everyone too when settings.TCMS_IATI_PUBLIC, off by default)
    ("iati-activities", "GET"): read(),
    ("iati-vocabulary-objectives", "GET"): read(),
    ("iati-vocabulary-programmes", "GET"): read(),
    ("iati-vocabulary-principles", "GET"): read(),
    ("iati-vocabulary-conventions", "GET"): read(),
    ("iati-vocabulary-themes", "GET"): read(),
    # the register
    ("project-list", "GET"): read(),
    ("project-list", "POST"): Access(EDITORS),
    ("project-detail", "GET"): read_both_units(),
    ("project-detail", "PUT"): project_write(),
    ("project-detail", "PATCH"): project_write(),
    ("project-status", "POST"): project_write(),
    ("project-revise-date", "POST"): project_write(),
    ("project-partner-list", "GET"): read(),
    ("project-partner-list", "POST"): project_write(_partner_body),
    ("project-partner-detail", "GET"): read_both_units(),
    ("project-partner-detail", "DELETE"): project_write(),
    ("tripartite-list", "GET"): read(),
    ("tripartite-list", "POST"): project_write(_tripartite_body),
    ("tripartite-detail", "GET"): read_both_units(),
    ("tripartite-detail", "PUT"): project_write(),
    ("tripartite-detail", "PATCH"): project_write(),
    ("expert-list", "GET"): read(),
    ("expert-list", "POST"): project_write(_expert_body),
    ("expert-detail", "GET"): read_both_units(),
    ("expert-detail", "PUT"): project_write(),
    ("expert-detail", "PATCH"): project_write(),
    ("expert-detail", "DELETE"): project_write(),
    ("training-list", "GET"): read(),
    ("training-list", "POST"): project_write(_training_body),
    ("training-detail", "GET"): read_both_units(),
    ("training-detail", "PUT"): project_write(),
    ("training-detail", "PATCH"): project_write(),
    ("training-detail", "DELETE"): project_write(),
    ("progress-report-list", "GET"): read(),
    ("progress-report-list", "POST"): project_write(_progress_report_body),
    ("progress-report-detail", "GET"): read_both_units(),
    ("progress-report-detail", "PUT"): project_write(),
    ("progress-report-detail", "PATCH"): project_write(),
    ("progress-report-detail", "DELETE"): project_write(),
    # reference lists
    ("objective-list", "GET"): read(),
    ("objective-detail", "GET"): read(),
    ("programme-list", "GET"): read(),
    ("programme-detail", "GET"): read(),
    ("funding-source-list", "GET"): read(),
    ("funding-source-detail", "GET"): read(),
    ("input-type-list", "GET"): read(),
    ("input-type-detail", "GET"): read(),
    ("convention-list", "GET"): read(),
    ("convention-detail", "GET"): read(),
    ("organisation-list", "GET"): read(),
    ("organisation-list", "POST"): Access(EDITORS),  # those who register projects register the organisations named
    ("organisation-detail", "GET"): read(),
    ("unit-list", "GET"): read(),
    ("unit-detail", "GET"): read(),
    ("region-list", "GET"): read(),
    ("region-detail", "GET"): read(),
    ("country-list", "GET"): read(),
    ("country-detail", "GET"): read(),
    # delivery: allocations and expenditure follow the project's edit rule (a bulk import is refused, 403, if any
    # row is of a project the user may not change); exchange rates are reference data, for administrators
    ("allocation-list", "GET"): read(),
    ("allocation-list", "POST"): project_write(_allocation_body),
    ("allocation-detail", "GET"): read_both_units(),
    ("allocation-detail", "PUT"): project_write(),
    ("allocation-detail", "PATCH"): project_write(),
    ("allocation-bulk-import", "POST"): project_write(_allocation_rows),
    ("expenditure-list", "GET"): read(),
    ("expenditure-list", "POST"): project_write(_expenditure_rows),
    ("expenditure-detail", "GET"): read(),
    ("exchange-rate-list", "GET"): read(),
    ("exchange-rate-list", "POST"): Access(ADMINS, body=_rate_rows),
    ("exchange-rate-detail", "GET"): read(),
    ("approval-list", "GET"): read(),
    ("approval-list", "POST"): project_write(_approval_body),
    ("approval-detail", "GET"): read_both_units(),
    ("approval-detail", "PUT"): project_write(),
    ("approval-detail", "PATCH"): project_write(),
    ("approval-detail", "DELETE"): project_write(),
    ("approval-bulk-import", "POST"): project_write(_approval_rows),
    ("delivery-list", "GET"): read(year=2000, by="region"),
    # results: whoever may change the project
    ("result-list", "GET"): read(),
    ("result-list", "POST"): project_write(_result_body),
    ("result-detail", "GET"): read_both_units(),
    ("result-detail", "PUT"): project_write(),
    ("result-detail", "PATCH"): project_write(),
    ("indicator-list", "GET"): read(),
    ("indicator-list", "POST"): project_write(_indicator_body),
    ("indicator-detail", "GET"): read_both_units(),
    ("indicator-detail", "PUT"): project_write(),
    ("indicator-detail", "PATCH"): project_write(),
    ("indicator-period-list", "GET"): read(),
    ("indicator-period-list", "POST"): project_write(_period_body),
    ("indicator-period-detail", "GET"): read_both_units(),
    ("indicator-period-detail", "PUT"): project_write(),
    ("indicator-period-detail", "PATCH"): project_write(),
    ("indicator-period-revise-target", "POST"): project_write(),
    # evaluations, recommendations and lessons: evaluation officers
    ("evaluation-list", "GET"): read(),
    ("evaluation-list", "POST"): Access(EVALUATORS),
    ("evaluation-detail", "GET"): read(),
    ("evaluation-detail", "PUT"): Access(EVALUATORS),
    ("evaluation-detail", "PATCH"): Access(EVALUATORS),
    ("recommendation-list", "GET"): read(),
    ("recommendation-list", "POST"): Access(EVALUATORS),
    ("recommendation-detail", "GET"): read(),
    ("recommendation-detail", "PUT"): Access(EVALUATORS),
    ("recommendation-detail", "PATCH"): Access(EVALUATORS),
    ("recommendation-response", "POST"): Access(EVALUATORS),
    ("recommendation-follow-up", "POST"): Access(EVALUATORS),
    ("lesson-list", "GET"): read(),
    ("lesson-list", "POST"): Access(EVALUATORS),
    ("lesson-detail", "GET"): read(),
    ("lesson-detail", "PUT"): Access(EVALUATORS),
    ("lesson-detail", "PATCH"): Access(EVALUATORS),
    # early-warning alerts: alerts.manage_alerts and projects.change_project on the alert's project
    ("alert-list", "GET"): read(),
    ("alert-detail", "GET"): read_both_units(),
    ("alert-acknowledge", "POST"): project_write(),
    ("alert-explain", "POST"): project_write(),
    ("alert-resolve", "POST"): project_write(),
    # a tripartite cell confirmed by its constituent group (officers: confirm or answer a report)
    ("tripartite-report", "POST"): Access(frozenset(), other=frozenset()),  # constituents only
    ("tripartite-confirm", "POST"): project_write(),
    ("tripartite-answer", "POST"): project_write(),
    # constituents' requests (a constituent submits; officers, managers and administrators decide) and governments'
    # agreement to autonomy (issue 18.4-5; the constituents' own and other organisation's cases:
    # test_constituent_requests_own_and_other_organisation below)
    ("request-list", "GET"): read(),
    ("request-list", "POST"): Access(frozenset({Role.CONSTITUENT})),
    ("request-detail", "GET"): read(),
    ("request-decide", "POST"): Access(EDITORS),
    ("autonomy-agreement-list", "GET"): read(),
    ("autonomy-agreement-list", "POST"): Access(frozenset({Role.CONSTITUENT}), body=lambda world, side: {
        "project": world.objects["autonomy-agreement"][OWN].project_id, "informed_on": "2000-05-01",
        "agrees": True}),
    ("autonomy-agreement-detail", "GET"): read(),
}

# What a constituent gets (issue 18.7), by endpoint; any endpoint not named here answers 403:
# - READ: 200 on a list; on an object of a project they see 200, else 404;
# - SCOPED: a write on an object of a project they see 403, else 404;
# - OWN_GROUP: allowed (2xx, or 400 for the empty body) on a cell of their group, 403 on another group's cell of a
#   project they see, 404 where they see nothing.
# - HIDDEN: 404 on every side (the object is one no constituent may read).
READ, SCOPED, OWN_GROUP, HIDDEN = "read", "scoped", "own group", "hidden"
CONSTITUENT_ACCESS = {
    **dict.fromkeys([("api-root", "GET"), ("api-schema", "GET"), ("api-swagger", "GET"), ("api-redoc", "GET"),
                     ("project-list", "GET"), ("project-detail", "GET"), ("project-partner-list", "GET"),
                     ("project-partner-detail", "GET"), ("tripartite-list", "GET"), ("tripartite-detail", "GET"),
                     ("result-list", "GET"), ("result-detail", "GET"), ("indicator-list", "GET"),
                     ("indicator-detail", "GET"), ("indicator-period-list", "GET"), ("indicator-period-detail", "GET"),
                     ("evaluation-list", "GET"), ("evaluation-detail", "GET"), ("lesson-list", "GET")],
                    READ),
    # the lesson of this world is validated for no project: no constituent reads it (tests/evaluation/
    # test_constituent_reads.py reads a validated lesson of a project they see)
    ("lesson-detail", "GET"): HIDDEN,
    **dict.fromkeys([("project-detail", "PUT"), ("project-detail", "PATCH"), ("project-status", "POST"),
                     ("project-revise-date", "POST"), ("project-partner-detail", "DELETE"),
                     ("tripartite-detail", "PUT"), ("tripartite-detail", "PATCH"), ("tripartite-answer", "POST"),
                     ("result-detail", "PUT"), ("result-detail", "PATCH"), ("indicator-detail", "PUT"),
                     ("indicator-detail", "PATCH"), ("indicator-period-detail", "PUT"),
                     ("indicator-period-detail", "PATCH"), ("indicator-period-revise-target", "POST")],
                    SCOPED),
    ("tripartite-report", "POST"): OWN_GROUP,
    ("tripartite-confirm", "POST"): OWN_GROUP,
}


class World:
    """A unit with an officer and a manager, another unit, and a record of every kind on each unit's project."""

    def __init__(self):
        self.unit = UnitFactory(code="AM-DAKAR")
        self.other_unit = UnitFactory(code="AM-LIMA")
        self.users = {
            OFFICER: UserFactory(username="am-officer", role=OFFICER, units=[self.unit]),
            MANAGER: UserFactory(username="am-manager", role=MANAGER, units=[self.unit]),
            EVALUATION: UserFactory(username="am-evaluator", role=EVALUATION),
            SECRETARIAT: UserFactory(username="am-secretariat", role=SECRETARIAT),
            ADMIN: UserFactory(username="am-admin", role=ADMIN),
        }
        home, abroad = CountryFactory(iso3="SEN", iso2="SN"), CountryFactory(iso3="PER", iso2="PE")
        self.project = {OWN: ProjectFactory(responsible_unit=self.unit, countries=[home]),
                        OTHER: ProjectFactory(responsible_unit=self.other_unit)}
        # Constituents: a workers' organisation of the own project's country (sees it: own country), and an
        # employers' organisation of another country, partner of the other project (sees it: own organisation).
        workers = OrganisationFactory(name="CNTS", kind="WORKERS", country=home)
        employers = OrganisationFactory(name="CONFIEP", kind="EMPLOYERS", country=abroad)
        ProjectPartner.objects.create(project=self.project[OTHER], organisation=employers, role="IMPLEMENTING")
        self.constituents = {
            "workers": UserFactory(username="am-workers", role=Role.CONSTITUENT, organisation=workers),
            "employers": UserFactory(username="am-employers", role=Role.CONSTITUENT, organisation=employers),
        }
        self.sees = {"workers": OWN, "employers": OTHER}
        self.organisation = OrganisationFactory()
        self.country = CountryFactory(iso3="NOR")
        rule = Rule.objects.get(code="PAST_END")
        self.tripartite, self.allocation, self.result, self.indicator, self.period, self.alert = ({}, {}, {}, {}, {},
                                                                                                  {})
        for side, project in self.project.items():
            self.tripartite[side] = TripartiteInvolvement.objects.create(project=project, stage="APPROVAL",
                                                                         group="WORKERS")
            self.allocation[side] = AllocationFactory(project=project, year=2000)
            self.result[side] = ResultFactory(project=project)
            self.indicator[side] = IndicatorFactory(result=self.result[side])
            self.period[side] = PeriodFactory(indicator=self.indicator[side])
            self.alert[side] = Alert.objects.create(project=project, rule=rule, period=2001, severity="AMBER",
                                                    raised_on=dt.date(2001, 10, 31))
        self.evaluation = EvaluationFactory(projects=[self.project[OWN]])
        single = {
            "objective": ObjectiveFactory(), "programme": ProgrammeFactory(), "funding-source": FundingSourceFactory(),
            "input-type": InputTypeFactory(), "convention": Convention.objects.create(number=9001, title="Matrix"),
            "organisation": self.organisation, "unit": self.unit, "region": self.project[OWN].region,
            "country": CountryFactory(), "expenditure": ExpenditureFactory(project=self.project[OWN]),
            "exchange-rate": ExchangeRate.objects.create(currency="EUR", period=dt.date(2000, 1, 1),
                                                         units_per_usd="0.9"),
            "delivery": self.project[OWN], "evaluation": self.evaluation,
            "recommendation": RecommendationFactory(evaluation=self.evaluation), "lesson": LessonFactory(),
        }
        self.objects = {basename: {OWN: obj} for basename, obj in single.items()}
        for basename, records in (("project", self.project), ("tripartite", self.tripartite),
                                  ("allocation", self.allocation), ("result", self.result),
                                  ("indicator", self.indicator), ("indicator-period", self.period),
                                  ("alert", self.alert)):
            self.objects[basename] = records
        programme = constituent_requests.autonomous_project(self.country, responsible_unit=self.unit)
        self.objects["request"] = {OWN: constituent_requests.assistance_request()}
        self.objects["autonomy-agreement"] = {OWN: AutonomyAgreement.objects.create(
            project=programme, country=self.country, informed_on=dt.date(2000, 5, 1), agrees=True,
            organisation=OrganisationFactory(kind="GOVERNMENT", country=self.country), recorded_at=timezone.now())}

    def target(self, basename: str, side: str):
        if basename == "project-partner":
            # Deleting is among the checks: each request gets a partner of its own to remove.
            return ProjectPartner.objects.create(project=self.project[side], organisation=OrganisationFactory(),
                                                 role="IMPLEMENTING")
        self.records_made = getattr(self, "records_made", 0) + 1
        day = dt.date(1990, 1, 1) + dt.timedelta(days=self.records_made)
        if basename == "expert":  # deleting is among the checks: a fresh record per request
            return ExpertAssignment.objects.create(project=self.project[side], nationality=self.country, year=2001,
                                                   work_months=Decimal(2))
        if basename == "training":
            return TrainingActivity.objects.create(project=self.project[side], title="Course", start_date=day,
                                                   end_date=day)
        if basename == "progress-report":
            return ProgressReport.objects.create(project=self.project[side], period_end=day, due_date=day)
        if basename == "approval":
            # Deleting is among the checks too: a fresh approval per request (a date of its own).
            self.approvals_made = getattr(self, "approvals_made", 0) + 1
            return approval_create(project=self.project[side], donor=self.organisation,
                                   date=dt.date(1990, 1, 1) + dt.timedelta(days=self.approvals_made),
                                   amount=Decimal("100.00"))
        return self.objects[basename][side]


def detail_routes() -> dict[str, str]:
    """URL name → basename, for the router's routes about one object (their URL takes its pk)."""
    return {route.name.format(basename=basename): basename
            for _prefix, viewset, basename in router.registry for route in router.get_routes(viewset) if route.detail}


DETAIL_ROUTES = detail_routes()


def url_of(world: World, name: str, side: str) -> str:
    if name in DETAIL_ROUTES:
        return reverse(name, kwargs={"pk": world.target(DETAIL_ROUTES[name], side).pk})
    return reverse(name)


def call(client: APIClient, method: str, url: str, access: Access, world: World, side: str):
    if method == "GET":
        return client.get(url, access.params)
    body = access.body(world, side) if access.body else {}
    return getattr(client, method.lower())(url, body, format="json")


def endpoint_id(key) -> str:
    name, method = key
    return f"{name}:{method}"


def client_for(user=None) -> APIClient:
    client = APIClient()
    client.raise_request_exception = False  # a server error is an answer to report with the others, as a 500
    if user is not None:
        client.force_authenticate(user)
    return client


def test_every_api_endpoint_is_declared():
    endpoints = all_endpoints()
    missing = sorted(endpoint_id(key) for key in set(endpoints) - set(MATRIX))
    assert not missing, f"API endpoints without a declared permission in MATRIX: {missing}"
    stale = sorted(endpoint_id(key) for key in set(MATRIX) - set(endpoints))
    assert not stale, f"MATRIX declares API endpoints that no longer exist: {stale}"
    assert set(MATRIX) >= PUBLIC


def test_the_enumeration_sees_every_kind_of_route():
    """The generator itself: standard actions, detail and collection @actions, and the URLs outside the router."""
    endpoints = all_endpoints()
    assert endpoints[("project-detail", "PATCH")] == "partial_update"
    assert endpoints[("project-partner-detail", "DELETE")] == "destroy"
    assert endpoints[("project-revise-date", "POST")] == "revise_date"
    assert endpoints[("allocation-bulk-import", "POST")] == "bulk_import"
    assert ("project-detail", "DELETE") not in endpoints  # projects are not deleted through the API
    assert {("api-schema", "GET"), ("iati-activities", "GET"), ("api-root", "GET")} <= set(endpoints)


shared_world = shared_data.module_fixture(World, name="shared_world")


@pytest.fixture
def world(shared_world, db, request):
    # Built once for the module; each test gets it as built and its writes are undone (tests/shared_data.py).
    return shared_world.for_test(request)


@pytest.mark.parametrize("key", sorted(MATRIX), ids=endpoint_id)
def test_anonymous(world, key):
    name, method = key
    access = MATRIX[key]
    response = call(client_for(), method, url_of(world, name, OWN), access, world, OWN)
    where = f"{name} {method} anonymous"
    if key in PUBLIC:
        assert response.status_code == 200, f"{where}: {response.status_code}, a public endpoint"
    else:
        assert response.status_code in (401, 403), f"{where}: {response.status_code}, expected 401/403"


def _verdict(response, method: str, allowed: bool) -> str | None:
    """None when the answer is the expected one, else what is wrong with it."""
    code = response.status_code
    if code >= 500:
        return f"{code}, a server error"
    if not allowed:
        return None if code == 403 else f"{code}, expected 403"
    if method == "GET":
        return None if code == 200 else f"{code}, expected 200"
    return None if code in ALLOWED_WRITE_ANSWERS else f"{code}, expected one of {sorted(ALLOWED_WRITE_ANSWERS)}"


@pytest.mark.parametrize("key", sorted(MATRIX), ids=endpoint_id)
def test_each_role_own_and_other_unit(world, key):
    name, method = key
    access = MATRIX[key]
    sides = {OWN: access.allowed} if access.other is None else {OWN: access.allowed, OTHER: access.other}
    wrong = []
    for role, user in world.users.items():
        client = client_for(user)
        for side, allowed in sides.items():
            response = call(client, method, url_of(world, name, side), access, world, side)
            problem = _verdict(response, method, role in allowed)
            if problem:
                where = f" on the {side} unit's object" if access.other is not None else ""
                wrong.append(f"{name} {method} as {role}{where}: {problem} {getattr(response, 'data', '')!r:.200}")
    assert not wrong, "\n".join(wrong)


def _sides(world: World, name: str) -> tuple[str, ...]:
    """Both projects' objects where the endpoint has one on each side; the one object otherwise."""
    if name not in DETAIL_ROUTES:
        return (OWN,)
    objects = world.objects.get(DETAIL_ROUTES[name])
    return (OWN,) if objects is not None and OTHER not in objects else (OWN, OTHER)


def _constituent_expected(kind: str, name: str, sees: bool, own_group: bool) -> set[int]:
    if kind == READ:
        return {200} if sees or name not in DETAIL_ROUTES else {404}
    if kind == SCOPED:
        return {403} if sees else {404}
    if kind == HIDDEN:
        return {404}
    if kind == OWN_GROUP:
        return ALLOWED_WRITE_ANSWERS if sees and own_group else {403} if sees else {404}
    return {403}


# Requests and autonomy agreements belong to an organisation, not to a project's unit: their constituents' cases are
# test_constituent_requests_own_and_other_organisation's.
ORGANISATION_ROUTES = {"request-list", "request-detail", "request-decide", "autonomy-agreement-list",
                       "autonomy-agreement-detail"}


@pytest.mark.parametrize("key", sorted(key for key in MATRIX if key[0] not in ORGANISATION_ROUTES), ids=endpoint_id)
def test_constituents_own_and_other_organisation_and_country(world, key):
    """A workers' organisation of the own project's country, an employers' organisation of another country that is
    a partner of the other project: each reads only those projects' records and changes nothing but their own
    group's cells (the cells here are the workers')."""
    name, method = key
    access, kind = MATRIX[key], CONSTITUENT_ACCESS.get(key)
    wrong = []
    for who, user in world.constituents.items():
        client = client_for(user)
        for side in _sides(world, name):
            response = call(client, method, url_of(world, name, side), access, world, side)
            expected = _constituent_expected(kind, name, world.sees[who] == side, who == "workers")
            if response.status_code not in expected:
                wrong.append(f"{name} {method} as the {who} on the {side} project's object: {response.status_code},"
                             f" expected {sorted(expected)} {getattr(response, 'data', '')!r:.200}")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- constituents' requests and autonomy (issue 18.4-5)


def test_constituent_requests_own_and_other_organisation(db):
    """The workers on their organisation's request and the employers (another organisation) on it; the government
    of a programme's country, the workers of that country and another country's employers on its agreement."""
    from tests.constituents import Portfolio

    portfolio = Portfolio()
    request = constituent_requests.assistance_request(portfolio.workers)
    detail, decide = reverse("request-detail", args=[request.pk]), reverse("request-decide", args=[request.pk])
    workers, employers = client_for(portfolio.users["workers"]), client_for(portfolio.users["employers"])
    assert workers.get(detail).status_code == 200 and employers.get(detail).status_code == 404
    assert [row["id"] for row in workers.get(reverse("request-list")).data["results"]] == [request.pk]
    assert employers.get(reverse("request-list")).data["results"] == []
    assert workers.post(decide, {"decision": "accepted"}, format="json").status_code == 403
    assert employers.post(decide, {"decision": "accepted"}, format="json").status_code == 404
    created = employers.post(reverse("request-list"), {
        "title": "Skills", "description": "Apprenticeships", "strategic_objective": ObjectiveFactory().pk,
        "country": "PER", "groups": ["EMPLOYERS"]}, format="json")
    assert created.status_code == 201 and created.data["organisation_id"] == portfolio.employers.pk
    programme = constituent_requests.autonomous_project(portfolio.senegal)
    body = {"project": programme.pk, "informed_on": "2000-05-01", "agrees": True}
    for who, expected in (("workers", 403), ("employers", 403), ("government", 201)):
        answer = client_for(portfolio.users[who]).post(reverse("autonomy-agreement-list"), body, format="json")
        assert answer.status_code == expected, f"autonomy as {who}: {answer.status_code}"
    listed = client_for(portfolio.users["employers"]).get(reverse("autonomy-agreement-list")).data["results"]
    assert listed == []  # Peru's employers do not see Senegal's programme
