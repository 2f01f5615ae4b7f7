"""Constituents' requests for assistance (issue 18.4): submit → review → decline with a reason, or accept → link to
the project → the project is demand-driven; the register's filter, `delivery_table --by demand_driven` and the
annual report's table; who may read and decide (404 for another organisation's request, 403 for a constituent
deciding); the pages (my requests, the form, the review list with filters, sorting and pagination, the decision)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from delivery.selectors import delivery_by
from delivery.services import rebuild_year_delivery
from projects import services
from projects.constituent_selectors import demand_driven
from projects.filters import ProjectFilterSet
from projects.models import AssistanceRequest, Project, RequestStatus
from tests.constituents import Portfolio
from tests.delivery.factories import AllocationFactory
from tests.factories import ObjectiveFactory, UserFactory
from tests.security.html_checks import inline_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio():
    return Portfolio()


@pytest.fixture
def objective():
    return ObjectiveFactory(code="1")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def submit(portfolio, objective, who="workers", title="Social dialogue in ports") -> AssistanceRequest:
    return services.request_submit(user=portfolio.users[who], title=title, description="Dockers' committees",
                                   strategic_objective=objective, country=portfolio.senegal,
                                   groups=["WORKERS", "EMPLOYERS"])


def body(portfolio, objective, **extra) -> dict:
    return {"title": "Labour inspection", "description": "Train inspectors", "strategic_objective": objective.pk,
            "country": "SEN", "groups": ["GOVERNMENT", "WORKERS"], **extra}


# ---------------------------------------------------------------- lifecycle


def test_submit_review_decline_with_a_reason(portfolio, objective):
    answer = api(portfolio.users["government"]).post(reverse("request-list"), body(portfolio, objective),
                                                     format="json")
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert (data["status"], data["organisation"], data["country"], sorted(data["groups"])) == (
        "received", portfolio.government.name, "SEN", ["GOVERNMENT", "WORKERS"])
    assistance_request = AssistanceRequest.objects.get(pk=data["id"])
    assert assistance_request.submitted_by == portfolio.users["government"]

    officer = portfolio.officer
    decide = reverse("request-decide", args=[assistance_request.pk])
    assert api(officer).post(decide, {"decision": "under_review"}, format="json").json()["status"] == "under_review"
    refused = api(officer).post(decide, {"decision": "declined"}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()
    declined = api(officer).post(decide, {"decision": "declined", "reason": "No funds this biennium"}, format="json")
    assert declined.status_code == 200, declined.content
    assert (declined.json()["status"], declined.json()["decline_reason"]) == ("declined", "No funds this biennium")
    again = api(officer).post(decide, {"decision": "accepted"}, format="json")
    assert again.status_code == 400 and "decision" in again.json()
    history = list(assistance_request.history.order_by("history_date", "history_id")
                   .values_list("status", "history_change_reason", "history_user__username"))
    assert history == [("received", "Submitted", "c-government"), ("under_review", "Under review", "c-officer"),
                       ("declined", "No funds this biennium", "c-officer")]


def test_accept_link_to_the_project_which_becomes_demand_driven(portfolio, objective, client):
    assistance_request = submit(portfolio, objective)
    project = portfolio.sen_project
    assert not Project.objects.filter(demand_driven(), pk=project.pk).exists()
    services.request_review(assistance_request=assistance_request, user=portfolio.officer)
    services.request_decide(assistance_request=assistance_request, user=portfolio.officer,
                            decision=RequestStatus.ACCEPTED)
    assert not Project.objects.filter(demand_driven(), pk=project.pk).exists()  # accepted, not linked yet
    services.request_link_project(assistance_request=assistance_request, user=portfolio.officer, project=project)
    assert list(Project.objects.filter(demand_driven()).values_list("pk", flat=True)) == [project.pk]
    assistance_request.refresh_from_db()
    assert (assistance_request.status, assistance_request.project) == (RequestStatus.ACCEPTED, project)
    assert assistance_request.history.first().history_change_reason == f"Linked to {project.symbol}"

    client.force_login(portfolio.officer)
    page = client.get(reverse("projects:detail", args=[project.pk]), {"tab": "classification"}).content.decode()
    assert "Yes (demand-driven)" in page and "Social dialogue in ports" in page
    other = client.get(reverse("projects:detail", args=[portfolio.per_project.pk]),
                       {"tab": "classification"}).content.decode()
    assert 'id="demand-driven">No<' in other
    mine = api(portfolio.users["workers"]).get(reverse("request-detail", args=[assistance_request.pk])).json()
    assert (mine["project_symbol"], mine["demand_driven"]) == (project.symbol, True)


def test_a_declined_request_is_never_linked(portfolio, objective):
    assistance_request = submit(portfolio, objective)
    with pytest.raises(ValidationError) as error:
        services.request_decide(assistance_request=assistance_request, user=portfolio.officer,
                                decision=RequestStatus.DECLINED, reason="Out of scope",
                                project=portfolio.sen_project)
    assert "project" in error.value.message_dict
    services.request_decide(assistance_request=assistance_request, user=portfolio.officer,
                            decision=RequestStatus.DECLINED, reason="Out of scope")
    with pytest.raises(ValidationError):
        services.request_link_project(assistance_request=assistance_request, user=portfolio.officer,
                                      project=portfolio.sen_project)


def test_submit_refuses_bad_input_naming_the_field(portfolio, objective):
    answer = api(portfolio.users["workers"]).post(reverse("request-list"), body(portfolio, objective, groups=[],
                                                                                 country="XXX"), format="json")
    assert answer.status_code == 400 and {"groups", "country"} <= set(answer.json())
    assert not AssistanceRequest.objects.exists()


# ---------------------------------------------------------------- filters and grouping


def _demand_driven_project(portfolio, objective):
    assistance_request = submit(portfolio, objective)
    services.request_decide(assistance_request=assistance_request, user=portfolio.officer,
                            decision=RequestStatus.ACCEPTED, project=portfolio.sen_project)
    return portfolio.sen_project


def test_the_register_filters_by_demand_driven(portfolio, objective):
    project = _demand_driven_project(portfolio, objective)
    yes = ProjectFilterSet({"demand_driven": "true"}, queryset=Project.objects.all()).qs
    no = ProjectFilterSet({"demand_driven": "false"}, queryset=Project.objects.all()).qs
    assert list(yes) == [project]
    assert set(no) == set(portfolio.projects) - {project}
    listed = api(portfolio.officer).get(reverse("project-list"), {"demand_driven": "true"}).json()
    assert [row["symbol"] for row in listed["results"]] == [project.symbol]


def test_delivery_grouped_by_demand_driven(portfolio, objective):
    project = _demand_driven_project(portfolio, objective)
    AllocationFactory(project=project, year=2000, amount_usd=Decimal("1000"))
    AllocationFactory(project=portfolio.per_project, year=2000, amount_usd=Decimal("3000"))
    rebuild_year_delivery()  # the allocations above were written without the import service
    rows = {row.group_key: row for row in delivery_by(dimension="demand_driven", year=2000)}
    assert (rows[True].allocation_usd, rows[False].allocation_usd) == (Decimal("1000"), Decimal("3000"))
    assert rows[True].group_label == "Answers a constituent request"
    only = delivery_by(dimension="status", year=2000, filters={"demand_driven": True})
    assert sum(row.allocation_usd for row in only) == Decimal("1000")


def test_the_annual_report_has_a_demand_driven_table(portfolio, objective):
    from reports.selectors import annual_report

    project = _demand_driven_project(portfolio, objective)
    AllocationFactory(project=project, year=2000, amount_usd=Decimal("1000"))
    AllocationFactory(project=portfolio.per_project, year=2000, amount_usd=Decimal("3000"))
    rebuild_year_delivery()
    report = annual_report(year=2000, as_of=dt.date(2000, 12, 31))
    table = next(table for table in report.tables if table.key == "by_demand")
    assert [row[0] for row in table.rows] == ["Answers a constituent request", "Not demand-driven"]


# ---------------------------------------------------------------- who may


def test_another_organisations_request_answers_404(portfolio, objective):
    assistance_request = submit(portfolio, objective, who="workers")
    employers = api(portfolio.users["employers"])
    assert employers.get(reverse("request-detail", args=[assistance_request.pk])).status_code == 404
    assert employers.get(reverse("request-list")).json()["count"] == 0
    assert employers.post(reverse("request-decide", args=[assistance_request.pk]),
                          {"decision": "under_review"}, format="json").status_code == 404
    workers = api(portfolio.users["workers"])
    assert workers.get(reverse("request-list")).json()["count"] == 1
    assert workers.get(reverse("request-detail", args=[assistance_request.pk])).status_code == 200


def test_a_constituent_deciding_gets_403_and_staff_do_not_submit(portfolio, objective):
    assistance_request = submit(portfolio, objective, who="workers")
    answer = api(portfolio.users["workers"]).post(reverse("request-decide", args=[assistance_request.pk]),
                                                  {"decision": "accepted"}, format="json")
    assert answer.status_code == 403
    with pytest.raises(PermissionDenied):
        services.request_decide(assistance_request=assistance_request, user=portfolio.users["workers"],
                                decision=RequestStatus.ACCEPTED)
    secretariat = UserFactory(role=Role.SECRETARIAT)
    assert api(secretariat).post(reverse("request-decide", args=[assistance_request.pk]),
                                 {"decision": "accepted"}, format="json").status_code == 403
    assert api(secretariat).get(reverse("request-list")).json()["count"] == 1  # staff read every request
    assert api(portfolio.officer).post(reverse("request-list"), body(portfolio, objective),
                                       format="json").status_code == 403
    assistance_request.refresh_from_db()
    assert assistance_request.status == RequestStatus.RECEIVED


# ---------------------------------------------------------------- pages


def test_my_requests_and_the_form(portfolio, objective, client):
    client.force_login(portfolio.users["workers"])
    form = client.get(reverse("projects:request_create"))
    assert form.status_code == 200
    for page in (form, client.get(reverse("projects:my_requests"))):  # the CSP check of tests/security/test_csp.py
        assert not inline_code(page.content.decode())
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    refused = client.post(reverse("projects:request_create"), {"title": "Pensions", "description": "",
                                                               "strategic_objective": objective.pk,
                                                               "country": portfolio.senegal.pk})
    assert refused.status_code == 200 and not AssistanceRequest.objects.exists()
    sent = client.post(reverse("projects:request_create"), {
        "title": "Pensions", "description": "Reform", "strategic_objective": objective.pk,
        "country": portfolio.senegal.pk, "groups": ["WORKERS"]})
    assistance_request = AssistanceRequest.objects.get()
    assert sent.status_code == 302 and sent.url == reverse("projects:request_detail", args=[assistance_request.pk])
    assert "Pensions" in client.get(reverse("projects:my_requests")).content.decode()
    page = client.get(reverse("projects:request_detail", args=[assistance_request.pk])).content.decode()
    assert "decision-form" not in page
    client.force_login(portfolio.users["employers"])
    assert client.get(reverse("projects:request_detail", args=[assistance_request.pk])).status_code == 404
    assert client.get(reverse("projects:requests")).status_code == 403  # the Office's review list


def test_the_review_list_filters_sorts_and_pages_and_the_decision_form(portfolio, objective, client):
    for n in range(3):
        submit(portfolio, objective, title=f"Request {n}")
    submit(portfolio, objective, who="employers", title="Employers' request")
    client.force_login(portfolio.officer)
    url = reverse("projects:requests")
    page = client.get(url, {"organisation": portfolio.employers.pk}).content.decode()
    assert "Employers&#x27; request" in page and "Request 0" not in page
    ordered = client.get(url, {"sort": "title"}).content.decode()
    assert ordered.index("Employers&#x27; request") < ordered.index("Request 0") < ordered.index("Request 2")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(3, 8):
        submit(portfolio, objective, title=f"Request {n}")
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)
    target = AssistanceRequest.objects.get(title="Request 1")
    detail = client.get(reverse("projects:request_detail", args=[target.pk])).content.decode()
    assert "decision-form" in detail
    refused = client.post(reverse("projects:request_decide", args=[target.pk]), {"decision": "declined"})
    assert refused.status_code == 200 and "Give the reason" in refused.content.decode()
    accepted = client.post(reverse("projects:request_decide", args=[target.pk]),
                           {"decision": "accepted", "project": portfolio.sen_project.symbol})
    assert accepted.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.project) == (RequestStatus.ACCEPTED, portfolio.sen_project)
    client.force_login(portfolio.users["workers"])
    assert client.post(reverse("projects:request_decide", args=[target.pk]),
                       {"decision": "declined", "reason": "x"}).status_code == 403


def test_the_project_a_request_led_to_becomes_visible_to_its_organisation(portfolio, objective):
    """The visibility rule (projects.permissions.visible_projects_filter) extended: the employers of Peru see the
    global project their request led to, and only theirs."""
    employers = portfolio.users["employers"]
    hidden = portfolio.hidden_project
    assert api(employers).get(reverse("project-detail", args=[hidden.pk])).status_code == 404
    assistance_request = submit(portfolio, objective, who="employers")
    services.request_decide(assistance_request=assistance_request, user=portfolio.officer,
                            decision=RequestStatus.ACCEPTED, project=hidden)
    assert api(employers).get(reverse("project-detail", args=[hidden.pk])).status_code == 200
    assert api(portfolio.users["workers"]).get(reverse("project-detail", args=[hidden.pk])).status_code == 404
