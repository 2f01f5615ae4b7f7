"""Demo results, evaluations, recommendations with management responses, and lessons for the demo portfolio.

Deterministic: every draw comes from random.Random(seed + k); the portfolio is seen as of projects.demo.DEMO_AS_OF,
never the clock. Rows are written with bulk_create. Projects that already have results are left as they are.
"""

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from projects.demo import DEMO_AS_OF
from projects.models import Project, ProjectStatus

from . import selectors
from .models import (
    CRITERIA,
    INDEPENDENT_TYPES,
    Baseline,
    Evaluation,
    EvaluationStatus,
    EvaluationTiming,
    EvaluationType,
    FollowUpStatus,
    Indicator,
    IndicatorPeriod,
    Lesson,
    LessonKind,
    ManagementResponse,
    Measure,
    Priority,
    Recommendation,
    ResponseKind,
    Result,
    ResultKind,
)
from .services import evaluation_title, target_revise

WITH_RESULTS = (ProjectStatus.APPROVED, ProjectStatus.ONGOING, ProjectStatus.SUSPENDED,
                ProjectStatus.OPERATIONALLY_CLOSED, ProjectStatus.FINANCIALLY_CLOSED)

# (outcome, [(indicator, measure, ascending, baseline, target, disaggregated, means of verification)])
FRAMEWORKS = {
    "IPEC": ("Fewer children in hazardous work in the target districts", [
        ("Share of children 5–17 in hazardous work in target districts", Measure.PERCENTAGE, False, "34", "18", False,
         "District child-labour monitoring survey"),
        ("Children withdrawn from hazardous work and enrolled in school", Measure.UNIT, True, "0", "4000", True,
         "Child-labour monitoring system records"),
    ]),
    "DECLARATION": ("Freedom of association better applied in law and practice", [
        ("Labour-law provisions brought into line with C87 and C98", Measure.UNIT, True, "0", "6", False,
         "Official gazette; comments of the supervisory bodies"),
        ("Functioning of the national tripartite labour council", Measure.QUALITATIVE, True, None, None,
         False, "Minutes of the council; mission reports"),
    ]),
    "SKILLS": ("Young women and men get decent jobs after training", [
        ("Trainees employed six months after completing training", Measure.PERCENTAGE, True, "28", "55", False,
         "Tracer study of graduates"),
        ("Apprentices certified under the new national scheme", Measure.UNIT, True, "120", "1500", True,
         "Records of the national training authority"),
    ]),
    "SEED": ("Small enterprises create more and better jobs", [
        ("Enterprises trained that are still operating after a year", Measure.PERCENTAGE, True, "45", "70", False,
         "Follow-up survey of trained entrepreneurs"),
        ("Women entrepreneurs with access to credit", Measure.UNIT, True, "300", "2500", False,
         "Reports of partner micro-finance institutions"),
    ]),
    "CRISIS": ("Livelihoods restored in crisis-affected communities", [
        ("Person-days of employment created by labour-based works", Measure.UNIT, True, "0", "150000", True,
         "Site records of the works"),
        ("Households below the poverty line in the target area", Measure.PERCENTAGE, False, "61", "45", False,
         "Household survey"),
    ]),
    "SAFEWORK": ("Safer and healthier workplaces", [
        ("Reported fatal occupational accidents per 100,000 workers", Measure.UNIT, False, "21", "14", False,
         "Labour inspectorate statistics"),
        ("Labour inspectors trained in risk-based inspection", Measure.UNIT, True, "15", "220", True,
         "Training records"),
    ]),
    "SES": ("Social protection extended to workers in the informal economy", [
        ("Informal-economy workers covered by a health micro-insurance scheme", Measure.UNIT, True, "2000", "25000",
         True, "Scheme membership registers"),
        ("Share of the population with social-security coverage", Measure.PERCENTAGE, True, "12", "20", False,
         "Social-security institution statistics"),
    ]),
    "DIALOGUE": ("Social dialogue shapes labour and economic policy", [
        ("Collective agreements signed in the sectors covered", Measure.UNIT, True, "4", "15", False,
         "Ministry of labour registry"),
        ("Policies discussed in the tripartite council before adoption", Measure.UNIT, True, "1", "8", False,
         "Council minutes"),
    ]),
}
OUTPUTS = [
    ("Constituents' capacity strengthened", "Constituents' officials trained", True),
    ("Practical guides produced and disseminated", "Guides distributed to constituents", False),
    ("Pilot scheme designed and tested", "Pilot sites operating", False),
]

