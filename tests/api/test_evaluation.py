"""/api/v1/results/, indicators/, indicator-periods/, evaluations/, recommendations/, lessons/."""

import datetime as dt
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from evaluation.models import EvaluationStatus, ManagementResponse, TargetRevision
from tests import hostile_files
from tests.api.base import EndpointTests
from tests.evaluation.factories import (
    EvaluationFactory,
    IndicatorFactory,
    LessonFactory,
    PeriodFactory,
    RecommendationFactory,
    ResultFactory,
)
from tests.factories import ProjectFactory

PROJECT_EDITORS = {Role.ADMIN, Role.OFFICER, Role.MANAGER}
EVALUATORS = {Role.ADMIN, Role.EVALUATION}
sequence = itertools.count(1)


def project_in(unit):
    return ProjectFactory(responsible_unit=unit)


class TestResults(EndpointTests):
    basename = "result"
    create_roles = update_roles = PROJECT_EDITORS
    scoped = True

    def make(self, scope, unit):
        return ResultFactory(project=project_in(unit))

    def create_data(self, scope, n):
        return {"project": project_in(scope.unit).pk, "kind": "OUTCOME", "title": f"Youth employed {n}"}

    def update_data(self, result):
        return {"title": f"Renamed {next(sequence)}"}

    def invalid_data(self, scope):
        return {**self.create_data(scope, 0), "kind": "WISH"}, "kind"


class TestIndicators(EndpointTests):
    basename = "indicator"
    create_roles = update_roles = PROJECT_EDITORS
    scoped = True

    def make(self, scope, unit):
        return IndicatorFactory(result=ResultFactory(project=project_in(unit)))

    def create_data(self, scope, n):
        return {"result": ResultFactory(project=project_in(scope.unit)).pk, "title": f"Trainees {n}",
                "measure": "UNIT"}

    def update_data(self, indicator):
        return {"title": f"Trainees placed {next(sequence)}"}

    def invalid_data(self, scope):
        return {**self.create_data(scope, 0), "measure": "FEELING"}, "measure"


class TestIndicatorPeriods(EndpointTests):
    basename = "indicator-period"
    create_roles = update_roles = PROJECT_EDITORS
    scoped = True

    def make(self, scope, unit):
        return PeriodFactory(indicator=IndicatorFactory(result=ResultFactory(project=project_in(unit))))

    def create_data(self, scope, n):
        indicator = IndicatorFactory(result=ResultFactory(project=project_in(scope.unit)))
        return {"indicator": indicator.pk, "start": "2000-01-01", "end": "2000-12-31", "target": "40"}

    def update_data(self, period):
        return {"comment": f"Halfway {next(sequence)}"}

    def invalid_data(self, scope):
        return {**self.create_data(scope, 0), "end": "1999-01-01"}, "end"

    def test_a_target_changes_only_with_its_reason(self, scope):
        period = self.make(scope, scope.unit)
        client = scope.client(Role.OFFICER)
        assert "target" in client.patch(self.detail_url(period), {"target": "90"}, format="json").data
        url = reverse("indicator-period-revise-target", args=[period.pk])
        assert "reason" in client.post(url, {"new_target": "60", "reason": ""}, format="json").data
        revised = client.post(url, {"new_target": "60", "reason": "Budget cut"}, format="json")
        assert revised.status_code == 200 and revised.data["target"] == "60.0000"
        assert TargetRevision.objects.get(period=period).reason == "Budget cut"
        assert scope.client(Role.EVALUATION).post(url, {"new_target": "70", "reason": "x"},
                                                  format="json").status_code == 403


