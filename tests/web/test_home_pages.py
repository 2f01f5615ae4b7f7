"""The home page of each role, and constant query counts of the pages that list projects."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from alerts.models import Alert, Rule
from tests.factories import ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    return UnitFactory(code="CO-DAKAR")


def _alert(project, severity="RED"):
    return Alert.objects.create(project=project, rule=Rule.objects.get(code="PAST_END"), period=2001,
                                severity=severity, raised_on=dt.date(2001, 10, 31))


def test_officer_sees_my_projects_and_my_open_alerts(client, unit):
    officer = UserFactory(role=Role.OFFICER, units=[unit])
    mine = ProjectFactory(responsible_unit=unit, title="Dakar apprenticeships")
    elsewhere = ProjectFactory(title="Lima cooperatives")
    _alert(mine)
    _alert(elsewhere)
    client.force_login(officer)
    content = client.get(reverse("home")).content.decode()
    assert 'id="my-projects"' in content and "Dakar apprenticeships" in content
    assert "Lima cooperatives" not in content
    alerts = content.split('id="home-alerts"')[1].split("</ul>")[0]
    assert mine.symbol in alerts and elsewhere.symbol not in alerts


def test_manager_sees_portfolio_delivery_tiles_and_unit_alerts(client, unit):
    manager = UserFactory(role=Role.MANAGER, units=[unit])
    ProjectFactory(responsible_unit=unit, status="ONGOING")
    ProjectFactory(responsible_unit=unit, status="PIPELINE")
    client.force_login(manager)
    response = client.get(reverse("home"))
    content = response.content.decode()
    assert 'id="delivery-tiles"' in content and 'id="portfolio"' in content
    assert dict(response.context["portfolio"]) == {"Pipeline": 1, "Ongoing": 1}


@pytest.mark.parametrize(("role", "marker"), [
    (Role.EVALUATION, 'id="plan-summary"'), (Role.SECRETARIAT, 'id="reports-link"'), (Role.ADMIN, 'id="admin-links"'),
])
def test_other_roles_get_their_panel(client, role, marker):
    client.force_login(UserFactory(role=role))
    assert marker in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(("role", "url", "params"), [
    (Role.OFFICER, "home", {}),
    (Role.MANAGER, "home", {}),
    (Role.OFFICER, "projects:list", {"scope": "mine", "sort": "-title"}),
    (Role.OFFICER, "projects:export", {"format": "csv"}),
])
def test_query_count_does_not_grow_with_rows(client, unit, django_assert_max_num_queries, role, url, params):
    user = UserFactory(role=role, units=[unit])
    client.force_login(user)

    def add(n):
        for _ in range(n):
            _alert(ProjectFactory(responsible_unit=unit))

    def fetch():
        response = client.get(reverse(url), params)
        assert response.status_code == 200
        return b"".join(response.streaming_content) if response.streaming else response.content

    add(3)
    with CaptureQueriesContext(connection) as three:
        fetch()
    add(27)
    with django_assert_max_num_queries(len(three.captured_queries)):
        fetch()