RECOMMENDATIONS = [
    ("Involve employers' and workers' organisations in the project steering committee from the start.",
     "Project management"),
    ("Set up a monitoring system with baseline data before activities begin.", "Project management"),
    ("Extend the project by twelve months, without additional cost, to complete the pilot phase.", "Donor and ILO"),
    ("Prepare an exit strategy so that national institutions take over the training scheme.", "Constituents"),
    ("Disaggregate all participant data by sex and report on it.", "Project management"),
    ("Budget for the translation of materials into local languages.", "ILO Office"),
    ("Strengthen technical backstopping from headquarters during the first year.", "Technical unit"),
    ("Document the approach as a good practice for replication in the region.", "Regional office"),
]
ACTIONS = ["Revise the terms of reference of the steering committee", "Commission the baseline survey",
           "Request a no-cost extension from the donor", "Agree a hand-over plan with the ministry",
           "Update the reporting templates", "Include translation in the next budget revision",
           "Schedule quarterly backstopping missions", "Publish a two-page good-practice note"]
LESSONS = [
    (LessonKind.LESSON, "Tripartite steering committees keep projects on course",
     "Where employers' and workers' organisations sat on the steering committee from the design stage, decisions on "
     "work plans were faster and national ownership was stronger; projects that added them late spent months "
     "rebuilding trust."),
    (LessonKind.GOOD_PRACTICE, "Community-based child-labour monitoring",
     "Village committees of teachers, parents and labour inspectors visited workplaces monthly and referred "
     "children withdrawn from hazardous work to schools. The system cost little and was taken over by the district "
     "authorities after the project closed."),
    (LessonKind.LESSON, "Baselines must come before activities",
     "Several indicators could not be assessed at the mid-term because baseline data were collected a year after "
     "the start; the evaluation could not attribute the changes observed to the project."),
    (LessonKind.GOOD_PRACTICE, "Apprenticeships co-financed by employers",
     "Employers' organisations co-financed the apprenticeship scheme and helped select trades in demand; "
     "graduates found jobs faster and the scheme kept running after donor funding ended."),
    (LessonKind.LESSON, "Recruitment delays cut implementation time",
     "Recruiting the chief technical adviser took nine months, leaving too little time for the pilot phase. "
     "Rosters of pre-screened experts would shorten start-up."),
    (LessonKind.GOOD_PRACTICE, "Labour-based works with local contractors",
     "Training small local contractors in labour-based road maintenance created employment for women and men in "
     "the community and left a lasting capacity to maintain rural roads."),
    (LessonKind.LESSON, "Sex-disaggregated data reveal who benefits",
     "Only when participant records were split by sex did the project notice that women made up a fifth of "
     "trainees; targeted outreach through women's groups doubled their share in a year."),
    (LessonKind.GOOD_PRACTICE, "Micro-insurance through informal-economy associations",
     "Enrolling members through existing associations of street vendors and home workers cut administrative costs "
     "and built trust in the health micro-insurance scheme."),
]


def _latest_date(*dates):
    return max(d for d in dates if d is not None)


def _yearly_periods(start: dt.date, end: dt.date):
    year = start.year
    while year <= end.year:
        yield max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))
        year += 1


