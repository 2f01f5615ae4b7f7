"""Each role's permissions, as decided in projects/permissions.py (the one place)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Role
from projects.models import Project
from projects.permissions import editable_projects
from tests.factories import ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

GLOBAL_PERMS = ["projects.view_project", "projects.add_project", "projects.import_projects",
                "delivery.import_financials", "evaluation.manage_evaluations", "reports.export_reports",
                "delivery.manage_alerts", "tcms.administer"]
EXPECTED = {
    Role.OFFICER: {"projects.view_project", "projects.add_project", "projects.import_projects",
                   "delivery.import_financials", "delivery.manage_alerts"},
    Role.MANAGER: {"projects.view_project", "projects.add_project", "projects.import_projects",
                   "delivery.import_financials", "delivery.manage_alerts", "reports.export_reports"},
    Role.EVALUATION: {"projects.view_project", "evaluation.manage_evaluations", "reports.export_reports"},
    Role.SECRETARIAT: {"projects.view_project", "reports.export_reports"},
    Role.ADMIN: set(GLOBAL_PERMS),
}


@pytest.fixture
def units():
    return UnitFactory(code="CO-DAKAR"), UnitFactory(code="CO-LIMA")


@pytest.fixture
def projects(units):
    own, other = units
    return {
        "own_responsible": ProjectFactory(responsible_unit=own),
        "own_backstopping": ProjectFactory(responsible_unit=other, backstopping_unit=own),
        "other": ProjectFactory(responsible_unit=other),
    }


@pytest.mark.parametrize("role", Role.values)
def test_global_permissions_per_role(role):
    user = UserFactory(role=role)
    granted = {perm for perm in GLOBAL_PERMS if user.has_perm(perm)}
    assert granted == EXPECTED[role]


def test_anonymous_has_no_permission(projects):
    anonymous = AnonymousUser()
    assert not any(anonymous.has_perm(perm) for perm in GLOBAL_PERMS)
    assert not anonymous.has_perm("projects.change_project", projects["own_responsible"])
    assert not editable_projects(anonymous, Project.objects.all()).exists()


def test_inactive_user_has_no_permission():
    user = UserFactory(role=Role.ADMIN)
    user.is_active = False
    assert not user.has_perm("projects.view_project")


def editable(user, projects) -> set[str]:
    return {name for name, project in projects.items() if user.has_perm("projects.change_project", project)}


def assert_filter_agrees(user, projects):
    """The queryset filter (lists, bulk checks) and the object predicate must say the same."""
    by_filter = set(editable_projects(user, Project.objects.all()).values_list("pk", flat=True))
    assert by_filter == {projects[name].pk for name in editable(user, projects)}


def test_officer_edits_own_units_projects_only(units, projects):
    officer = UserFactory(role=Role.OFFICER, units=[units[0]])
    assert editable(officer, projects) == {"own_responsible", "own_backstopping"}
    assert_filter_agrees(officer, projects)


def test_officer_edits_projects_where_responsible_official(units, projects):
    officer = UserFactory(role=Role.OFFICER, units=[units[0]])
    projects["other"].responsible_official = officer
    projects["other"].save()
    assert editable(officer, projects) == {"own_responsible", "own_backstopping", "other"}
    assert_filter_agrees(officer, projects)


def test_officer_without_unit_edits_nothing(projects):
    officer = UserFactory(role=Role.OFFICER)
    assert editable(officer, projects) == set()
    assert officer.has_perm("projects.view_project")


def test_manager_edits_units_projects_but_not_as_responsible_official(units, projects):
    manager = UserFactory(role=Role.MANAGER, units=[units[0]])
    projects["other"].responsible_official = manager
    projects["other"].save()
    assert editable(manager, projects) == {"own_responsible", "own_backstopping"}
    assert_filter_agrees(manager, projects)


@pytest.mark.parametrize("role", [Role.EVALUATION, Role.SECRETARIAT])
def test_readers_edit_nothing_even_in_their_unit(role, units, projects):
    user = UserFactory(role=role, units=[units[0]])
    assert editable(user, projects) == set()
    assert user.has_perm("projects.view_project")
    assert_filter_agrees(user, projects)


def test_administrator_edits_and_deletes_everything(projects):
    admin = UserFactory(role=Role.ADMIN)
    assert editable(admin, projects) == set(projects)
    assert admin.has_perm("projects.delete_project", projects["other"])
    assert_filter_agrees(admin, projects)


def test_only_administrator_deletes(units, projects):
    officer = UserFactory(role=Role.OFFICER, units=[units[0]])
    assert not officer.has_perm("projects.delete_project", projects["own_responsible"])
