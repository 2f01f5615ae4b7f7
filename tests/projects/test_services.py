"""The register's write path: status changes, optimistic locking, date revisions, child records, history."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from partners.models import OrganisationKind
from projects import services
from projects.models import (
    ALLOWED_TRANSITIONS,
    DateRevision,
    ExpertAssignment,
    Project,
    ProjectPartner,
    ProjectStatus,
    TripartiteInvolvement,
)
from tests.factories import OrganisationFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

ALL_PAIRS = [(old, new) for old, new in itertools.product(ProjectStatus.values, repeat=2) if old != new]
ALLOWED = [(old, new) for old, new in ALL_PAIRS if new in ALLOWED_TRANSITIONS[old]]
REFUSED = [(old, new) for old, new in ALL_PAIRS if new not in ALLOWED_TRANSITIONS[old]]


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_allowed_status_change(old, new):
    project = ProjectFactory(status=old)
    changed = services.project_change_status(project=project, status=new, version=project.version)
    assert changed.status == new
    assert changed.version == project.version + 1
    assert Project.objects.get(pk=project.pk).status == new


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_refused_status_change_names_from_and_to(old, new):
    project = ProjectFactory(status=old)
    with pytest.raises(ValidationError) as info:
        services.project_change_status(project=project, status=new)
    message = info.value.message_dict["status"][0]
    assert f"from “{ProjectStatus(old).label}” to “{ProjectStatus(new).label}”" in message
    assert Project.objects.get(pk=project.pk).status == old


def test_transition_table_covers_every_status_and_final_states_are_final():
    assert set(ALLOWED_TRANSITIONS) == set(ProjectStatus.values)
    assert not ALLOWED_TRANSITIONS[ProjectStatus.FINANCIALLY_CLOSED]
    assert len(ALLOWED) + len(REFUSED) == 7 * 6


def test_unknown_status_is_refused():
    project = ProjectFactory(status="ONGOING")
    with pytest.raises(ValidationError) as info:
        services.project_change_status(project=project, status="FINISHED")
    assert "“FINISHED” is not a project status" in info.value.message_dict["status"][0]


def test_update_records_history_with_user(project_fields):
    user = UserFactory(units=[project_fields["responsible_unit"]])
    project = services.project_create(user=user, **project_fields)
    services.project_update(project=project, user=user, version=1, title="Skills for young women and men")
    project.refresh_from_db()
    assert project.version == 2
    latest = project.history.first()
    assert latest.history_user == user and latest.title == "Skills for young women and men"
    assert project.history.count() == 2


def test_stale_version_is_refused_with_what_changed(project_fields):
    unit = [project_fields["responsible_unit"]]
    alice, bob = UserFactory(username="alice", units=unit), UserFactory(username="bob", units=unit)
    project = services.project_create(user=alice, **project_fields)
    services.project_update(project=project, user=bob, version=1, title="Renamed by Bob")
    with pytest.raises(services.StaleVersionError) as info:
        services.project_update(project=project, user=alice, version=1, gender_marker=2)
    message = info.value.message_dict["version"][0]
    assert "bob" in message and "your version 1, now 2" in message
    assert "title: “Skills for youth employment” → “Renamed by Bob”" in message
    assert Project.objects.get(pk=project.pk).gender_marker == 1


def test_update_refuses_forbidden_status_change():
    project = ProjectFactory(status="PIPELINE")
    with pytest.raises(ValidationError) as info:
        services.project_update(project=project, version=project.version, status="ONGOING", title="New")
    assert "status" in info.value.message_dict
    project.refresh_from_db()
    assert project.title != "New" and project.status == "PIPELINE"


def test_changing_a_date_needs_a_reason_and_keeps_the_earlier_value(project_fields):
    project = services.project_create(**project_fields)
    with pytest.raises(ValidationError) as info:
        services.project_update(project=project, version=1, planned_end=dt.date(2002, 6, 30))
    assert "planned_end" in info.value.message_dict
    services.project_update(project=project, version=1, planned_end=dt.date(2002, 6, 30),
                            date_reason="Donor agreed a no-cost extension")
    revision = DateRevision.objects.get(project=project)
    assert (revision.field, revision.old_value, revision.new_value) == (
        "planned_end", dt.date(2002, 2, 28), dt.date(2002, 6, 30))
    assert revision.reason == "Donor agreed a no-cost extension"


def test_setting_a_first_actual_date_is_no_revision(project_fields):
    project = services.project_create(**project_fields)
    services.project_update(project=project, version=1, actual_start=dt.date(2000, 4, 1))
    assert not DateRevision.objects.exists()


def test_revise_date_keeps_old_value_and_reason():
    project = ProjectFactory(planned_end=dt.date(2001, 12, 31))
    user = UserFactory(units=[project.responsible_unit])
    revision = services.project_revise_date(project=project, field="planned_end", new_value=dt.date(2002, 6, 30),
                                            reason="Recruitment delays", user=user)
    assert revision.old_value == dt.date(2001, 12, 31) and revision.revised_by == user
    project.refresh_from_db()
    assert project.planned_end == dt.date(2002, 6, 30)
    assert project.history.first().history_change_reason == "Recruitment delays"


def test_revise_date_without_reason_or_out_of_order_changes_nothing():
    project = ProjectFactory(planned_start=dt.date(2000, 1, 1), planned_end=dt.date(2001, 12, 31))
    with pytest.raises(ValidationError) as info:
        services.project_revise_date(project=project, field="planned_end", new_value=dt.date(2002, 1, 1), reason=" ")
    assert "reason" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.project_revise_date(project=project, field="planned_end", new_value=dt.date(1999, 1, 1),
                                     reason="typo")
    assert "planned_end" in info.value.message_dict
    assert not DateRevision.objects.exists()
    project.refresh_from_db()
    assert project.planned_end == dt.date(2001, 12, 31)


def test_update_that_fails_validation_leaves_project_and_revisions_untouched(project_fields):
    project = services.project_create(**project_fields)
    with pytest.raises(ValidationError):
        services.project_update(project=project, version=1, planned_start=dt.date(2003, 1, 1),
                                date_reason="moved", title="Changed")
    project.refresh_from_db()
    assert project.title == "Skills for youth employment" and project.version == 1
    assert not DateRevision.objects.exists()


def test_partner_add_and_remove():
    project = ProjectFactory()
    donor = OrganisationFactory()
    partner = services.partner_add(project=project, organisation=donor, role="FUNDING")
    with pytest.raises(ValidationError):
        services.partner_add(project=project, organisation=donor, role="FUNDING")
    with pytest.raises(ValidationError) as info:
        services.partner_add(project=project, organisation=donor, role="SPONSOR")
    assert "role" in info.value.message_dict
    services.partner_remove(partner=partner)
    assert not ProjectPartner.objects.exists()
    assert ProjectPartner.history.filter(history_type="-").count() == 1


def test_tripartite_set_creates_then_updates_the_cell():
    project = ProjectFactory()
    ministry = OrganisationFactory(name="Ministry of Labour", kind=OrganisationKind.GOVERNMENT)
    services.tripartite_set(project=project, stage="FORMULATION", group="GOVERNMENT", contemplated=True,
                            contemplated_description="Design workshop")
    cell = services.tripartite_set(project=project, stage="FORMULATION", group="GOVERNMENT",
                                   actual_date=dt.date(2000, 2, 1), actual_organisation=ministry, women=4, men=6)
    assert TripartiteInvolvement.objects.count() == 1
    assert cell.contemplated and cell.is_actual and not cell.is_gap


def test_tripartite_set_refuses_wrong_constituent_and_saves_nothing():
    project = ProjectFactory()
    union = OrganisationFactory(name="Trade union", kind=OrganisationKind.WORKERS)
    with pytest.raises(ValidationError) as info:
        services.tripartite_set(project=project, stage="APPROVAL", group="EMPLOYERS",
                                actual_date=dt.date(2000, 2, 1), actual_organisation=union)
    assert "actual_organisation" in info.value.message_dict
    assert not TripartiteInvolvement.objects.exists()


def test_expert_training_and_report_creation_validate(ref):
    project = ProjectFactory()
    expert = services.expert_create(project=project, nationality=ref.kenya, year=2000, work_months=Decimal("4.5"))
    assert expert.pk and expert.category == "INTERNATIONAL"  # Kenya is not one of the project's countries
    project.countries.add(ref.kenya)
    assert ExpertAssignment.objects.with_category().get().category == "NATIONAL"
    with pytest.raises(ValidationError):
        services.expert_create(project=project, nationality=ref.kenya, year=2000, work_months=0)
    training = services.training_create(project=project, title="SIYB", start_date=dt.date(2000, 5, 1),
                                        end_date=dt.date(2000, 5, 3), women=10, men=8, is_turin_centre=True)
    assert training.is_turin_centre
    with pytest.raises(ValidationError):
        services.training_create(project=project, title="x", start_date=dt.date(2000, 5, 3),
                                 end_date=dt.date(2000, 5, 1))
    report = services.progress_report_create(project=project, period_end=dt.date(2000, 6, 30),
                                             due_date=dt.date(2000, 8, 31))
    assert report.submitted_date is None
    with pytest.raises(ValidationError) as info:
        services.progress_report_create(project=project, period_end=dt.date(2000, 6, 30),
                                        due_date=dt.date(2000, 9, 30))
    assert "__all__" in info.value.message_dict  # same period twice
    assert project.progress_reports.count() == 1 and project.training.count() == 1 and project.experts.count() == 1
