"""Reads: tripartite matrix with gaps, my projects, merged history, the filter set."""

import datetime as dt

import pytest

from accounts.models import Role
from partners.models import OrganisationKind
from projects import selectors, services
from projects.filters import ProjectFilterSet
from projects.models import Project
from tests.factories import OrganisationFactory, ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_tripartite_matrix_contemplated_vs_actual_with_gaps():
    project = ProjectFactory()
    ministry = OrganisationFactory(name="Ministry", kind=OrganisationKind.GOVERNMENT)
    services.tripartite_set(project=project, stage="FORMULATION", group="GOVERNMENT", contemplated=True,
                            contemplated_description="Design", actual_date=dt.date(2000, 1, 5),
                            actual_organisation=ministry)
    services.tripartite_set(project=project, stage="FORMULATION", group="WORKERS", contemplated=True,
                            contemplated_description="Union consulted")
    services.tripartite_set(project=project, stage="MONITORING", group="EMPLOYERS",
                            actual_date=dt.date(2001, 1, 5), actual_description="Joined the steering committee")
    matrix = selectors.tripartite_matrix(selectors.project_detail(pk=project.pk))
    assert [row.stage for row in matrix.rows] == ["FORMULATION", "APPROVAL", "IMPLEMENTATION", "MANAGEMENT",
                                                  "MONITORING", "EVALUATION"]
    assert [code for code, _label in matrix.groups] == ["GOVERNMENT", "EMPLOYERS", "WORKERS"]
    assert (matrix.contemplated_count, matrix.actual_count) == (2, 2)
    assert [(c.stage, c.group) for c in matrix.gaps] == [("FORMULATION", "WORKERS")]
    monitoring = matrix.rows[4].cells[1]
    assert monitoring.is_unplanned and not monitoring.is_gap


def test_my_projects_units_backstopping_and_official():
    mine, other = UnitFactory(code="MINE"), UnitFactory(code="OTHER")
    officer = UserFactory(role=Role.OFFICER, units=[mine])
    responsible = ProjectFactory(responsible_unit=mine)
    backstopped = ProjectFactory(responsible_unit=other, backstopping_unit=mine)
    official = ProjectFactory(responsible_unit=other, responsible_official=officer)
    ProjectFactory(responsible_unit=other)
    assert set(selectors.my_projects(officer)) == {responsible, backstopped, official}


def test_project_history_merges_project_children_and_date_revisions(project_fields):
    user = UserFactory(username="olivia", units=[project_fields["responsible_unit"]])  # an officer of its unit
    project = services.project_create(user=user, **project_fields)
    services.project_update(project=project, user=user, version=1, title="Renamed")
    services.partner_add(project=project, organisation=OrganisationFactory(name="NORAD donor"), role="FUNDING",
                         user=user)
    services.project_revise_date(project=project, field="planned_end", new_value=dt.date(2002, 12, 31),
                                 reason="No-cost extension", user=user)
    history = selectors.project_history(project)
    assert history[0].when >= history[-1].when
    title_change = next(e for e in history if any(c.field == "title" for c in e.changes))
    change = next(c for c in title_change.changes if c.field == "title")
    assert (change.old, change.new) == ("Skills for youth employment", "Renamed")
    assert title_change.who == user
    partner = next(e for e in history if e.record.startswith("Partner"))
    assert partner.action == "created" and "NORAD donor" in partner.record
    revision = next(e for e in history if e.action == selectors.DATE_REVISED)
    assert revision.reason == "No-cost extension"
    assert (revision.changes[0].old, revision.changes[0].new) == ("28/02/2002", "31/12/2002")


def test_history_shows_country_changes(project_fields, ref):
    project = services.project_create(**project_fields)
    services.project_update(project=project, version=1, countries=[ref.kenya])
    entries = selectors.project_history(project)
    countries = [c for e in entries for c in e.changes if c.field == "countries"]
    assert countries and "Kenya" in countries[0].new


def test_filterset_covers_classification_and_text(ref):
    a = ProjectFactory(title="Child labour in mines", symbol="KEN/00/01/NOR", status="ONGOING",
                       funding_source=ref.rbtc, gender_marker=2, is_crisis_response=True, countries=[ref.kenya])
    b = ProjectFactory(title="Skills", symbol="PER/00/01/USA", status="PIPELINE", funding_source=ref.xbtc,
                       gender_marker=0, countries=[ref.peru])

    def symbols(**params):
        return {p.symbol for p in ProjectFilterSet(params, queryset=Project.objects.all()).qs}

    assert symbols(q="child") == {a.symbol}
    assert symbols(q="PER/00") == {b.symbol}
    assert symbols(status=["ONGOING", "PIPELINE"]) == {a.symbol, b.symbol}
    assert symbols(budget_type="REGULAR") == {a.symbol}
    assert symbols(funding_source=ref.xbtc.pk) == {b.symbol}
    assert symbols(country="KEN") == {a.symbol}
    assert symbols(gender_marker="2") == {a.symbol}
    assert symbols(is_crisis_response="true") == {a.symbol}
    assert symbols(unit=a.responsible_unit.pk) == {a.symbol}
    assert symbols(objective=a.strategic_objective.pk) == {a.symbol, b.symbol}
    assert symbols(programme=a.primary_programme.pk) == {a.symbol, b.symbol}
    assert symbols(ldc="false") == {a.symbol, b.symbol}
