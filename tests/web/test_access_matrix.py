"""Who may open which page, generated from the URL configuration.

Every named URL (outside admin/ and api/, which have their own checks, and the public pages) must be declared in
MATRIX with the roles allowed; a page added without a declaration fails test_every_page_is_declared. Each page is
then requested anonymously (must be sent to the login page or refused) and as each role: allowed roles must get a
real answer (not 403, 404 or 405), the others 403 (or, for pages of something only its owner may know of, such as
an import job, 404). Pages that change a project are tried on a project of the user's own unit and on one of
another unit.

The import pages change many projects at once, so IMPORTS declares who may import what, row by row: each role
uploads a file whose row is of the own unit's project, then one of the other unit's, and confirms it. Accepted:
the confirmation writes. Refused: 403 (a role that may not import that kind at all) or the preview names row 2 and
its project column, and nothing is written.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role
from alerts.models import Alert, DigestSend, Rule
from core.models import ImportJob, ImportJobStatus
from delivery.models import Allocation, ExchangeRate, Expenditure
from delivery.services import approval_create
from evaluation.models import RequiredEvaluationRule
from home.navigation import navigation_for
from projects.models import Project, ProjectPartner, TripartiteInvolvement
from reports.models import ImplementationPlan, ReportRequest
from tests import constituent_requests, import_flow, shared_data
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
    InputTypeFactory,
    OrganisationFactory,
    ProjectFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OFFICER, MANAGER, EVALUATION, SECRETARIAT, ADMIN = (Role.OFFICER, Role.MANAGER, Role.EVALUATION, Role.SECRETARIAT,
                                                    Role.ADMIN)
CONSTITUENT = Role.CONSTITUENT  # here a workers' organisation of the own project's country
STAFF = frozenset(Role.values) - {CONSTITUENT}
ALL = frozenset(Role.values)
EDITORS = frozenset({OFFICER, MANAGER, ADMIN})  # on a project of their own unit
ADMINS = frozenset({ADMIN})
EVALUATORS = frozenset({EVALUATION, ADMIN})
IMPORTERS = frozenset({OFFICER, MANAGER, ADMIN})

# Pages anyone may open, signed in or not.
PUBLIC = {"login", "logout", "healthz", "readyz", "set_language", "favicon"}
EXCLUDED_PREFIXES = ("admin/", "api/", "static/")


@dataclass(frozen=True)
class Page:
    allowed: frozenset
    kwargs: Callable = lambda f: {}  # noqa: E731 - fixtures → URL kwargs (own unit's objects)
    other: frozenset | None = None  # roles allowed on the other unit's objects; None: not unit-dependent
    other_kwargs: Callable | None = None
    method: str = "get"
    data: dict | None = None
    refused: int | dict = 403  # the answer to a role not allowed (or {role: answer}, 403 for the others)


def own(attr, key="pk"):
    return lambda f: {key: getattr(f, attr).pk}


def project_page(**kwargs):
    return Page(EDITORS, lambda f: {"pk": f.own_project.pk, **kwargs}, other=ADMINS,
                other_kwargs=lambda f: {"pk": f.other_project.pk, **kwargs})


def child_page(own_attr, other_attr, key="pk"):
    return Page(EDITORS, own(own_attr, key), other=ADMINS, other_kwargs=own(other_attr, key))


MATRIX: dict[str, Page] = {
    "home": Page(ALL),
    "password_change": Page(ALL),
    "password_change_done": Page(ALL),
    "api_token": Page(ALL),  # the token's old address: leads to the profile page
    "profile": Page(ALL),  # each signed-in user: name, language, digest, units, their own REST API token
    # the constituents' workspace (home/constituents.py; a constituent opens only these pages and the above): a
    # project they may see (own country) and one they may not (404); staff see every project there too
    "constituent_project": Page(ALL, own("own_project"), other=STAFF, other_kwargs=own("other_project"),
                                refused=404),
    "projects:involvement_report": Page(frozenset({CONSTITUENT}), own("own_cell"), other=frozenset(),
                                        other_kwargs=own("other_cell"), refused={CONSTITUENT: 404}),
    "projects:involvement_confirm": Page(EDITORS | {CONSTITUENT}, own("own_cell"), other=ADMINS,
                                         other_kwargs=own("other_cell"), method="post",
                                         refused={CONSTITUENT: 404}),
    "projects:involvement_answer": child_page("own_cell", "other_cell"),
    # the register
    "projects:list": Page(STAFF),
    "projects:export": Page(STAFF),
    "projects:create": Page(EDITORS),
    "projects:detail": Page(STAFF, own("own_project")),
    "projects:edit": project_page(),
    "projects:status": project_page(),
    "projects:revise_date": project_page(),
    "projects:records": project_page(kind="experts"),
    "projects:import": Page(IMPORTERS),
    "projects:import_template": Page(STAFF),
    "projects:records_import": Page(IMPORTERS),
    "projects:records_template": Page(STAFF, lambda f: {"kind": "experts"}),
    "projects:organisation_create": Page(EDITORS),  # ?project= asks the project's edit rule (tests/partners)
    # delivery
    "delivery:dashboard": Page(STAFF),
    "delivery:project": Page(STAFF, own("own_project")),
    "delivery:import": Page(IMPORTERS),
    "delivery:template": Page(STAFF, lambda f: {"kind": "allocations"}),
    "delivery:approval_create": project_page(),
    "delivery:approval_edit": child_page("own_approval", "other_approval"),
    "delivery:approval_delete": child_page("own_approval", "other_approval"),
    # early warning
    "alerts:list": Page(STAFF),
    "alerts:detail": Page(STAFF, own("own_alert")),
    "alerts:action": Page(EDITORS, lambda f: {"pk": f.own_alert.pk, "action": "acknowledge"}, other=ADMINS,
                          other_kwargs=lambda f: {"pk": f.other_alert.pk, "action": "acknowledge"}, method="post"),
    "alerts:project": Page(STAFF, own("own_project", "project_id")),
    "alerts:slippage": Page(STAFF),
    "alerts:run": Page(ADMINS),
    "alerts:mail": Page(ADMINS),
    "alerts:mail_detail": Page(ADMINS, own("digest")),
    "alerts:rules": Page(ADMINS),
    "alerts:rule_edit": Page(ADMINS, lambda f: {"code": "PAST_END"}),
    # results and evaluation
    "evaluation:plan": Page(STAFF),
    "evaluation:propose": Page(EVALUATORS, method="post"),
    "evaluation:dashboard": Page(STAFF),
    "evaluation:create": Page(EVALUATORS),
    "evaluation:detail": Page(STAFF, own("evaluation")),
    "evaluation:edit": Page(EVALUATORS, own("evaluation")),
    "evaluation:report": Page(STAFF, own("evaluation")),  # the report file: whoever reads the evaluation
    "evaluation:recommendation_create": Page(EVALUATORS, own("evaluation")),
    "evaluation:recommendation_edit": Page(EVALUATORS, own("recommendation")),
    "evaluation:response_edit": Page(EVALUATORS, own("recommendation")),
    "evaluation:follow_up": Page(EVALUATORS, own("recommendation")),
    "evaluation:project_results": Page(STAFF, own("own_project", "project_pk")),
    "evaluation:result_create": child_page("own_project", "other_project", "project_pk"),
    "evaluation:result_edit": child_page("own_result", "other_result"),
    "evaluation:indicator_create": child_page("own_result", "other_result"),
    "evaluation:indicator_edit": child_page("own_indicator", "other_indicator"),
    "evaluation:baseline_create": child_page("own_indicator", "other_indicator"),
    "evaluation:period_create": child_page("own_indicator", "other_indicator"),
    "evaluation:period_edit": child_page("own_period", "other_period"),
    "evaluation:target_revise": child_page("own_period", "other_period"),
    "evaluation:required_rules": Page(STAFF),
    "evaluation:required_rule_create": Page(EVALUATORS),
    "evaluation:required_rule_edit": Page(EVALUATORS, own("required_rule")),
    "evaluation:lessons": Page(STAFF),
    "evaluation:lesson_create": Page(EVALUATORS),
    "evaluation:lesson_detail": Page(STAFF, own("lesson")),
    "evaluation:lesson_edit": Page(EVALUATORS, own("lesson")),
    # Governing Body reports: everyone reads them; requesting them and planning is for those who export
    "reports:list": Page(STAFF),
    "reports:detail": Page(STAFF, own("report")),
    "reports:download": Page(STAFF, own("report")),
    "reports:plans": Page(STAFF),
    "reports:plan": Page(STAFF, own("plan")),
    "reports:milestone_add": Page(frozenset({MANAGER, EVALUATION, SECRETARIAT, ADMIN}), own("plan"), method="post"),
    "reports:milestone_edit": Page(frozenset({MANAGER, EVALUATION, SECRETARIAT, ADMIN}), own("milestone")),
    # an import job (here the officer's): its owner and administrators see it, only its owner acts on it
    # (a constituent: 403, as on every page outside their workspace)
    "import_job": Page(frozenset({OFFICER, ADMIN}), own("job"), refused=dict.fromkeys(STAFF, 404)),
    "import_job_confirm": Page(frozenset({OFFICER}), own("job"), method="post", refused=dict.fromkeys(STAFF, 404)),
    "import_job_cancel": Page(frozenset({OFFICER}), own("job"), method="post", refused=dict.fromkeys(STAFF, 404)),
    # constituents' requests and governments' agreement to autonomy (issue 18.4-5; the constituents' own and other
    # organisation's cases: test_constituent_request_pages_own_and_other_organisation below)
    "projects:requests": Page(ALL - {Role.CONSTITUENT}),
    "projects:my_requests": Page(frozenset({Role.CONSTITUENT})),
    "projects:request_create": Page(frozenset({Role.CONSTITUENT})),
    # a constituent: their organisation's request, another's 404 (test_constituent_request_pages_own_and_other...)
    "projects:request_detail": Page(STAFF, own("assistance_request"), refused={CONSTITUENT: 404}),
    "projects:request_decide": Page(EDITORS, own("assistance_request")),
    # a constituent: the programme's countries' constituents see it (their government records), others 404
    "projects:autonomy": Page(STAFF, own("autonomous_project"), refused={CONSTITUENT: 404}),
}


def _walk(patterns, namespaces=(), prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            spaces = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from _walk(pattern.url_patterns, spaces, route)
        elif isinstance(pattern, URLPattern):
            yield (":".join((*namespaces, pattern.name)) if pattern.name else None), route


def declared_urls() -> dict[str, str]:
    """url name → route of every page the matrix must cover."""
    pages = {}
    for name, route in _walk(get_resolver().url_patterns):
        if route.startswith(EXCLUDED_PREFIXES) or name in PUBLIC:
            continue
        assert name is not None, f"the page {route!r} has no URL name, so no permission can be declared for it"
        pages[name] = route
    return pages


def test_every_page_is_declared():
    pages = declared_urls()
    missing = sorted(set(pages) - set(MATRIX))
    assert not missing, f"pages without a declared permission in MATRIX: {missing}"
    stale = sorted(set(MATRIX) - set(pages))
    assert not stale, f"MATRIX declares pages that no longer exist: {stale}"


class World:
    pass


def build_world() -> World:
    """A project in the officer's (and manager's) unit, one in another unit, and records hanging from each."""
    f = World()
    f.unit = UnitFactory(code="CO-DAKAR")
    f.other_unit = UnitFactory(code="CO-LIMA")
    f.users = {
        OFFICER: UserFactory(username="m-officer", role=OFFICER, units=[f.unit]),
        MANAGER: UserFactory(username="m-manager", role=MANAGER, units=[f.unit]),
        EVALUATION: UserFactory(username="m-evaluator", role=EVALUATION),
        SECRETARIAT: UserFactory(username="m-secretariat", role=SECRETARIAT),
        ADMIN: UserFactory(username="m-admin", role=ADMIN),
    }
    f.country, f.other_country = CountryFactory(iso3="SEN", iso2="SN"), CountryFactory(iso3="PER", iso2="PE")
    f.workers = OrganisationFactory(name="CNTS", kind="WORKERS", country=f.country)
    f.employers = OrganisationFactory(name="CONFIEP", kind="EMPLOYERS", country=f.other_country)
    f.users[CONSTITUENT] = UserFactory(username="m-workers", role=CONSTITUENT, organisation=f.workers)
    f.employer = UserFactory(username="m-employers", role=CONSTITUENT, organisation=f.employers)
    f.own_project = ProjectFactory(responsible_unit=f.unit, countries=[f.country])
    f.other_project = ProjectFactory(responsible_unit=f.other_unit)
    # The employers' organisation is a partner of the other project: they see it (own organisation), not the
    # own project (another country).
    ProjectPartner.objects.create(project=f.other_project, organisation=f.employers, role="IMPLEMENTING")
    f.own_cell, f.other_cell = (TripartiteInvolvement.objects.create(project=p, stage="APPROVAL", group="WORKERS")
                                for p in (f.own_project, f.other_project))
    f.projects = {"own": f.own_project, "other": f.other_project}
    InputTypeFactory(code="EXPERTS")
    rule = Rule.objects.get(code="PAST_END")
    f.own_alert, f.other_alert = (
        Alert.objects.create(project=p, rule=rule, period=2001, severity="AMBER", raised_on=dt.date(2001, 10, 31))
        for p in (f.own_project, f.other_project))
    f.digest = DigestSend.objects.create(recipient=f.users[MANAGER], frequency="DAILY", period_key="2001-10-31")
    f.evaluation = EvaluationFactory(projects=[f.own_project])
    f.evaluation.report.save("report.pdf", ContentFile(b"%PDF-1.4"), save=True)
    f.recommendation = RecommendationFactory(evaluation=f.evaluation)
    f.lesson = LessonFactory()
    f.required_rule = RequiredEvaluationRule.objects.create(min_budget_usd=Decimal("500000"), type="INDEPENDENT",
                                                            timing="FINAL")
    f.plan = ImplementationPlan.objects.create(title="Plan", start_date=dt.date(2000, 1, 1),
                                               end_date=dt.date(2001, 12, 31))
    f.milestone = f.plan.milestones.create(title="Milestone", owner="PARDEV", due_date=dt.date(2001, 6, 30))
    f.report = ReportRequest(kind="annual", year=2000, format="csv", language="en", status="DONE")
    f.report.file.save("annual.zip", ContentFile(b"PK"), save=True)
    f.job = ImportJob.objects.create(
        kind="rates", owner=f.users[OFFICER], file_name="rates.csv", status=ImportJobStatus.READY,
        stored_name=storages["private"].save("imports/rates.csv", ContentFile(b"currency,period,units_per_usd\n")))
    for side, project in (("own", f.own_project), ("other", f.other_project)):
        result = ResultFactory(project=project)
        indicator = IndicatorFactory(result=result)
        setattr(f, f"{side}_result", result)
        setattr(f, f"{side}_indicator", indicator)
        setattr(f, f"{side}_period", PeriodFactory(indicator=indicator, target=Decimal("10")))
        setattr(f, f"{side}_approval", approval_create(project=project, donor=OrganisationFactory(),
                                                       date=dt.date(2001, 2, 1), amount=Decimal("100")))
    f.assistance_request = constituent_requests.assistance_request()
    f.autonomous_project = constituent_requests.autonomous_project(responsible_unit=f.unit)
    return f


shared_world = shared_data.module_fixture(build_world, name="shared_world")


@pytest.fixture
def world(shared_world, db, request):
    """build_world()'s, built once for the module; each test gets it as built (tests/shared_data.py)."""
    return shared_world.for_test(request)


