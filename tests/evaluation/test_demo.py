import datetime as dt

import pytest

from evaluation import selectors
from evaluation.demo import seed_results
from evaluation.models import (
    Evaluation,
    EvaluationStatus,
    IndicatorPeriod,
    Lesson,
    ManagementResponse,
    Recommendation,
    Result,
)
from projects.demo import DEMO_AS_OF
from projects.models import ProjectStatus
from tests.evaluation.factories import allocate
from tests.factories import ProgrammeFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _portfolio():
    projects = []
    for number, (amount, code) in enumerate([("300000", "SKILLS"), ("2000000", "IPEC"), ("7000000", "SEED"),
                                             ("900000", "SKILLS"), ("1500000", "DIALOGUE"), ("6000000", "IPEC")] * 3):
        project = ProjectFactory(primary_programme=ProgrammeFactory(code=code),
                                 planned_start=dt.date(1999 + number % 2, 1, 1),
                                 planned_end=dt.date(2001 + number % 3, 6, 30))
        allocate(project, amount)
        projects.append(project)
    ProjectFactory(status=ProjectStatus.PIPELINE)
    return projects


def _rows(queryset):
    return sorted(map(str, queryset))  # the rows hold None: compare their text


def _snapshot():
    return (_rows(Evaluation.objects.values_list("title", "status", "planned_date", "actual_date", "relevance")),
            _rows(IndicatorPeriod.objects.values_list("indicator__title", "start", "target", "actual")),
            _rows(Recommendation.objects.values_list("text", "response__response", "response__follow_up_status")),
            _rows(Lesson.objects.values_list("title", "project__symbol", "is_validated")))


def test_seed_results_is_realistic_deterministic_and_leaves_seeded_projects_alone():
    _portfolio()
    messages = []
    seed_results(seed=1, projects=18, log=messages.append)
    assert Result.objects.filter(project__status=ProjectStatus.PIPELINE).count() == 0
    assert Result.objects.values("project").distinct().count() == 18
    assert Evaluation.objects.filter(status=EvaluationStatus.COMPLETED, relevance__isnull=False).exists()
    assert Evaluation.objects.filter(status=EvaluationStatus.PLANNED, planned_date__lt=DEMO_AS_OF).exists()
    assert Evaluation.objects.filter(type="THEMATIC").exists()
    assert ManagementResponse.objects.filter(response="REJECTED", follow_up_status="NOT_APPLICABLE").exists()
    assert ManagementResponse.objects.filter(follow_up_status="COMPLETED", completion_date__isnull=False).exists()
    assert Lesson.objects.exists()
    for response in ManagementResponse.objects.all():
        response.full_clean()
    for period in IndicatorPeriod.objects.select_related("indicator"):
        period.full_clean()
    assert selectors.indicators_behind(as_of=DEMO_AS_OF), "some indicators should be behind"
    assert selectors.evaluation_gaps(as_of=DEMO_AS_OF), "some evaluations should be overdue or missing"
    first = _snapshot()

    seed_results(seed=1, projects=18, log=messages.append)
    assert _snapshot() == first
    assert "left as they are" in messages[-1]

    for model in (Lesson, Evaluation, Result):
        model.objects.all().delete()
    seed_results(seed=1, projects=18, log=messages.append)
    assert _snapshot() == first
