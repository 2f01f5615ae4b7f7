import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from evaluation.models import (
    Evaluation,
    EvaluationStatus,
    EvaluationTiming,
    EvaluationType,
    FollowUpStatus,
    IndicatorPeriod,
    Lesson,
    ManagementResponse,
    Result,
    TargetRevision,
)
from tests import hostile_files
from tests.evaluation.factories import (
    BaselineFactory,
    EvaluationFactory,
    IndicatorFactory,
    LessonFactory,
    PeriodFactory,
    RecommendationFactory,
    ResultFactory,
    allocate,
)
from tests.factories import ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = [Role.OFFICER, Role.MANAGER, Role.EVALUATION, Role.SECRETARIAT, Role.ADMIN]


@pytest.fixture
def login(client):
    def _login(role, units=()):
        user = UserFactory(role=role, units=list(units))
        client.force_login(user)
        return user
    return _login


@pytest.fixture
def project():
    project = ProjectFactory(responsible_unit=UnitFactory(code="SKILLS"))
    allocate(project, "2500000")
    indicator = IndicatorFactory(result=ResultFactory(project=project), title="Apprentices certified")
    BaselineFactory(indicator=indicator, year=2000, value=Decimal("100"))
    PeriodFactory(indicator=indicator, target=Decimal("500"), actual=Decimal("180"))
    return project


def _read_pages(project, evaluation, lesson):
    return [reverse("evaluation:plan"), reverse("evaluation:dashboard") + "?year=2001",
            reverse("evaluation:detail", args=[evaluation.pk]), reverse("evaluation:lessons"),
            reverse("evaluation:lesson_detail", args=[lesson.pk]),
            reverse("evaluation:project_results", args=[project.pk])]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_pages(client, login, role, project):
    evaluation = EvaluationFactory(projects=[project], status=EvaluationStatus.COMPLETED,
                                   actual_date=dt.date(2001, 5, 1), relevance=5)
    RecommendationFactory(evaluation=evaluation)
    lesson = LessonFactory(project=project, evaluation=evaluation)
    login(role)
    for url in _read_pages(project, evaluation, lesson):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("evaluation:project_results", args=[project.pk]))
    assert b"Apprentices certified" in page.content and b"off track" in page.content  # 20% progress, time gone


def test_pages_need_sign_in(client, project):
    assert client.get(reverse("evaluation:plan")).status_code == 302


@pytest.mark.parametrize(("role", "allowed"), [(Role.OFFICER, False), (Role.MANAGER, False),
                                               (Role.SECRETARIAT, False), (Role.EVALUATION, True),
                                               (Role.ADMIN, True)])
def test_managing_evaluations_needs_the_permission(client, login, role, allowed, project):
    evaluation = EvaluationFactory(projects=[project], status=EvaluationStatus.ONGOING)
    recommendation = RecommendationFactory(evaluation=evaluation)
    lesson = LessonFactory()
    login(role)
    urls = [reverse("evaluation:create"), reverse("evaluation:edit", args=[evaluation.pk]),
            reverse("evaluation:recommendation_create", args=[evaluation.pk]),
            reverse("evaluation:recommendation_edit", args=[recommendation.pk]),
            reverse("evaluation:response_edit", args=[recommendation.pk]),
            reverse("evaluation:lesson_create"), reverse("evaluation:lesson_edit", args=[lesson.pk])]
    for url in urls:
        assert client.get(url).status_code == (200 if allowed else 403), url
    assert (client.post(reverse("evaluation:propose")).status_code == 302) is allowed


@pytest.mark.parametrize(("role", "in_unit", "allowed"), [
    (Role.OFFICER, True, True), (Role.OFFICER, False, False), (Role.MANAGER, True, True),
    (Role.EVALUATION, False, False), (Role.ADMIN, False, True)])
