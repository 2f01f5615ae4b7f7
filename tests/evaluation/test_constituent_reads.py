"""What a constituent reads through the API of a project's results and evaluations (issue 18.2): the results,
indicators and periods, the evaluation summaries and the validated lessons of the projects they see, and none of
another project's; an evaluation without its budget, evaluator or report; a lesson without who wrote it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from evaluation.models import EvaluationStatus
from tests.constituents import Portfolio
from tests.evaluation.factories import (
    EvaluationFactory,
    IndicatorFactory,
    LessonFactory,
    PeriodFactory,
    ResultFactory,
)

pytestmark = pytest.mark.django_db
DONE = dt.date(2001, 9, 30)


@pytest.fixture
def world():
    portfolio = Portfolio()  # the workers (Senegal) see the Senegal project, not Peru's
    seen, unseen = portfolio.sen_project, portfolio.per_project
    rows = {}
    for side, project in (("seen", seen), ("unseen", unseen)):
        result = ResultFactory(project=project)
        indicator = IndicatorFactory(result=result)
        rows[side] = {"result": result, "indicator": indicator, "period": PeriodFactory(indicator=indicator),
                      "evaluation": EvaluationFactory(projects=[project], status=EvaluationStatus.COMPLETED,
                                                      actual_date=DONE,
                                                      summary=f"What the evaluators found on {project.symbol}",
                                                      budget_usd=Decimal("25000"), evaluator="Ms Evaluator")}
    rows["seen"]["lesson"] = LessonFactory(project=seen, is_validated=True)
    rows["seen"]["lesson_of_evaluation"] = LessonFactory(evaluation=rows["seen"]["evaluation"], is_validated=True)
    rows["seen"]["draft_lesson"] = LessonFactory(project=seen, is_validated=False)
    rows["unseen"]["lesson"] = LessonFactory(project=unseen, is_validated=True)
    client = APIClient()
    client.force_authenticate(portfolio.users["workers"])
    return client, rows


def _ids(client, route: str) -> set[int]:
    answer = client.get(reverse(f"{route}-list"), {"when": "all"} if route == "evaluation" else {})
    assert answer.status_code == 200, answer.content
    return {row["id"] for row in answer.json()["results"]}


@pytest.mark.parametrize("route", ["result", "indicator", "indicator-period", "evaluation"])
def test_the_records_of_the_projects_they_see_and_none_other(world, route):
    client, rows = world
    key = route.replace("indicator-period", "period")
    assert _ids(client, route) == {rows["seen"][key].pk}
    assert client.get(reverse(f"{route}-detail", args=[rows["seen"][key].pk])).status_code == 200
    assert client.get(reverse(f"{route}-detail", args=[rows["unseen"][key].pk])).status_code == 404


def test_validated_lessons_of_their_projects_directly_or_through_an_evaluation(world):
    client, rows = world
    assert _ids(client, "lesson") == {rows["seen"]["lesson"].pk, rows["seen"]["lesson_of_evaluation"].pk}
    lesson = client.get(reverse("lesson-detail", args=[rows["seen"]["lesson"].pk])).json()
    assert "created_by" not in lesson and lesson["title"] == rows["seen"]["lesson"].title
    for hidden in (rows["seen"]["draft_lesson"], rows["unseen"]["lesson"]):
        assert client.get(reverse("lesson-detail", args=[hidden.pk])).status_code == 404


def test_an_evaluation_reads_as_its_summary(world):
    client, rows = world
    evaluation = client.get(reverse("evaluation-detail", args=[rows["seen"]["evaluation"].pk])).json()
    assert evaluation["summary"] == "What the evaluators found on SEN/00/01/USA"
    assert not {"budget_usd", "evaluator", "report", "relevance"} & set(evaluation)


def test_they_change_none_of_it(world):
    client, rows = world
    result = rows["seen"]["result"]
    assert client.patch(reverse("result-detail", args=[result.pk]), {"title": "Ours now"},
                        format="json").status_code == 403
    assert client.patch(reverse("evaluation-detail", args=[rows["seen"]["evaluation"].pk]), {"summary": "x"},
                        format="json").status_code == 403
    result.refresh_from_db()
    assert result.title != "Ours now"