class TestEvaluations(EndpointTests):
    basename = "evaluation"
    create_roles = update_roles = EVALUATORS

    def make(self, scope, unit):
        return EvaluationFactory(projects=[project_in(unit)])

    def create_data(self, scope, n):
        return {"projects": [project_in(scope.unit).pk], "title": f"Final evaluation {n}", "type": "INDEPENDENT",
                "timing": "FINAL", "planned_date": "2001-10-01", "is_independent": True}

    def update_data(self, evaluation):
        return {"evaluator": f"Evaluator {next(sequence)}"}

    def invalid_data(self, scope):
        return {**self.create_data(scope, 0), "projects": []}, "projects"

    @pytest.mark.parametrize(("name", "content", "accepted"), [
        ("report.pdf", hostile_files.pdf(), True),
        ("report.docx", hostile_files.docx(), True),
        ("report.pdf", b"<html>a web page named .pdf</html>", False),
        ("report.docx", hostile_files.pdf(), False),
        ("evil.exe", b"MZ\x90\x00", False),
    ])
    def test_the_report_is_sent_as_a_file_and_passes_the_gate(self, scope, name, content, accepted):
        evaluation = self.make(scope, scope.unit)
        client = scope.client(Role.EVALUATION)
        response = client.patch(self.detail_url(evaluation), {"report": SimpleUploadedFile(name, content)},
                                format="multipart")
        evaluation.refresh_from_db()
        if accepted:
            assert response.status_code == 200 and evaluation.report.name.endswith(name[-5:])
        else:
            assert response.status_code == 400 and list(response.data) == ["report"] and not evaluation.report
        json_body = client.patch(self.detail_url(evaluation), {"report": "report.pdf"}, format="json")
        assert json_body.status_code == 400 and "report" in json_body.data

    def test_status_moves_only_along_the_allowed_transitions(self, scope):
        evaluation = self.make(scope, scope.unit)
        client = scope.client(Role.EVALUATION)
        assert client.patch(self.detail_url(evaluation), {"status": "CANCELLED"}, format="json").status_code == 200
        response = client.patch(self.detail_url(evaluation), {"status": "ONGOING"}, format="json")
        assert response.status_code == 400 and "status" in response.data
        completed = client.patch(self.detail_url(evaluation), {"status": "COMPLETED"}, format="json")
        assert completed.status_code == 400


class TestRecommendations(EndpointTests):
    basename = "recommendation"
    create_roles = update_roles = EVALUATORS

    def completed_evaluation(self, unit):
        return EvaluationFactory(projects=[project_in(unit)], status=EvaluationStatus.COMPLETED,
                                 actual_date=dt.date(2001, 11, 15))

    def make(self, scope, unit):
        return RecommendationFactory(evaluation=self.completed_evaluation(unit))

    def create_data(self, scope, n):
        return {"evaluation": self.completed_evaluation(scope.unit).pk, "text": f"Train the trainers {n}",
                "addressee": "Project management", "priority": "HIGH"}

    def update_data(self, recommendation):
        return {"addressee": f"Regional office {next(sequence)}"}

    def invalid_data(self, scope):
        planned = EvaluationFactory(projects=[project_in(scope.unit)])
        return {**self.create_data(scope, 0), "evaluation": planned.pk}, "evaluation"

    def test_management_response_and_follow_up(self, scope):
        recommendation = self.make(scope, scope.unit)
        client = scope.client(Role.EVALUATION)
        respond = reverse("recommendation-response", args=[recommendation.pk])
        follow = reverse("recommendation-follow-up", args=[recommendation.pk])
        assert "response" in client.post(follow, {"status": "IN_PROGRESS"}, format="json").data
        incomplete = client.post(respond, {"response": "ACCEPTED"}, format="json")
        assert incomplete.status_code == 400
        accepted = client.post(respond, {"response": "ACCEPTED", "action": "Train 20 trainers", "owner": "CO-DAKAR",
                                         "due_date": "2002-06-30"}, format="json")
        assert accepted.status_code == 200, accepted.content
        assert accepted.data["response"]["follow_up_status"] == "NOT_STARTED"
        done = client.post(follow, {"status": "IN_PROGRESS"}, format="json")
        assert done.data["response"]["follow_up_status"] == "IN_PROGRESS"
        assert ManagementResponse.objects.get().follow_up_status == "IN_PROGRESS"
        assert scope.client(Role.OFFICER).post(respond, {"response": "REJECTED"}, format="json").status_code == 403


class TestLessons(EndpointTests):
    basename = "lesson"
    create_roles = update_roles = EVALUATORS

    def make(self, scope, unit):
        return LessonFactory(project=project_in(unit))

    def create_data(self, scope, n):
        return {"kind": "LESSON", "title": f"Apprenticeships {n}", "text": "Employers made it last.",
                "project": project_in(scope.unit).pk}

    def update_data(self, lesson):
        return {"is_validated": True, "title": f"Validated {next(sequence)}"}

    def invalid_data(self, scope):
        return {"kind": "LESSON", "title": "No text"}, "text"

    def test_search_finds_the_words(self, scope):
        LessonFactory(title="Apprenticeship schemes", text="Employers trained apprentices in workshops.")
        LessonFactory(title="Social dialogue", text="Unions negotiated the minimum wage.")
        found = scope.client(Role.SECRETARIAT).get(self.list_url(), {"q": "apprenticeship"}).data
        assert [row["title"] for row in found["results"]] == ["Apprenticeship schemes"]


@pytest.mark.django_db
def test_the_project_filter_of_the_shared_filterset(scope):
    project = project_in(scope.unit)
    EvaluationFactory(projects=[project])
    EvaluationFactory(projects=[project_in(scope.unit)])
    found = scope.client(Role.OFFICER).get(reverse("evaluation-list"), {"project": project.symbol}).data
    assert found["count"] == 1