@transaction.atomic
def seed_results(*, seed: int, projects: int, log: Callable[[str], None]) -> None:
    portfolio = list(Project.objects.filter(status__in=WITH_RESULTS, results__isnull=True)
                     .select_related("primary_programme", "region").prefetch_related("countries").order_by("symbol"))
    if not portfolio:
        log("  No project without results: demo results left as they are.")
        return
    _seed_frameworks(random.Random(seed + 61), portfolio)
    evaluations = _seed_evaluations(random.Random(seed + 62), portfolio)
    completed = [e for e in evaluations if e.status == EvaluationStatus.COMPLETED]
    recommendations = _seed_recommendations(random.Random(seed + 63), completed)
    lessons = _seed_lessons(random.Random(seed + 64), completed, {p.pk: p for p in portfolio})
    revisions = _seed_target_revisions(random.Random(seed + 65))
    log(f"  {revisions} targets revised with their reason")
    log(f"  {Result.objects.count()} results, {Indicator.objects.count()} indicators, "
        f"{IndicatorPeriod.objects.count()} periods; {len(evaluations)} evaluations ({len(completed)} completed), "
        f"{recommendations} recommendations, {lessons} lessons")


def _seed_frameworks(rng: random.Random, portfolio: list[Project]) -> None:
    results = []
    plans = []  # (result index, indicator spec)
    for project in portfolio:
        programme = project.primary_programme.code if project.primary_programme else "SKILLS"
        outcome_title, specs = FRAMEWORKS.get(programme, FRAMEWORKS["SKILLS"])
        results.append(Result(project=project, kind=ResultKind.OUTCOME, title=outcome_title))
        plans.append((len(results) - 1, project, specs[: rng.choice([1, 2])]))
        output_title, output_indicator, disaggregated = rng.choice(OUTPUTS)
        results.append(Result(project=project, kind=ResultKind.OUTPUT, title=output_title))
        target = rng.choice([40, 60, 80, 120, 200])
        plans.append((len(results) - 1, project, [(output_indicator, Measure.UNIT, True, "0", str(target),
                                                   disaggregated, "Project records")]))
    Result.objects.bulk_create(results)

    indicators, periods_by_indicator = [], []
    for result_index, project, specs in plans:
        for title, measure, ascending, baseline, target, disaggregated, verification in specs:
            indicators.append(Indicator(result=results[result_index], title=title, measure=measure,
                                        ascending=ascending, sex_disaggregated=disaggregated,
                                        means_of_verification=verification))
            periods_by_indicator.append((project, baseline, target))
    Indicator.objects.bulk_create(indicators)

    baselines, periods = [], []
    for indicator, (project, baseline, target) in zip(indicators, periods_by_indicator, strict=True):
        baseline_year = project.planned_start.year - 1
        if baseline is None:
            baselines.append(Baseline(indicator=indicator, year=baseline_year,
                                      comment="Council meets irregularly; constituents are rarely consulted."))
        else:
            baselines.append(Baseline(indicator=indicator, year=baseline_year, value=Decimal(baseline)))
        # a quarter of the indicators lag well behind the time elapsed
        pace = Decimal(str(rng.choice([0.3, 0.45]) if rng.random() < 0.25 else rng.choice([0.85, 1.0, 1.1])))
        yearly = list(_yearly_periods(project.planned_start, project.planned_end))
        for number, (start, end) in enumerate(yearly, start=1):
            if baseline is None:
                periods.append(IndicatorPeriod(indicator=indicator, start=start, end=end,
                                               comment="Council met twice; agenda set jointly." if start < DEMO_AS_OF
                                               else ""))
                continue
            base, goal = Decimal(baseline), Decimal(target)
            period_target = (base + (goal - base) * number / len(yearly)).quantize(Decimal("1"))
            actual = women = men = None
            if start <= DEMO_AS_OF:
                share = selectors.time_share(start, end, DEMO_AS_OF)
                previous = base + (goal - base) * (number - 1) / len(yearly)
                actual = (previous + (period_target - previous) * share * pace).quantize(Decimal("1"))
                if indicator.measure == Measure.PERCENTAGE:
                    actual = min(max(actual, Decimal(0)), Decimal(100))
                if indicator.sex_disaggregated:
                    women = (actual * Decimal(str(rng.choice([0.35, 0.45, 0.52])))).quantize(Decimal("1"))
                    men = actual - women
            periods.append(IndicatorPeriod(indicator=indicator, start=start, end=end, target=period_target,
                                           actual=actual, actual_women=women, actual_men=men))
    Baseline.objects.bulk_create(baselines)
    IndicatorPeriod.objects.bulk_create(periods)


