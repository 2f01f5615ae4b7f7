"""Which projects a constituent sees (issue 18, point 2): visible_projects_filter, the one rule, and the API's
register (GET /api/v1/projects/ lists only those; any other project answers 404)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from projects.models import Project
from projects.permissions import VIEW_PROJECT, VIEW_VISIBLE_PROJECT, visible_projects
from tests.constituents import Portfolio
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
WHO = ("government", "workers", "employers")


@pytest.fixture
def portfolio():
    return Portfolio()


@pytest.mark.parametrize("who", WHO)
def test_each_constituent_sees_exactly_their_projects(portfolio, who):
    user = portfolio.users[who]
    assert set(visible_projects(user, Project.objects.all())) == portfolio.visible[who]
    for project in portfolio.projects:
        assert user.has_perm(VIEW_VISIBLE_PROJECT, project) == (project in portfolio.visible[who]), project.symbol
    assert not user.has_perm(VIEW_PROJECT)  # not the whole register


def test_staff_see_every_project_and_a_constituent_without_organisation_none(portfolio):
    officer = portfolio.officer
    assert visible_projects(officer, Project.objects.all()).count() == len(portfolio.projects)
    assert officer.has_perm(VIEW_PROJECT) and officer.has_perm(VIEW_VISIBLE_PROJECT, portfolio.hidden_project)
    stray = UserFactory(username="c-stray", role=Role.CONSTITUENT)
    assert not visible_projects(stray, Project.objects.all()).exists()


def test_a_project_counted_once_when_several_links_lead_to_it(portfolio):
    """Country and partner and cell at once: still one row (subqueries, not joins)."""
    from projects.models import PartnerRole, ProjectPartner

    ProjectPartner.objects.create(project=portfolio.sen_project, organisation=portfolio.workers,
                                  role=PartnerRole.IMPLEMENTING)
    rows = list(visible_projects(portfolio.users["workers"], Project.objects.all()))
    assert len(rows) == len(set(rows)) == 2


@pytest.mark.parametrize("who", WHO)
def test_the_api_register_lists_only_their_projects_and_404s_the_others(portfolio, who):
    client = APIClient()
    client.force_authenticate(portfolio.users[who])
    listed = client.get(reverse("project-list"), {"page_size": 100})
    assert listed.status_code == 200
    assert {row["symbol"] for row in listed.json()["results"]} == {p.symbol for p in portfolio.visible[who]}
    for project in portfolio.visible[who]:
        assert client.get(reverse("project-detail", args=[project.pk])).status_code == 200
    for project in portfolio.hidden_from(who):
        assert client.get(reverse("project-detail", args=[project.pk])).status_code == 404, project.symbol