def _request(client, page: Page, url: str):
    if page.method == "post":
        return client.post(url, page.data or {})
    return client.get(url)


def _check(client, page: Page, url: str, role, allowed: frozenset):
    response = _request(client, page, url)
    where = f"{url} as {role}"
    assert response.status_code < 500, where
    if role in allowed:
        assert response.status_code not in (403, 404, 405), f"{where}: {response.status_code}, expected allowed"
        if response.status_code == 302:
            assert "/accounts/login/" not in response.url, where
    else:
        refused = page.refused.get(role, 403) if isinstance(page.refused, dict) else page.refused
        assert response.status_code == refused, f"{where}: {response.status_code}, expected {refused}"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_page_access_by_role(client, world, name):
    page = MATRIX[name]
    url = reverse(name, kwargs=page.kwargs(world))
    anonymous = _request(client, page, url)
    assert anonymous.status_code == 403 or (
        anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))), f"{url} anonymous"
    other_url = reverse(name, kwargs=page.other_kwargs(world)) if page.other_kwargs else None
    for role, user in world.users.items():
        client.force_login(user)
        _check(client, page, url, role, page.allowed)
        if other_url:
            _check(client, page, other_url, role, page.other)


@pytest.mark.parametrize("role", Role.values)
def test_navigation_offers_only_pages_the_role_may_open(client, world, role):
    user = world.users[role]
    client.force_login(user)
    offered = navigation_for(user)
    assert offered and offered[0]["name"] == "home"
    for item in offered:
        if item["name"] in MATRIX:
            assert role in MATRIX[item["name"]].allowed, f"{item['name']} offered to {role}"
            assert client.get(item["url"]).status_code == 200, item["url"]
    home = client.get(reverse("home")).content.decode()
    for name, page in MATRIX.items():
        if role not in page.allowed and page.method == "get" and not page.kwargs(world):
            assert f'href="{reverse(name)}"' not in home, f"home offers {name} to {role}"


