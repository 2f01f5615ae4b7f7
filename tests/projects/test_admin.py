"""Data entry in the admin goes through the same validations and keeps history and date revisions."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role
from projects.models import DateRevision, ExpertAssignment, Project
from tests.factories import CountryFactory, ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

INLINE_PREFIXES = ["partners", "tripartite", "experts", "training", "progress_reports", "date_revisions"]


def change_form_data(project: Project, **changes) -> dict:
    data = {
        "symbol": project.symbol, "title": project.title, "summary": "", "status": project.status,
        "planned_start": project.planned_start.isoformat(), "planned_end": project.planned_end.isoformat(),
        "strategic_objective": project.strategic_objective_id, "primary_programme": project.primary_programme_id,
        "region": project.region_id, "funding_source": project.funding_source_id,
        "responsible_unit": project.responsible_unit_id, "gender_marker": project.gender_marker,
        "autonomy_reason": "", "country_objective": "",
    }
    for prefix in INLINE_PREFIXES:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(changes)
    return data


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="ada", role=Role.ADMIN, is_staff=True, is_superuser=True))
    return client


def test_admin_refuses_forbidden_status_change(admin_client):
    project = ProjectFactory(status="PIPELINE")
    url = reverse("admin:projects_project_change", args=[project.pk])
    response = admin_client.post(url, change_form_data(project, status="FINANCIALLY_CLOSED"))
    assert response.status_code == 200
    assert "cannot go from “Pipeline” to “Financially closed”" in response.content.decode()
    assert Project.objects.get(pk=project.pk).status == "PIPELINE"


def test_admin_date_revision_needs_reason_and_is_kept(admin_client):
    project = ProjectFactory(planned_end=dt.date(2001, 12, 31))
    url = reverse("admin:projects_project_change", args=[project.pk])
    response = admin_client.post(url, change_form_data(project, planned_end="2002-06-30"))
    assert response.status_code == 200 and "Give the reason for revising" in response.content.decode()
    response = admin_client.post(url, change_form_data(project, planned_end="2002-06-30",
                                                       date_revision_reason="No-cost extension"))
    assert response.status_code == 302
    revision = DateRevision.objects.get()
    assert (revision.old_value, revision.reason) == (dt.date(2001, 12, 31), "No-cost extension")
    project.refresh_from_db()
    assert project.version == 2 and project.history.first().history_user.username == "ada"


def test_admin_model_clean_applies(admin_client):
    project = ProjectFactory()
    url = reverse("admin:projects_project_change", args=[project.pk])
    response = admin_client.post(url, change_form_data(project, is_autonomous="on"))
    assert "Give the reason why this programme requires autonomy." in response.content.decode()


def test_admin_list_filters_and_search(admin_client):
    ProjectFactory(symbol="KEN/00/01/NOR", title="Child labour")
    ProjectFactory(symbol="SEN/00/01/NOR", title="Skills")
    response = admin_client.get(reverse("admin:projects_project_changelist"), {"q": "child"})
    assert response.status_code == 200 and response.context["cl"].result_count == 1
    assert admin_client.get(reverse("admin:projects_project_history", args=[
        Project.objects.first().pk])).status_code == 200


def test_staff_officer_sees_only_what_rules_allow(client):
    unit = UnitFactory(code="CO-DAKAR")
    officer = UserFactory(role=Role.OFFICER, units=[unit], is_staff=True)
    own, other = ProjectFactory(responsible_unit=unit), ProjectFactory()
    client.force_login(officer)
    own_form = client.get(reverse("admin:projects_project_change", args=[own.pk]))
    other_form = client.get(reverse("admin:projects_project_change", args=[other.pk]))
    assert b'name="_save"' in own_form.content
    assert b'name="_save"' not in other_form.content  # read-only view


def test_admin_refuses_a_stale_form(admin_client):
    project = ProjectFactory(title="First title")
    url = reverse("admin:projects_project_change", args=[project.pk])
    assert b'name="opened_version"' in admin_client.get(url).content
    assert admin_client.post(url, change_form_data(project, title="Second title", opened_version=1)).status_code == 302
    response = admin_client.post(url, change_form_data(project, title="Stale edit", opened_version=1))
    assert response.status_code == 200
    assert "your version 1, now 2" in response.content.decode()
    assert Project.objects.get(pk=project.pk).title == "Second title"


def test_admin_registers_through_the_service(admin_client):
    template = ProjectFactory()
    response = admin_client.post(reverse("admin:projects_project_add"),
                                 change_form_data(template, symbol="GLO/01/01/XYZ"))
    assert response.status_code == 302
    created = Project.objects.get(symbol="GLO/01/01/XYZ")
    assert created.version == 1
    assert created.history.get(history_type="+").history_user.username == "ada"


def test_admin_refuses_an_edit_made_stale_while_it_was_saved(admin_client, monkeypatch):
    """Someone saves between the form's checks and the write: the service's row lock and version check refuse it,
    the admin says so and rolls everything back (no lost update)."""
    from projects import services

    project = ProjectFactory(title="First title")
    real_update = services.project_update

    def update_after_a_concurrent_save(*, project, **kwargs):
        Project.objects.filter(pk=project.pk).update(title="Saved meanwhile", version=2)
        return real_update(project=project, **kwargs)

    monkeypatch.setattr(services, "project_update", update_after_a_concurrent_save)
    url = reverse("admin:projects_project_change", args=[project.pk])
    response = admin_client.post(url, change_form_data(project, title="Stale edit", opened_version=1), follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "your version 1, now 2" in response.content.decode()
    assert Project.objects.get(pk=project.pk).title == "First title"  # the whole save was rolled back


def test_admin_inline_and_record_pages_write_through_the_records_services(admin_client):
    project = ProjectFactory()
    expert = ExpertAssignment.objects.create(project=project, nationality=CountryFactory(),
                                             year=2000, work_months=3)
    response = admin_client.post(reverse("admin:projects_expertassignment_delete", args=[expert.pk]), {"post": "yes"})
    assert response.status_code == 302 and not ExpertAssignment.objects.exists()
    removed = ExpertAssignment.history.get(history_type="-")
    assert removed.history_user.username == "ada"


def test_admin_deletes_a_project_through_the_service(admin_client):
    project = ProjectFactory()
    response = admin_client.post(reverse("admin:projects_project_delete", args=[project.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Project.objects.filter(pk=project.pk).exists()
    assert Project.history.get(history_type="-", id=project.pk).history_user.username == "ada"
