"""The results-framework pages (ServiceFormView), checked by the web base class."""

from decimal import Decimal

from django.urls import reverse

from accounts.models import Role
from evaluation.models import IndicatorPeriod, Result
from tests.evaluation.factories import PeriodFactory, ResultFactory
from tests.factories import ProjectFactory, UnitFactory, UserFactory
from tests.web.base import FormPageTests, Page


def _project_and_users():
    unit = UnitFactory(code="CO-DAKAR")
    project = ProjectFactory(responsible_unit=unit)
    allowed = [UserFactory(role=Role.OFFICER, units=[unit]), UserFactory(role=Role.MANAGER, units=[unit])]
    refused = [UserFactory(role=Role.OFFICER, units=[UnitFactory(code="CO-LIMA")]),
               UserFactory(role=Role.EVALUATION)]
    return project, allowed, refused


class TestResultEditPage(FormPageTests):
    def make(self) -> Page:
        project, allowed, refused = _project_and_users()
        return Page(objects={"result": ResultFactory(project=project)}, allowed=allowed, refused=refused)

    def url(self, page):
        return reverse("evaluation:result_edit", args=[page.result.pk])

    def valid_data(self, page, client):
        return {"kind": "OUTPUT", "title": "Trainers trained"}

    def invalid_data(self, page, client):
        return {"kind": "OUTPUT", "title": ""}, "title"

    def written(self, page):
        return Result.objects.get(pk=page.result.pk)


class TestTargetRevisionPage(FormPageTests):
    history_reason = "More funds"

    def make(self) -> Page:
        project, allowed, refused = _project_and_users()
        period = PeriodFactory(indicator__result__project=project, target=Decimal("50"))
        return Page(objects={"period": period}, allowed=allowed, refused=refused)

    def url(self, page):
        return reverse("evaluation:target_revise", args=[page.period.pk])

    def valid_data(self, page, client):
        return {"new_target": "60", "reason": self.history_reason}

    def invalid_data(self, page, client):
        return {"new_target": "60", "reason": ""}, "reason"

    def written(self, page):
        return IndicatorPeriod.objects.get(pk=page.period.pk)