# ---------------------------------------------------------------- constituents: own/other organisation and country


@pytest.mark.parametrize(("who", "side", "expected"), [
    ("workers", "own", 200),  # the project works in their country
    ("workers", "other", 404),  # another country, their organisation takes no part
    ("employers", "other", 200),  # their organisation is a partner, in another country
    ("employers", "own", 404),  # another country, their organisation takes no part
])
def test_constituent_sees_projects_of_their_country_or_organisation(client, world, who, side, expected):
    client.force_login(world.users[CONSTITUENT] if who == "workers" else world.employer)
    project = world.own_project if side == "own" else world.other_project
    assert client.get(reverse("constituent_project", args=[project.pk])).status_code == expected
    cell = world.own_cell if side == "own" else world.other_cell
    # Reporting: only on a cell of their own group (workers) on a project they see; 404 where they see nothing.
    report = client.get(reverse("projects:involvement_report", args=[cell.pk])).status_code
    assert report == (404 if expected == 404 else 200 if who == "workers" else 403)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_a_constituent_changes_nothing_but_their_reports_and_profile(client, world, name):
    """Every page that writes (POST) refuses a constituent unless it is one of their own pages."""
    client.force_login(world.users[CONSTITUENT])
    page = MATRIX[name]
    url = reverse(name, kwargs=page.kwargs(world))
    writes_allowed = {"projects:involvement_report", "projects:involvement_confirm", "profile", "password_change",
                      "home", "api_token", "password_change_done", "constituent_project", "projects:request_create"}
    if name not in writes_allowed:
        assert client.post(url, {}).status_code in (403, 404, 405), name


