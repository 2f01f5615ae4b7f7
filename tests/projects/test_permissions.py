"""Each role's permissions, as decided in projects/permissions.py (the one place), and the write services asking
them where the write happens."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts.models import Role
from accounts.permissions import require
from projects import services
from projects.models import ExpertAssignment, Project, ProjectPartner, TripartiteInvolvement
from projects.permissions import editable_projects, projects_not_editable
from tests.factories import CountryFactory, OrganisationFactory, ProjectFactory, UnitFactory, UserFactory
from tests.projects.factories import ExpertFactory, ProjectPartnerFactory

pytestmark = pytest.mark.django_db

GLOBAL_PERMS = ["projects.view_project", "projects.add_project", "projects.import_projects",
                "delivery.import_financials", "evaluation.manage_evaluations", "reports.export_reports",
                "alerts.manage_alerts", "delivery.manage_exchange_rates", "tcms.administer"]
EXPECTED = {
    Role.OFFICER: {"projects.view_project", "projects.add_project", "projects.import_projects",
                   "delivery.import_financials", "alerts.manage_alerts"},
    Role.MANAGER: {"projects.view_project", "projects.add_project", "projects.import_projects",
                   "delivery.import_financials", "alerts.manage_alerts", "reports.export_reports"},
    Role.EVALUATION: {"projects.view_project", "evaluation.manage_evaluations", "reports.export_reports"},
    Role.SECRETARIAT: {"projects.view_project", "reports.export_reports"},
    Role.ADMIN: set(GLOBAL_PERMS),
    Role.CONSTITUENT: set(),  # only the projects they may see (projects.view_visible_project, per project)
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
    refused = projects_not_editable(user, [p.pk for p in projects.values()])
    assert refused == {p.pk for name, p in projects.items() if name not in editable(user, projects)}


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


# ---------------------------------------------------------------- the write services ask, where the write happens


def test_require_names_what_is_refused_and_lets_a_system_actor_through(units, projects):
    officer = UserFactory(role=Role.OFFICER, units=[units[0]])
    require(officer, "projects.change_project", projects["own_responsible"])
    with pytest.raises(PermissionDenied, match=f"You may not change project {projects['other'].symbol}."):
        require(officer, "projects.change_project", projects["other"])
    with pytest.raises(PermissionDenied, match="Only administrators change exchange rates."):
        require(officer, "delivery.manage_exchange_rates")
    with pytest.raises(PermissionDenied):
        require(AnonymousUser(), "projects.view_project")
    require(None, "tcms.administer")  # a management command, seeding, a task
    assert projects_not_editable(None, [p.pk for p in projects.values()]) == set()


def _writes(project):
    """Every write service of projects/services.py about one project, as (name, call(user))."""
    organisation, country = OrganisationFactory(), CountryFactory()
    partner = ProjectPartnerFactory(project=project)
    expert = ExpertFactory(project=project, nationality=country)
    return [
        ("project_update", lambda user: services.project_update(project=project, user=user, version=None,
                                                                title="Changed")),
        ("project_change_status", lambda user: services.project_change_status(project=project, status="SUSPENDED",
                                                                              user=user)),
        ("project_revise_date", lambda user: services.project_revise_date(
            project=project, field="planned_end", new_value=dt.date(2003, 1, 31), reason="Extension", user=user)),
        ("partner_add", lambda user: services.partner_add(project=project, organisation=organisation,
                                                          role="IMPLEMENTING", user=user)),
        ("partner_remove", lambda user: services.partner_remove(partner=partner, user=user)),
        ("tripartite_set", lambda user: services.tripartite_set(project=project, stage="FORMULATION",
                                                                group="WORKERS", contemplated=True,
                                                                contemplated_description="Unions consulted",
                                                                user=user)),
        ("expert_create", lambda user: services.expert_create(project=project, nationality=country, year=2000,
                                                              work_months=2, user=user)),
        ("training_create", lambda user: services.training_create(
            project=project, title="Workshop", start_date=dt.date(2000, 5, 1), end_date=dt.date(2000, 5, 2),
            user=user)),
        ("progress_report_create", lambda user: services.progress_report_create(
            project=project, period_end=dt.date(2000, 6, 30), due_date=dt.date(2000, 8, 31), user=user)),
        ("project_record_update", lambda user: services.project_record_update(record=expert, user=user, year=2001)),
        ("project_record_remove", lambda user: services.project_record_remove(record=expert, user=user)),
    ]


def _snapshot(project) -> tuple:
    project.refresh_from_db()
    return (project.version, project.title, project.status, project.planned_end,
            ProjectPartner.objects.filter(project=project).count(),
            TripartiteInvolvement.objects.filter(project=project).count(),
            list(ExpertAssignment.objects.filter(project=project).values_list("year", flat=True)),
            project.training.count(), project.progress_reports.count())


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER, Role.EVALUATION, Role.SECRETARIAT])
def test_every_project_write_refuses_who_may_not_change_the_project(units, role):
    """As a page or endpoint that forgot to ask would let through: the service refuses and changes nothing."""
    project = ProjectFactory(responsible_unit=units[1])
    user = UserFactory(role=role, units=[units[0]])
    writes = _writes(project)
    before = _snapshot(project)
    for name, write in writes:
        with pytest.raises(PermissionDenied, match=f"You may not change project {project.symbol}."):
            write(user)
        assert _snapshot(project) == before, name


@pytest.mark.parametrize("who", ["officer of the unit", "administrator", "system actor"])
def test_every_project_write_is_allowed_to_who_may_change_the_project(units, who):
    project = ProjectFactory(responsible_unit=units[0])
    user = {"officer of the unit": UserFactory(role=Role.OFFICER, units=[units[0]]),
            "administrator": UserFactory(role=Role.ADMIN), "system actor": None}[who]
    for _name, write in _writes(project):
        write(user)  # PermissionDenied would fail the test
    # Changed, suspended, extended; one partner removed and one added; a tripartite cell; an expert added and the
    # first one updated then removed; a training activity and a progress report.
    assert _snapshot(project) == (4, "Changed", "SUSPENDED", dt.date(2003, 1, 31), 1, 1, [2000], 1, 1)


def test_registering_a_project_needs_add_project(units):
    evaluator = UserFactory(role=Role.EVALUATION)
    with pytest.raises(PermissionDenied, match="You may not register projects."):
        services.project_create(user=evaluator, symbol="INT/00/99/MUL", title="Refused")
    assert not Project.objects.filter(symbol="INT/00/99/MUL").exists()