def _seed_evaluations(rng: random.Random, portfolio: list[Project]) -> list[Evaluation]:
    evaluations, links = [], []
    project_ids = Project.objects.filter(pk__in=[p.pk for p in portfolio])
    # one project in five keeps its required evaluations unplanned, so the plan has something to propose
    for index, (project, missing) in enumerate(selectors.missing_evaluations(project_ids)):
        if index % 5 == 4:
            continue
        for kind, timing in missing:
            planned = selectors.proposed_planned_date(project, timing)
            evaluation = Evaluation(
                title=evaluation_title(kind=kind, timing=timing, symbol=project.symbol),
                type=kind, timing=timing, planned_date=planned, is_independent=kind in INDEPENDENT_TYPES,
                budget_usd=Decimal(rng.choice([15000, 25000, 40000, 60000])) if kind != EvaluationType.SELF else None,
                evaluator=rng.choice(["M. Diallo", "A. Gómez", "S. Chen", "K. Müller", "R. Okafor", "Project team"])
                if kind in INDEPENDENT_TYPES else "Project team")
            _set_progress(rng, evaluation, len(evaluations))
            evaluations.append(evaluation)
            links.append([project.pk])
    # thematic evaluations across several projects of one programme
    by_programme = {}
    for project in portfolio:
        if project.primary_programme_id:
            by_programme.setdefault(project.primary_programme.code, []).append(project.pk)
    for number, (code, ids) in enumerate(sorted(by_programme.items())[:3]):
        evaluation = Evaluation(title=f"Thematic evaluation of {code} projects", type=EvaluationType.THEMATIC,
                                timing=EvaluationTiming.FINAL, planned_date=dt.date(2001, 3 + 3 * number, 15),
                                evaluator="Evaluation unit", budget_usd=Decimal("80000"))
        _set_progress(rng, evaluation, len(evaluations))
        evaluations.append(evaluation)
        links.append(ids[:6])
    Evaluation.objects.bulk_create(evaluations)
    Evaluation.projects.through.objects.bulk_create([
        Evaluation.projects.through(evaluation_id=evaluation.pk, project_id=project_id)
        for evaluation, ids in zip(evaluations, links, strict=True) for project_id in ids])
    return evaluations


def _set_progress(rng: random.Random, evaluation: Evaluation, position: int) -> None:
    """Of the evaluations planned before the demo date, one in six is still ongoing, one in six overdue (left
    planned) and the others completed with ratings."""
    if evaluation.planned_date >= DEMO_AS_OF:
        return
    if position % 6 < 4:
        evaluation.status = EvaluationStatus.COMPLETED
        evaluation.actual_date = min(DEMO_AS_OF, evaluation.planned_date + dt.timedelta(days=rng.randint(10, 90)))
        for criterion in CRITERIA:
            setattr(evaluation, criterion, rng.choice([3, 4, 4, 5, 5, 5, 6]))
        evaluation.summary = rng.choice([
            "The project was relevant to national priorities and constituents' needs. Delivery was slow in the first "
            "year but most outputs were achieved; sustainability depends on the ministry taking over the scheme.",
            "Strong ownership by the social partners. Monitoring was weak: several indicators lacked baselines. "
            "Results for women were below targets.",
            "Efficient use of resources and good coordination with other UN agencies. The exit strategy needs to be "
            "agreed before the project closes.",
        ])
    elif position % 6 == 4:
        evaluation.status = EvaluationStatus.ONGOING
    # else: left planned, so overdue