# ---------------------------------------------------------------- imports, row by row


@dataclass(frozen=True)
class Import:
    page: str  # URL name of the import page
    kind: str | None  # the financial kind (the delivery page's radio), None for the project register
    column: str  # the column naming the row's project
    allowed: frozenset  # roles whose file of the own unit's project is imported
    other: frozenset  # roles whose file of the other unit's project is imported
    file: Callable  # (project, n) → the file's bytes; n makes each upload's values its own
    written: Callable  # (project, n) → whether the file's row is in the database


def _project_file(project, n) -> bytes:
    header = ("symbol,title,status,start_date,end_date,strategic_objective,infocus_programme,region,countries,"
              "funding_source,donor,responsible_unit,gender_marker")
    row = (f"{project.symbol},Imported {n},{project.status},2000-01-01,2001-12-31,2,SKILLS,AFRICA,,XBTC,,"
           f"{project.responsible_unit.code},1")
    return f"{header}\n{row}\n".encode()


IMPORTS: dict[str, Import] = {
    "projects": Import(
        "projects:import", None, "symbol", IMPORTERS, ADMINS, _project_file,
        lambda p, n: Project.objects.filter(pk=p.pk, title=f"Imported {n}").exists()),
    "allocations": Import(
        "delivery:import", "allocations", "project_symbol", IMPORTERS, ADMINS,
        lambda p, n: f"project_symbol,year,funding_source,amount_usd\n{p.symbol},2000,XBTC,{n}\n".encode(),
        lambda p, n: Allocation.objects.filter(project=p, year=2000, amount_usd=n).exists()),
    "expenditure": Import(
        "delivery:import", "expenditure", "project_symbol", IMPORTERS, ADMINS,
        lambda p, n: f"project_symbol,period,input_type,currency,amount\n{p.symbol},2000-01,EXPERTS,USD,{n}\n".encode(),
        lambda p, n: Expenditure.objects.filter(project=p, amount=n).exists()),
    # Reference data: no project in the file, so the same answer on both sides.
    "rates": Import(
        "delivery:import", "rates", "", ADMINS, ADMINS,
        lambda p, n: f"currency,period,units_per_usd\nEUR,2000-01,{n}\n".encode(),
        lambda p, n: ExchangeRate.objects.filter(currency="EUR", units_per_usd=n).exists()),
}


