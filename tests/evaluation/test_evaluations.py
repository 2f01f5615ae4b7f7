import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluation import selectors, services
from evaluation.models import (
    Evaluation,
    EvaluationStatus,
    EvaluationTiming,
    EvaluationType,
    FollowUpStatus,
    RequiredEvaluationRule,
    ResponseKind,
)
from evaluation.selectors import AMBER, RED
from projects.models import ProjectStatus
from tests.evaluation.factories import EvaluationFactory, RecommendationFactory, allocate
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

SELF_FINAL = (EvaluationType.SELF, EvaluationTiming.FINAL)
INDEPENDENT_FINAL = (EvaluationType.INDEPENDENT, EvaluationTiming.FINAL)
INDEPENDENT_MID_TERM = (EvaluationType.INDEPENDENT, EvaluationTiming.MID_TERM)


# ---------------------------------------------------------------- required evaluations


def test_default_rules_are_created_by_the_data_migration():
    assert RequiredEvaluationRule.objects.count() == 3


@pytest.mark.parametrize(("budget", "expected"), [
    ("0", []),
    ("1", [SELF_FINAL]),
    ("999999.99", [SELF_FINAL]),
    ("1000000", [SELF_FINAL]),  # "above US$1m" is strictly above
    ("1000000.01", [INDEPENDENT_FINAL]),
    ("4999999.99", [INDEPENDENT_FINAL]),
    ("5000000", [INDEPENDENT_FINAL]),
    ("5000000.01", [INDEPENDENT_MID_TERM, INDEPENDENT_FINAL]),
    ("12000000", [INDEPENDENT_MID_TERM, INDEPENDENT_FINAL]),
])
def test_required_evaluations_at_the_thresholds(budget, expected):
    project = ProjectFactory()
    if Decimal(budget):
        # split over two years and sources: the budget is the sum of all allocations
        half = (Decimal(budget) / 2).quantize(Decimal("0.01"))
        allocate(project, half, year=2000, source_code="XBTC")
        allocate(project, Decimal(budget) - half, year=2001, source_code="TRUST")
    assert selectors.required_evaluations(project) == expected


def test_rules_are_configurable():
    RequiredEvaluationRule.objects.create(min_budget_usd=Decimal("0"), max_budget_usd=Decimal("1000000"),
                                          type=EvaluationType.INTERNAL, timing=EvaluationTiming.MID_TERM)
    project = ProjectFactory()
    allocate(project, "300000")
    assert selectors.required_evaluations(project) == [(EvaluationType.INTERNAL, EvaluationTiming.MID_TERM),
                                                       SELF_FINAL]


def test_rule_range_must_be_in_order():
    rule = RequiredEvaluationRule(min_budget_usd=Decimal("5"), max_budget_usd=Decimal("5"),
                                  type=EvaluationType.SELF, timing=EvaluationTiming.FINAL)
    with pytest.raises(ValidationError):
        rule.full_clean()


def test_proposal_creates_missing_planned_evaluations_and_is_idempotent():
    big = ProjectFactory(planned_start=dt.date(2000, 1, 1), planned_end=dt.date(2001, 12, 31))
    allocate(big, "6000000")
    small = ProjectFactory()
    allocate(small, "200000")
    pipeline = ProjectFactory(status=ProjectStatus.PIPELINE)
    allocate(pipeline, "200000")

    created = services.evaluation_plan_propose()
    assert len(created) == 3
    by_key = {(e.projects.get().pk, e.type, e.timing): e for e in Evaluation.objects.all()}
    mid_term = by_key[(big.pk, EvaluationType.INDEPENDENT, EvaluationTiming.MID_TERM)]
    final = by_key[(big.pk, EvaluationType.INDEPENDENT, EvaluationTiming.FINAL)]
    assert mid_term.planned_date == dt.date(2000, 12, 31)  # half of the 730 days
    assert final.planned_date == dt.date(2001, 9, 30)  # three months before the planned end
    assert final.status == EvaluationStatus.PLANNED and final.is_independent
    assert (small.pk, EvaluationType.SELF, EvaluationTiming.FINAL) in by_key

    assert services.evaluation_plan_propose() == []
    assert services.evaluation_plan_propose(project=big) == []
    assert Evaluation.objects.count() == 3


