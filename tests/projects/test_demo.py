"""The demo register: same seed, same data; realistic shape; the demo users' places."""

import hashlib

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.services import demo_users_ensure
from partners.models import ConstituentAccount, Organisation, Unit, UnitMembership
from projects.demo import DEMO_AS_OF, FIELD_UNITS, seed_register
from projects.models import (
    ExpertAssignment,
    ProgressReport,
    Project,
    ProjectPartner,
    TrainingActivity,
    TripartiteInvolvement,
)

pytestmark = pytest.mark.django_db
PROJECTS = 120


def register_digest() -> str:
    """A digest of the register's content by natural keys (database ids and timestamps differ between runs)."""
    parts = []
    for p in Project.objects.select_related(
            "strategic_objective", "primary_programme", "region", "funding_source", "donor", "responsible_unit",
            "backstopping_unit", "responsible_official").prefetch_related("countries", "conventions", "principles"):
        parts.append((
            p.symbol, p.title, p.summary, p.status, p.planned_start, p.planned_end, p.actual_start, p.actual_end,
            p.strategic_objective.code, p.primary_programme.code, p.region.code, p.funding_source.code,
            p.donor.name if p.donor else None, p.responsible_unit.code,
            p.backstopping_unit.code if p.backstopping_unit else None,
            p.responsible_official.username if p.responsible_official else None, p.gender_marker,
            p.is_crisis_response, p.is_enterprise_promotion, p.undaf_aligned, p.country_objective, p.is_autonomous,
            p.autonomy_reason, sorted(c.iso3 for c in p.countries.all()), sorted(c.number for c in p.conventions.all()),
            sorted(x.code for x in p.principles.all())))
    parts += sorted(TripartiteInvolvement.objects.values_list(
        "project__symbol", "stage", "group", "contemplated", "contemplated_description", "actual_date",
        "actual_organisation__name", "women", "men"))
    parts += sorted(ProjectPartner.objects.values_list("project__symbol", "organisation__name", "role"))
    parts += sorted(ExpertAssignment.objects.with_category().values_list(
        "project__symbol", "name", "nationality__iso3", "is_national", "year", "work_months"))
    parts += sorted(TrainingActivity.objects.values_list("project__symbol", "title", "area", "start_date",
                                                         "end_date", "women", "men", "is_turin_centre"))
    parts += sorted(ProgressReport.objects.values_list("project__symbol", "period_end", "due_date", "submitted_date"))
    parts += sorted(UnitMembership.objects.values_list("user__username", "unit__code", "is_manager"))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def wipe_demo():
    Project.objects.all().delete()
    UnitMembership.objects.all().delete()
    ConstituentAccount.objects.all().delete()
    Organisation.objects.all().delete()
    Unit.objects.filter(code__in=[u[0] for u in FIELD_UNITS]).delete()


def seed(seed_value, projects=PROJECTS):
    seed_register(seed=seed_value, projects=projects, log=lambda message: None)


def test_same_seed_same_data_after_flush():
    demo_users_ensure(password="a-long-demo-password")
    seed(7, projects=50)
    first = register_digest()
    assert Project.objects.count() == 50
    wipe_demo()
    seed(7, projects=50)
    assert register_digest() == first
    wipe_demo()
    seed(8, projects=50)
    assert register_digest() != first


def test_second_run_leaves_the_register_alone():
    seed(1)
    before = register_digest()
    messages = []
    seed_register(seed=2, projects=10, log=messages.append)
    assert register_digest() == before
    assert "already has projects" in messages[0]


def test_portfolio_is_realistic():
    seed(3)
    projects = Project.objects.all()
    assert projects.values("region").distinct().count() >= 5
    assert projects.values("strategic_objective").distinct().count() == 4
    assert projects.values("status").distinct().count() >= 4
    assert projects.values("funding_source").distinct().count() >= 4
    years = {p.planned_start.year for p in projects}
    assert min(years) >= 1996 and max(years) <= 2003
    for project in projects:
        project.full_clean()  # bulk-created rows obey the same validations
        assert project.primary_programme.objective_id == project.strategic_objective_id
        assert project.actual_start is None or project.actual_start <= DEMO_AS_OF
    contemplated = TripartiteInvolvement.objects.filter(contemplated=True)
    gaps = contemplated.filter(actual_date__isnull=True).count()
    assert 0 < gaps < contemplated.count()  # realistic: some contemplated involvement did not happen
    for cell in TripartiteInvolvement.objects.exclude(actual_organisation=None).select_related(
            "actual_organisation")[:200]:
        cell.full_clean()


def test_autonomous_projects_are_workers_or_employers_programmes():
    seed(4)
    autonomous = Project.objects.filter(is_autonomous=True).select_related("responsible_unit")
    assert autonomous.exists()
    for project in autonomous:
        assert project.responsible_unit.code in ("ACTRAV", "ACTEMP") and project.autonomy_reason
        groups = set(project.tripartite.values_list("group", flat=True))
        assert groups <= {"WORKERS" if project.responsible_unit.code == "ACTRAV" else "EMPLOYERS"}


def test_demo_users_get_units_and_projects():
    users = {u.username: u for u in demo_users_ensure(password="a-long-demo-password")}
    seed(1)
    officer, manager = users["officer"], users["manager"]
    officer_units = set(officer.unit_memberships.values_list("unit__code", flat=True))
    assert officer_units == {"CO-DAKAR"}
    assert Project.objects.filter(responsible_unit__code="CO-DAKAR").exists()
    assert Project.objects.filter(responsible_official=officer).exists()
    managed = manager.unit_memberships.get()
    assert managed.unit.code == "RO-AFRICA" and managed.is_manager
    editable = [p for p in Project.objects.all() if officer.has_perm("projects.change_project", p)]
    assert editable and len(editable) < Project.objects.count()


def test_seed_demo_command_runs_the_register_step(capsys):
    call_command("seed_demo", projects=15, seed=1)
    assert Project.objects.count() == 15
    assert "projects.demo.seed_register" in capsys.readouterr().out


def test_one_constituent_per_kind_with_a_reported_and_a_disputed_cell():
    from partners.selectors import constituent_organisation
    from projects.models import Confirmation, TripartiteInvolvement

    demo_users_ensure(password="a-long-demo-password")
    seed(1)
    kinds = {username: constituent_organisation(User.objects.get(username=username)).kind
             for username in ("government", "employers", "workers")}
    assert kinds == {"government": "GOVERNMENT", "employers": "EMPLOYERS", "workers": "WORKERS"}
    assert User.objects.get(username="workers").check_password("a-long-demo-password")
    states = dict(TripartiteInvolvement.objects.exclude(confirmation=Confirmation.RECORDED)
                  .values_list("group", "confirmation"))
    assert states == {"WORKERS": "reported", "GOVERNMENT": "disputed"}