def test_results_editable_by_who_may_change_the_project(client, login, role, in_unit, allowed, project):
    login(role, units=[project.responsible_unit] if in_unit else [])
    indicator = project.results.get().indicators.get()
    period = indicator.periods.get()
    urls = [reverse("evaluation:result_create", args=[project.pk]),
            reverse("evaluation:indicator_create", args=[indicator.result_id]),
            reverse("evaluation:indicator_edit", args=[indicator.pk]),
            reverse("evaluation:baseline_create", args=[indicator.pk]),
            reverse("evaluation:period_create", args=[indicator.pk]),
            reverse("evaluation:period_edit", args=[period.pk]),
            reverse("evaluation:target_revise", args=[period.pk])]
    for url in urls:
        assert client.get(url).status_code == (200 if allowed else 403), url
    page = client.get(reverse("evaluation:project_results", args=[project.pk]))
    assert (b"Add a result" in page.content) is allowed


def test_officer_enters_results_through_the_forms(client, login, project):
    login(Role.OFFICER, units=[project.responsible_unit])
    response = client.post(reverse("evaluation:result_create", args=[project.pk]),
                           {"kind": "OUTPUT", "title": "Trainers trained"})
    assert response.status_code == 302
    result = Result.objects.get(title="Trainers trained")
    client.post(reverse("evaluation:indicator_create", args=[result.pk]),
                {"title": "Trainers certified", "measure": "UNIT", "ascending": "on"})
    indicator = result.indicators.get()
    bad = client.post(reverse("evaluation:period_create", args=[indicator.pk]),
                      {"start": "2001-06-01", "end": "2001-01-01", "target": "40"})
    assert bad.status_code == 200 and "before its start" in bad.content.decode()
    client.post(reverse("evaluation:period_create", args=[indicator.pk]),
                {"start": "2001-01-01", "end": "2001-12-31", "target": "40"})
    period = IndicatorPeriod.objects.get(indicator=indicator)
    refused = client.post(reverse("evaluation:target_revise", args=[period.pk]), {"new_target": "60", "reason": ""})
    assert refused.status_code == 200 and not TargetRevision.objects.exists()
    client.post(reverse("evaluation:target_revise", args=[period.pk]), {"new_target": "60", "reason": "More funds"})
    period.refresh_from_db()
    assert period.target == Decimal("60") and TargetRevision.objects.get().old_target == Decimal("40")


def test_evaluation_officer_records_an_evaluation_and_its_follow_up(client, login, project):
    login(Role.EVALUATION)
    response = client.post(reverse("evaluation:create"), {
        "title": "Final independent evaluation", "projects": [project.pk], "type": "INDEPENDENT", "timing": "FINAL",
        "status": "PLANNED", "planned_date": "2001-10-01", "is_independent": "on"})
    assert response.status_code == 302, response.content.decode()
    evaluation = Evaluation.objects.get()
    client.post(reverse("evaluation:edit", args=[evaluation.pk]), {
        "title": evaluation.title, "projects": [project.pk], "type": "INDEPENDENT", "timing": "FINAL",
        "status": "COMPLETED", "planned_date": "2001-10-01", "actual_date": "2001-11-20", "is_independent": "on",
        "relevance": "5", "efficiency": "3"})
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.COMPLETED and evaluation.relevance == 5
    client.post(reverse("evaluation:recommendation_create", args=[evaluation.pk]),
                {"text": "Involve workers' organisations in the steering committee.", "addressee": "ILO Office",
                 "priority": "HIGH"})
    recommendation = evaluation.recommendations.get()
    refused = client.post(reverse("evaluation:response_edit", args=[recommendation.pk]), {"response": "REJECTED"})
    assert refused.status_code == 200 and "Explain why" in refused.content.decode()
    client.post(reverse("evaluation:response_edit", args=[recommendation.pk]), {
        "response": "ACCEPTED", "action": "Invite the national trade union centre", "owner": "CTA",
        "due_date": "2002-03-31"})
    client.post(reverse("evaluation:follow_up", args=[recommendation.pk]),
                {"status": "COMPLETED", "completion_date": "2002-02-15", "note": "Invited and attending"})
    response = ManagementResponse.objects.get()
    assert response.follow_up_status == FollowUpStatus.COMPLETED
    page = client.get(reverse("evaluation:detail", args=[evaluation.pk]))
    assert "Invite the national trade union centre" in page.content.decode()


