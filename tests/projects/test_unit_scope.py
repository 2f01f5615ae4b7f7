"""Scope follows the unit tree (issue 16 point 2): a regional office's manager works on the projects of its country
offices and their MDTs — register, unit filter, editing, home page, delivery board and alert digests — while a
country office's member does not count the region's other offices' projects as theirs."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role
from alerts.models import Alert, Rule
from alerts.services import digest_recipients
from delivery.selectors import project_filter
from partners.models import UnitKind
from projects.filters import ProjectFilterSet
from projects.models import Project
from projects.permissions import editable_projects
from projects.selectors import my_projects
from tests.alerts.factories import member
from tests.factories import ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    """R (regional office) → C1, C2 (country offices); M (MDT) under C1. One project each, and one elsewhere."""
    office = UnitFactory(code="RO-R", kind=UnitKind.REGIONAL_OFFICE)
    first = UnitFactory(code="CO-C1", kind=UnitKind.COUNTRY_OFFICE, parent=office)
    second = UnitFactory(code="CO-C2", kind=UnitKind.COUNTRY_OFFICE, parent=office)
    team = UnitFactory(code="MDT-M", kind=UnitKind.MDT, parent=first)
    elsewhere = UnitFactory(code="HQ-X")
    projects = {code: ProjectFactory(symbol=f"RAF/26/{n:02d}/USA", responsible_unit=unit)
                for n, (code, unit) in enumerate([("R", office), ("C1", first), ("C2", second), ("M", team),
                                                  ("X", elsewhere)], start=1)}
    manager = UserFactory(username="r-manager", role=Role.MANAGER)
    member(manager, office, is_manager=True)
    officer = UserFactory(username="c1-officer", role=Role.OFFICER, units=[first])
    return {"units": {"R": office, "C1": first, "C2": second, "M": team, "X": elsewhere}, "projects": projects,
            "manager": manager, "officer": officer}


def _symbols(queryset) -> set[str]:
    return set(queryset.values_list("symbol", flat=True))


def _of(region, *codes) -> set[str]:
    return {region["projects"][code].symbol for code in codes}


def test_the_regional_managers_scope_covers_every_office_and_team_below(region, client):
    manager = region["manager"]
    assert _symbols(my_projects(manager)) == _of(region, "R", "C1", "C2", "M")
    assert _symbols(editable_projects(manager, Project.objects.all())) == _of(region, "R", "C1", "C2", "M")
    assert manager.has_perm("projects.change_project", region["projects"]["C1"])
    assert manager.has_perm("projects.change_project", region["projects"]["M"])
    assert not manager.has_perm("projects.change_project", region["projects"]["X"])

    client.force_login(manager)
    mine = client.get(reverse("projects:list"), {"scope": "mine"}).content.decode()
    assert all(symbol in mine for symbol in _of(region, "R", "C1", "C2", "M"))
    assert region["projects"]["X"].symbol not in mine
    edit = client.get(reverse("projects:edit", args=[region["projects"]["M"].pk]))
    assert edit.status_code == 200
    home = client.get(reverse("home")).context
    assert home["my_project_count"] == 4 and home["units_filtered"]


def test_a_unit_filter_on_a_regional_office_includes_its_sub_units(region, client):
    office = region["units"]["R"]
    filtered = ProjectFilterSet({"unit": office.pk}, queryset=Project.objects.all()).qs
    assert _symbols(filtered) == _of(region, "R", "C1", "C2", "M")
    country = ProjectFilterSet({"unit": region["units"]["C1"].pk}, queryset=Project.objects.all()).qs
    assert _symbols(country) == _of(region, "C1", "M")
    assert _symbols(Project.objects.filter(project_filter({"unit": office}))) == _of(region, "R", "C1", "C2", "M")
    assert _symbols(Project.objects.filter(project_filter({"unit": [region["units"]["C2"].pk]}))) == _of(region, "C2")

    client.force_login(region["officer"])
    page = client.get(reverse("projects:list"), {"unit": office.pk}).content.decode()
    assert all(symbol in page for symbol in _of(region, "R", "C1", "C2", "M"))
    assert "includes the units below it" in page  # the filter says so


def test_the_regional_manager_is_warned_of_an_mdt_projects_alert(region, client):
    rule = Rule.objects.get(code="PAST_END")
    alerts = {code: Alert.objects.create(project=region["projects"][code], rule=rule, period=2026, severity="RED",
                                         raised_on=dt.date(2026, 3, 2)) for code in ("M", "C2", "X")}
    recipients = digest_recipients(alert_ids=[alert.pk for alert in alerts.values()])
    assert recipients[region["manager"].pk] == {alerts["M"].pk, alerts["C2"].pk}
    assert region["officer"].pk not in recipients  # a plain member (not manager nor focal point) gets no digest

    client.force_login(region["manager"])
    assert set(client.get(reverse("home")).context["alerts"]) == {alerts["M"], alerts["C2"]}


def test_a_country_office_member_does_not_own_the_regions_other_offices_projects(region):
    officer = region["officer"]
    assert _symbols(my_projects(officer)) == _of(region, "C1", "M")
    assert _symbols(editable_projects(officer, Project.objects.all())) == _of(region, "C1", "M")
    assert not officer.has_perm("projects.change_project", region["projects"]["C2"])
    assert not officer.has_perm("projects.change_project", region["projects"]["R"])


def test_a_focal_point_hears_of_the_projects_backstopped_below_their_unit(region):
    focal = UserFactory(username="r-focal")
    member(focal, region["units"]["R"], is_focal_point=True)
    backstopped = ProjectFactory(responsible_unit=region["units"]["X"], backstopping_unit=region["units"]["M"])
    alert = Alert.objects.create(project=backstopped, rule=Rule.objects.get(code="PAST_END"), period=2026,
                                 severity="AMBER", raised_on=dt.date(2026, 3, 2))
    assert digest_recipients(alert_ids=[alert.pk]) == {focal.pk: {alert.pk}}


def test_the_scope_costs_the_same_queries_however_deep_the_tree(django_assert_num_queries, region):
    """The tree is read in one query: a deeper chain of units adds no query to "my projects" or to the rights."""
    parent = region["units"]["M"]
    for depth in range(6):
        parent = UnitFactory(code=f"MDT-D{depth}", kind=UnitKind.MDT, parent=parent)
        ProjectFactory(responsible_unit=parent)
    manager = UserFactory(username="fresh", role=Role.MANAGER, units=[region["units"]["R"]])
    with django_assert_num_queries(2):  # the tree with the user's units, the projects
        symbols = list(my_projects(manager).values_list("symbol", flat=True))
    assert len(symbols) == 4 + 6
    deepest = Project.objects.get(responsible_unit=parent)
    with django_assert_num_queries(0):  # the scope is cached on the user for the request
        assert manager.has_perm("projects.change_project", deepest)