def _import(client, capture, case: Import, project, n: int):
    """Upload (the job's check), then confirm: the answer (403, or the job's page) and whether the row got in."""
    data = {"file": SimpleUploadedFile("matrix.csv", case.file(project, n))}
    if case.kind is not None:
        data["kind"] = case.kind
    with capture(execute=True):
        response = client.post(reverse(case.page), data)
    if response.status_code != 302:
        return response, None, case.written(project, n)
    page = client.get(response.url)
    job = page.context["job"]
    if job.status == ImportJobStatus.READY:
        import_flow.confirm(client, capture, job)
        job.refresh_from_db()
    return page, job, case.written(project, n)


@pytest.mark.parametrize("name", sorted(IMPORTS))
def test_import_rows_by_role_own_and_other_unit(client, world, name, django_capture_on_commit_callbacks):
    case = IMPORTS[name]
    wrong, n = [], 0
    for role, user in world.users.items():
        client.force_login(user)
        for side, allowed in (("own", case.allowed), ("other", case.other)):
            n += 1
            preview, job, written = _import(client, django_capture_on_commit_callbacks, case, world.projects[side], n)
            where = f"{name} of the {side} unit's project as {role}"
            if role in allowed:
                if not written:
                    wrong.append(f"{where}: not imported ({preview.status_code})")
                continue
            if written:
                wrong.append(f"{where}: imported, expected refused")
            if preview.status_code == 403:
                continue
            errors = job.preview.get("errors", []) if job is not None else []
            if [(e["row"], e["column"]) for e in errors] != [(2, case.column)]:
                wrong.append(f"{where}: {preview.status_code}, expected 403 or the refusal of row 2 ({errors})")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- constituents' requests and autonomy (issue 18.4-5)