def test_an_independent_evaluation_satisfies_a_self_evaluation_requirement_but_not_the_reverse():
    small = ProjectFactory()
    allocate(small, "200000")
    EvaluationFactory(projects=[small], type=EvaluationType.INDEPENDENT, timing=EvaluationTiming.FINAL)
    big = ProjectFactory()
    allocate(big, "2000000")
    EvaluationFactory(projects=[big], type=EvaluationType.SELF, timing=EvaluationTiming.FINAL)
    created = services.evaluation_plan_propose()
    assert [(e.projects.get(), e.type) for e in created] == [(big, EvaluationType.INDEPENDENT)]


def test_a_cancelled_evaluation_does_not_satisfy_the_requirement():
    project = ProjectFactory()
    allocate(project, "2000000")
    EvaluationFactory(projects=[project], status=EvaluationStatus.CANCELLED)
    assert len(services.evaluation_plan_propose(project=project)) == 1


def test_evaluation_gaps():
    as_of = dt.date(2001, 11, 1)
    missing_late = ProjectFactory()  # final would be due 2001-09-30: passed → red
    allocate(missing_late, "2000000")
    missing_early = ProjectFactory(planned_start=dt.date(2001, 1, 1), planned_end=dt.date(2003, 12, 31))
    allocate(missing_early, "2000000")  # final due 2003-09-30 → amber
    overdue_a_little = ProjectFactory()
    allocate(overdue_a_little, "500000")
    EvaluationFactory(projects=[overdue_a_little], type=EvaluationType.SELF, planned_date=dt.date(2001, 10, 1))
    overdue_long = ProjectFactory()
    allocate(overdue_long, "500000")
    EvaluationFactory(projects=[overdue_long], type=EvaluationType.SELF, status=EvaluationStatus.ONGOING,
                      actual_date=None, planned_date=dt.date(2001, 3, 1))
    fine = ProjectFactory()
    allocate(fine, "500000")
    EvaluationFactory(projects=[fine], type=EvaluationType.SELF, status=EvaluationStatus.COMPLETED,
                      planned_date=dt.date(2001, 3, 1), actual_date=dt.date(2001, 4, 1))
    upcoming = ProjectFactory()
    allocate(upcoming, "500000")
    EvaluationFactory(projects=[upcoming], type=EvaluationType.SELF, planned_date=dt.date(2001, 12, 1))
    cancelled_project = ProjectFactory(status=ProjectStatus.CANCELLED)
    allocate(cancelled_project, "2000000")

    gaps = {project_id: (severity, detail) for project_id, severity, detail in selectors.evaluation_gaps(as_of=as_of)}
    assert set(gaps) == {missing_late.pk, missing_early.pk, overdue_a_little.pk, overdue_long.pk}
    assert gaps[missing_late.pk][0] == RED and "not planned" in gaps[missing_late.pk][1]
    assert gaps[missing_early.pk][0] == AMBER
    late_title = Evaluation.objects.get(projects=overdue_a_little).title
    assert gaps[overdue_a_little.pk] == (AMBER, f"“{late_title}” planned for 2001-10-01 is 31 days late.")
    assert gaps[overdue_long.pk][0] == RED


def test_evaluation_gaps_constant_queries(django_assert_num_queries):
    for _ in range(3):
        allocate(ProjectFactory(), "2000000")
    with django_assert_num_queries(5) as captured:
        selectors.evaluation_gaps(as_of=dt.date(2001, 11, 1))
    for _ in range(5):
        project = ProjectFactory()
        allocate(project, "2000000")
        EvaluationFactory(projects=[project], planned_date=dt.date(2001, 1, 1))
    with django_assert_num_queries(len(captured)):
        assert len(selectors.evaluation_gaps(as_of=dt.date(2001, 11, 1))) == 8


# ---------------------------------------------------------------- evaluation validations


