"""The project edit page, checked by the web base class: who may open it, errors at the field, the history row."""

import datetime as dt

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