# page → (answer to the workers on their organisation's request, to the employers: another organisation's), on the
# workers' request; the autonomy page is asked about a programme in Senegal (the workers' and government's country).
CONSTITUENT_REQUEST_PAGES = {
    "projects:requests": (403, 403),  # the Office's review list
    "projects:my_requests": (200, 200),
    "projects:request_create": (200, 200),
    "projects:request_detail": (200, 404),
    "projects:request_decide": (403, 403),  # a staff page: outside every constituent's workspace
}


def test_constituent_request_pages_own_and_other_organisation(client):
    from tests.constituents import Portfolio

    portfolio = Portfolio()
    request = constituent_requests.assistance_request(portfolio.workers)
    for name, (own_answer, other_answer) in CONSTITUENT_REQUEST_PAGES.items():
        url = reverse(name, kwargs={"pk": request.pk} if name in ("projects:request_detail",
                                                                     "projects:request_decide") else {})
        for who, expected in (("workers", own_answer), ("employers", other_answer)):
            client.force_login(portfolio.users[who])
            assert client.get(url).status_code == expected, f"{name} as {who}"
    programme = constituent_requests.autonomous_project(portfolio.senegal)
    url = reverse("projects:autonomy", kwargs={"pk": programme.pk})
    body = {"informed_on": "2000-05-01", "agrees": "yes"}
    # the government of its country records; the workers of that country see it; Peru's employers do not
    for who, seen, posted in (("government", 200, 302), ("workers", 200, 403), ("employers", 404, 404)):
        client.force_login(portfolio.users[who])
        assert client.get(url).status_code == seen, f"autonomy as {who}"
        assert client.post(url, body).status_code == posted, f"autonomy posted as {who}"