def test_evaluation_validations():
    project = ProjectFactory()
    base = {"title": "Final", "timing": EvaluationTiming.FINAL, "planned_date": dt.date(2001, 10, 1)}
    with pytest.raises(ValidationError) as exc:
        services.evaluation_create(projects=[project], type=EvaluationType.INDEPENDENT, is_independent=False, **base)
    assert "independent evaluator" in exc.value.message_dict["is_independent"][0]
    with pytest.raises(ValidationError) as exc:
        services.evaluation_create(projects=[project, ProjectFactory()], type=EvaluationType.SELF, **base)
    assert "thematic and joint" in exc.value.message_dict["projects"][0]
    with pytest.raises(ValidationError) as exc:
        services.evaluation_create(projects=[project], type=EvaluationType.SELF, relevance=5, **base)
    assert "completed" in exc.value.message_dict["relevance"][0]
    with pytest.raises(ValidationError) as exc:
        services.evaluation_create(projects=[project], type=EvaluationType.SELF, status=EvaluationStatus.COMPLETED,
                                   **base)
    assert "actual_date" in exc.value.message_dict
    thematic = services.evaluation_create(projects=[project, ProjectFactory()], type=EvaluationType.THEMATIC, **base)
    assert thematic.projects.count() == 2


def test_report_must_be_pdf_or_docx_and_small(settings):
    project = ProjectFactory()
    base = {"title": "Final", "type": EvaluationType.SELF, "timing": EvaluationTiming.FINAL,
                "planned_date": dt.date(2001, 10, 1)}
    with pytest.raises(ValidationError) as exc:
        services.evaluation_create(projects=[project], report=SimpleUploadedFile("report.exe", b"MZ"), **base)
    assert "report" in exc.value.message_dict
    settings.TCMS_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError) as exc:
        services.evaluation_create(projects=[project], report=SimpleUploadedFile("report.pdf", b"%PDF" + b"x" * 20),
                                   **base)
    assert "limit" in exc.value.message_dict["report"][0]
    settings.TCMS_MAX_UPLOAD_BYTES = 1000
    evaluation = services.evaluation_create(projects=[project], report=SimpleUploadedFile("report.pdf", b"%PDF-1.4"),
                                            **base)
    assert evaluation.report.name.endswith(".pdf")


def test_evaluation_status_transitions():
    evaluation = EvaluationFactory(type=EvaluationType.SELF)
    services.evaluation_update(evaluation=evaluation, status=EvaluationStatus.ONGOING)
    with pytest.raises(ValidationError) as exc:
        services.evaluation_update(evaluation=evaluation, status=EvaluationStatus.PLANNED)
    assert "cannot go from Ongoing to Planned" in exc.value.message_dict["status"][0]
    evaluation.refresh_from_db()
    services.evaluation_update(evaluation=evaluation, status=EvaluationStatus.COMPLETED,
                               actual_date=dt.date(2001, 11, 1), relevance=5, efficiency=3)
    evaluation.refresh_from_db()
    assert evaluation.ratings["relevance"] == 5
    with pytest.raises(ValidationError):
        services.evaluation_update(evaluation=evaluation, status=EvaluationStatus.CANCELLED)


# ---------------------------------------------------------------- management responses


def test_recommendation_needs_an_ongoing_or_completed_evaluation():
    with pytest.raises(ValidationError) as exc:
        services.recommendation_create(evaluation=EvaluationFactory(), text="Do more", addressee="Unit")
    assert "planned" in exc.value.message_dict["evaluation"][0]


def test_rejected_response_needs_justification_and_has_no_follow_up():
    recommendation = RecommendationFactory()
    with pytest.raises(ValidationError) as exc:
        services.management_response_record(recommendation=recommendation, response=ResponseKind.REJECTED)
    assert "justification" in exc.value.message_dict
    response = services.management_response_record(recommendation=recommendation, response=ResponseKind.REJECTED,
                                                    justification="Outside the project's mandate.")
    assert response.follow_up_status == FollowUpStatus.NOT_APPLICABLE
    with pytest.raises(ValidationError) as exc:
        services.management_response_follow_up(response=response, status=FollowUpStatus.IN_PROGRESS)
    assert "rejected" in exc.value.message_dict["follow_up_status"][0]