def _seed_recommendations(rng: random.Random, completed: list[Evaluation]) -> int:
    recommendations = []
    for evaluation in completed:
        for text, addressee in rng.sample(RECOMMENDATIONS, rng.randint(2, 4)):
            recommendations.append(Recommendation(evaluation=evaluation, text=text, addressee=addressee,
                                                  priority=rng.choice(list(Priority.values))))
    Recommendation.objects.bulk_create(recommendations)
    responses = []
    for recommendation in recommendations:
        if rng.random() < 0.1:
            continue  # awaiting a response
        evaluation = recommendation.evaluation
        kind = rng.choices([ResponseKind.ACCEPTED, ResponseKind.PARTIAL, ResponseKind.REJECTED], [70, 20, 10])[0]
        if kind == ResponseKind.REJECTED:
            responses.append(ManagementResponse(
                recommendation=recommendation, response=kind, follow_up_status=FollowUpStatus.NOT_APPLICABLE,
                justification="Outside the scope and budget agreed with the donor."))
            continue
        due = evaluation.actual_date + dt.timedelta(days=rng.choice([90, 180, 270]))
        status = rng.choice([FollowUpStatus.NOT_STARTED, FollowUpStatus.IN_PROGRESS, FollowUpStatus.COMPLETED,
                             FollowUpStatus.COMPLETED])
        completion = None
        if status == FollowUpStatus.COMPLETED:
            completion = _latest_date(evaluation.actual_date, min(DEMO_AS_OF, due - dt.timedelta(days=30)))
        responses.append(ManagementResponse(
            recommendation=recommendation, response=kind, action=ACTIONS[RECOMMENDATIONS.index(
                (recommendation.text, recommendation.addressee))], owner=rng.choice(
                ["Chief technical adviser", "ILO Office director", "Technical unit", "National project coordinator"]),
            due_date=due, follow_up_status=status, completion_date=completion,
            justification="Accepted for the components within the project's mandate."
            if kind == ResponseKind.PARTIAL else ""))
    ManagementResponse.objects.bulk_create(responses)
    return len(recommendations)


def _seed_lessons(rng: random.Random, completed: list[Evaluation], projects: dict[int, Project]) -> int:
    through = Evaluation.projects.through.objects.filter(evaluation__in=completed).values_list(
        "evaluation_id", "project_id")
    first_project = {}
    for evaluation_id, project_id in through:
        first_project.setdefault(evaluation_id, project_id)
    lessons = []
    for evaluation in completed:
        if rng.random() < 0.4:
            continue
        kind, title, text = LESSONS[len(lessons) % len(LESSONS)]
        project = projects.get(first_project.get(evaluation.pk))
        countries = list(project.countries.all()) if project else []
        place = countries[0].name if countries else (project.region.name if project else "")
        lessons.append(Lesson(
            kind=kind, title=f"{place}: {title}" if place else title, text=text, evaluation=evaluation, project=project,
            objective_id=project.strategic_objective_id if project else None,
            programme_id=project.primary_programme_id if project else None,
            country=countries[0] if countries else None, is_validated=rng.random() < 0.6))
    Lesson.objects.bulk_create(lessons)
    return len(lessons)


# ---------------------------------------------------------------- target revisions

REVISION_REASONS = [
    "Budget revision approved by the donor: the second phase covers fewer provinces.",
    "The mid-term review found the original target unrealistic for the project's duration.",
    "The partner ministry extended the programme to two more districts.",
    "Baseline survey results came in lower than the figure in the project document.",
]


def _seed_target_revisions(rng: random.Random, share: float = 0.06) -> int:
    """Some periods' targets revised through the service (the earlier target is kept with the reason), so the
    results pages and the history show what a revision looks like."""
    periods = [period for period in IndicatorPeriod.objects.exclude(target=None).order_by("pk")
               if rng.random() < share]
    revised = 0
    for period in periods:
        factor = Decimal(rng.choice(["0.8", "0.9", "1.1", "1.25"]))
        try:
            target_revise(period=period, new_target=(period.target * factor).quantize(Decimal("1")),
                          reason=rng.choice(REVISION_REASONS))
        except ValidationError:
            continue  # e.g. a target of 0, or one the indicator's direction refuses: as a person would, skip it
        revised += 1
    return revised
