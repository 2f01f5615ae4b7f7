"""The project edit page, checked by the web base class: who may open it, errors at the field, the history row."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role
from projects.models import Project
from tests.factories import ProjectFactory, UnitFactory, UserFactory
from tests.projects import test_views as view_tests
from tests.web.base import FormPageTests, Page


class TestProjectEditPage(FormPageTests):
    history_reason = "Donor agreed a no-cost extension"

    def make(self) -> Page:
        unit = UnitFactory(code="CO-DAKAR")
        project = ProjectFactory(responsible_unit=unit, planned_start=dt.date(2000, 1, 1),
                                 planned_end=dt.date(2001, 12, 31))
        return Page(objects={"project": project},
                    allowed=[UserFactory(role=Role.OFFICER, units=[unit]), UserFactory(role=Role.ADMIN)],
                    refused=[UserFactory(role=Role.OFFICER, units=[UnitFactory(code="CO-LIMA")]),
                             UserFactory(role=Role.EVALUATION)])

    def url(self, page):
        return reverse("projects:edit", args=[page.project.pk])

    def _form(self, page, client, **changes):
        return view_tests.page_data(client.get(self.url(page)), **changes)

    def valid_data(self, page, client):
        return self._form(page, client, planned_end="2002-06-30", date_reason=self.history_reason)

    def invalid_data(self, page, client):
        return self._form(page, client, planned_end="2002-06-30"), "planned_end"  # a revised date needs a reason

    def written(self, page):
        return Project.objects.get(pk=page.project.pk)


def _dakar_project_and_users():
    unit = UnitFactory(code="CO-DAKAR")
    project = ProjectFactory(responsible_unit=unit, status="PIPELINE", planned_start=dt.date(2000, 1, 1),
                             planned_end=dt.date(2001, 12, 31))
    allowed = [UserFactory(role=Role.OFFICER, units=[unit]), UserFactory(role=Role.MANAGER, units=[unit])]
    refused = [UserFactory(role=Role.OFFICER, units=[UnitFactory(code="CO-LIMA")]), UserFactory(role=Role.EVALUATION)]
    return project, allowed, refused


class TestProjectCreatePage(FormPageTests):
    """Registering a project with its partners and tripartite rows (ProjectCreate)."""

    @pytest.fixture
    def page(self, ref) -> Page:
        self.ref = ref
        return self.make()

    def make(self) -> Page:
        unit = UnitFactory(code="CO-DAKAR")
        return Page(objects={"unit": unit},
                    allowed=[UserFactory(role=Role.OFFICER, units=[unit]), UserFactory(role=Role.ADMIN)],
                    refused=[UserFactory(role=Role.EVALUATION), UserFactory(role=Role.SECRETARIAT)])

    def url(self, page):
        return reverse("projects:create")

    def valid_data(self, page, client):
        ref = self.ref
        return view_tests.page_data(
            client.get(self.url(page)), partners=[{"organisation": ref.norad.pk, "role": "FUNDING"}],
            symbol="SEN/00/01/NOR", title="Skills for youth employment", status="PIPELINE",
            planned_start="2000-03-01", planned_end="2002-02-28", strategic_objective=str(ref.so2.pk),
            primary_programme=str(ref.skills.pk), region=str(ref.africa.pk), countries=[str(ref.kenya.pk)],
            funding_source=str(ref.xbtc.pk), donor=str(ref.norad.pk), responsible_unit=str(page.unit.pk),
            gender_marker="1")

    def invalid_data(self, page, client):
        return {**self.valid_data(page, client), "planned_end": "1999-01-01"}, "planned_end"

    def state(self, page):
        return Project.objects.count(), Project.history.count()

    def written(self, page):
        return Project.objects.get(symbol="SEN/00/01/NOR")

    def test_the_partner_row_is_saved_with_the_project_and_the_page_says_so(self, client, page):
        user = page.allowed[0]
        response = self._client(client, user).post(self.url(page), self.valid_data(page, client))
        project = self.written(page)
        assert response.url == reverse("projects:detail", args=[project.pk])
        assert list(project.partners.values_list("role", flat=True)) == ["FUNDING"]
        assert "Project SEN/00/01/NOR registered." in client.get(response.url).content.decode()


class TestProjectStatusPage(FormPageTests):
    """A status change along the allowed transitions, the version checked (ProjectStatusChange)."""

    def make(self) -> Page:
        project, allowed, refused = _dakar_project_and_users()
        return Page(objects={"project": project}, allowed=allowed, refused=refused)

    def url(self, page):
        return reverse("projects:status", args=[page.project.pk])

    def valid_data(self, page, client):
        return {"status": "APPROVED", "version": page.project.version}

    def invalid_data(self, page, client):
        return {"status": "CLOSED", "version": page.project.version}, "status"  # not a transition from PIPELINE

    def written(self, page):
        return Project.objects.get(pk=page.project.pk)

    def test_a_stale_version_is_refused_in_the_form(self, client, page):
        self._client(client, page.allowed[0])
        response = client.post(self.url(page), {"status": "APPROVED", "version": page.project.version - 1})
        assert response.status_code == 200 and response.context["stale"]
        assert self.written(page).status == "PIPELINE"


class TestProjectDateRevisionPage(FormPageTests):
    """A date revised with its reason, kept in the history (ProjectDateRevision)."""

    history_reason = "No-cost extension"

    def make(self) -> Page:
        project, allowed, refused = _dakar_project_and_users()
        return Page(objects={"project": project}, allowed=allowed, refused=refused)

    def url(self, page):
        return reverse("projects:revise_date", args=[page.project.pk])

    def valid_data(self, page, client):
        return {"field": "planned_end", "new_value": "2002-12-31", "reason": self.history_reason,
                "version": page.project.version}

    def invalid_data(self, page, client):
        return {**self.valid_data(page, client), "reason": ""}, "reason"

    def written(self, page):
        return Project.objects.get(pk=page.project.pk)

    def test_it_goes_back_to_the_history_tab(self, client, page):
        response = self._client(client, page.allowed[0]).post(self.url(page), self.valid_data(page, client))
        assert response.url == reverse("projects:detail", args=[page.project.pk]) + "?tab=history"
        assert self.written(page).planned_end == dt.date(2002, 12, 31)