def test_accepted_response_needs_action_owner_and_due_date():
    recommendation = RecommendationFactory()
    with pytest.raises(ValidationError) as exc:
        services.management_response_record(recommendation=recommendation, response=ResponseKind.ACCEPTED)
    assert {"action", "owner", "due_date"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        services.management_response_record(recommendation=recommendation, response=ResponseKind.PARTIAL,
                                            action="Train staff", owner="RO-AFRICA", due_date=dt.date(2002, 6, 30))
    assert "justification" in exc.value.message_dict


def test_follow_up_lifecycle():
    recommendation = RecommendationFactory()
    response = services.management_response_record(
        recommendation=recommendation, response=ResponseKind.ACCEPTED, action="Set up a steering committee",
        owner="Project manager", due_date=dt.date(2002, 3, 31))
    assert response.follow_up_status == FollowUpStatus.NOT_STARTED
    response = services.management_response_follow_up(response=response, status=FollowUpStatus.IN_PROGRESS,
                                                       note="Terms of reference drafted")
    with pytest.raises(ValidationError) as exc:
        services.management_response_follow_up(response=response, status=FollowUpStatus.NOT_STARTED)
    assert "cannot go from" in exc.value.message_dict["follow_up_status"][0]
    with pytest.raises(ValidationError) as exc:
        services.management_response_follow_up(response=response, status=FollowUpStatus.COMPLETED)
    assert "completion_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # the response cannot change once follow-up has started
        services.management_response_record(recommendation=recommendation, response=ResponseKind.REJECTED,
                                            justification="Changed our mind")
    assert "Follow-up has started" in exc.value.message_dict["response"][0]
    response = services.management_response_follow_up(response=response, status=FollowUpStatus.COMPLETED,
                                                       completion_date=dt.date(2002, 2, 1))
    response.refresh_from_db()
    assert (response.follow_up_status, response.completion_date, response.follow_up_note) == (
        FollowUpStatus.COMPLETED, dt.date(2002, 2, 1), "Terms of reference drafted")
    with pytest.raises(ValidationError):
        services.management_response_follow_up(response=response, status=FollowUpStatus.IN_PROGRESS)


def test_response_can_be_corrected_before_follow_up_starts():
    recommendation = RecommendationFactory()
    services.management_response_record(recommendation=recommendation, response=ResponseKind.REJECTED,
                                        justification="Not feasible")
    response = services.management_response_record(
        recommendation=recommendation, response=ResponseKind.ACCEPTED, action="Do it", owner="Unit",
        due_date=dt.date(2002, 1, 1))
    assert response.follow_up_status == FollowUpStatus.NOT_STARTED


def test_dashboard_figures():
    completed = {"status": EvaluationStatus.COMPLETED, "actual_date": dt.date(2001, 5, 1)}
    first = EvaluationFactory(type=EvaluationType.INDEPENDENT, relevance=5, efficiency=3, **completed)
    EvaluationFactory(type=EvaluationType.INDEPENDENT, relevance=6, efficiency=4, **completed)
    EvaluationFactory(type=EvaluationType.SELF, relevance=4, **completed)
    EvaluationFactory(type=EvaluationType.SELF, status=EvaluationStatus.COMPLETED, actual_date=dt.date(2000, 5, 1),
                      relevance=1)
    done, pending = RecommendationFactory(evaluation=first), RecommendationFactory(evaluation=first)
    for recommendation in (done, pending):
        services.management_response_record(recommendation=recommendation, response=ResponseKind.ACCEPTED,
                                            action="Act", owner="Unit", due_date=dt.date(2002, 1, 1))
    services.management_response_follow_up(response=done.response, status=FollowUpStatus.COMPLETED,
                                           completion_date=dt.date(2001, 9, 1))
    figures = selectors.evaluation_dashboard(year=2001)
    assert figures["completed_count"] == 3
    assert {row["type"]: row["count"] for row in figures["by_type"]} == {"INDEPENDENT": 2, "SELF": 1}
    assert figures["averages"]["relevance"] == Decimal("5.0")
    assert figures["averages"]["efficiency"] == Decimal("3.5")
    assert figures["averages"]["impact"] is None
    assert figures["followed_up_share"] == Decimal("0.5")


def test_propose_evaluations_command(capsys):
    from django.core.management import call_command

    project = ProjectFactory(symbol="KEN/00/01/NOR")
    allocate(project, "6000000")
    call_command("propose_evaluations", "--dry-run")
    assert "2 planned evaluation(s) would be created" in capsys.readouterr().out
    assert not Evaluation.objects.exists()
    call_command("propose_evaluations", "--project", "KEN/00/01/NOR")
    out = capsys.readouterr().out
    assert "Mid-term independent evaluation of KEN/00/01/NOR" in out and Evaluation.objects.count() == 2
    call_command("propose_evaluations")
    assert "0 planned evaluation(s) created" in capsys.readouterr().out