def test_propose_button_creates_planned_evaluations(client, login, project):
    login(Role.EVALUATION)
    page = client.get(reverse("evaluation:plan"))
    assert "Propose the missing evaluations" in page.content.decode()
    client.post(reverse("evaluation:propose"))
    assert Evaluation.objects.filter(projects=project, type=EvaluationType.INDEPENDENT,
                                     timing=EvaluationTiming.FINAL).count() == 1


def test_lessons_page_searches_and_filters(client, login):
    LessonFactory(title="Cooperatives", text="Savings groups grew into cooperatives.")
    LessonFactory(title="Inspection", text="Labour inspectors need transport.")
    login(Role.OFFICER)
    page = client.get(reverse("evaluation:lessons"), {"q": "savings"}).content.decode()
    assert "Cooperatives" in page and "Inspection" not in page
    empty = client.get(reverse("evaluation:lessons"), {"q": "zebra"}).content.decode()
    assert "Nothing matches this search" in empty


def test_empty_states_say_what_to_do(client, login):
    login(Role.EVALUATION)
    assert "propose the evaluations" in client.get(reverse("evaluation:plan")).content.decode()
    assert "Add lessons and good practices" in client.get(reverse("evaluation:lessons")).content.decode()
    assert "No evaluation was completed" in client.get(reverse("evaluation:dashboard")).content.decode()


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_plan_query_count_does_not_grow_with_rows(client, login):
    login(Role.EVALUATION)
    url = reverse("evaluation:plan") + "?when=all"
    for _ in range(3):
        allocate(EvaluationFactory(planned_date=dt.date(2001, 1, 1)).projects.get(), "2000000")
    few = _count_queries(client, url)
    for _ in range(27):
        allocate(EvaluationFactory(planned_date=dt.date(2001, 1, 1)).projects.get(), "2000000")
    assert _count_queries(client, url) == few


def test_lessons_query_count_does_not_grow_with_rows(client, login, project):
    login(Role.OFFICER)
    url = reverse("evaluation:lessons")
    LessonFactory.create_batch(3, project=project)
    few = _count_queries(client, url)
    LessonFactory.create_batch(27, project=project)
    assert Lesson.objects.count() == 30
    assert _count_queries(client, url) == few


def test_project_results_query_count_does_not_grow_with_indicators(client, login, project):
    login(Role.OFFICER)
    url = reverse("evaluation:project_results", args=[project.pk])
    few = _count_queries(client, url)
    result = project.results.get()
    for _ in range(10):
        indicator = IndicatorFactory(result=result)
        BaselineFactory(indicator=indicator)
        PeriodFactory(indicator=indicator, actual=Decimal("20"))
    assert _count_queries(client, url) == few


@pytest.mark.parametrize(("name", "content", "accepted"), [
    ("report.pdf", hostile_files.pdf(), True),
    ("report.docx", hostile_files.docx(), True),
    ("report.pdf", b"<html>a web page named .pdf</html>", False),
    ("report.docx", hostile_files.pdf(), False),
    ("report.exe", b"MZ\x90\x00", False),
])
def test_the_report_uploaded_through_the_form_passes_the_gate(client, login, project, name, content, accepted):
    login(Role.EVALUATION)
    evaluation = EvaluationFactory(projects=[project])
    response = client.post(reverse("evaluation:edit", args=[evaluation.pk]), {
        "title": evaluation.title, "projects": [project.pk], "type": evaluation.type, "timing": evaluation.timing,
        "status": evaluation.status, "planned_date": evaluation.planned_date.isoformat(), "is_independent": "on",
        "report": SimpleUploadedFile(name, content)})
    evaluation.refresh_from_db()
    if accepted:
        assert response.status_code == 302, response.context["form"].errors
        assert evaluation.report.name.endswith(name[-5:])
    else:
        assert response.status_code == 200 and not evaluation.report
        assert "is not a" in response.content.decode() or "Only PDF and DOCX" in response.content.decode()
