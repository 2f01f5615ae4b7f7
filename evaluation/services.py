"""Writes: every change to this app's records goes through a function here.

Each function is atomic, takes keyword arguments and raises ValidationError (field → message) before writing
anything it would have to undo.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.permissions import require
from projects.models import Project

from . import selectors
from .models import (
    EVALUATION_TRANSITIONS,
    FOLLOW_UP_TRANSITIONS,
    MULTI_PROJECT_TYPES,
    Baseline,
    Evaluation,
    EvaluationStatus,
    EvaluationTiming,
    EvaluationType,
    FollowUpStatus,
    Indicator,
    IndicatorPeriod,
    Lesson,
    ManagementResponse,
    Recommendation,
    RequiredEvaluationRule,
    ResponseKind,
    Result,
    TargetRevision,
)
from .permissions import MANAGE_EVALUATIONS


def _save(instance, user):
    """Validate (clean(), field validators, constraints) and save, recording who made the change in the history."""
    instance.full_clean()
    if user is not None:
        instance._history_user = user
    instance.save()
    return instance


def _assign(instance, fields: dict, allowed: set[str]):
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"cannot set {', '.join(sorted(unknown))} here")
    for name, value in fields.items():
        setattr(instance, name, value)


# ---------------------------------------------------------------- results framework

RESULT_FIELDS = {"kind", "title", "description"}
INDICATOR_FIELDS = {"title", "measure", "ascending", "sex_disaggregated", "means_of_verification",
                    "framework_indicator"}
PERIOD_FIELDS = {"start", "end", "actual", "actual_women", "actual_men", "comment"}


@transaction.atomic
def result_create(*, project: Project, user=None, **fields) -> Result:
    result = Result(project=project)
    _assign(result, fields, RESULT_FIELDS)
    return _save(result, user)


@transaction.atomic
def result_update(*, result: Result, user=None, **fields) -> Result:
    _assign(result, fields, RESULT_FIELDS)
    return _save(result, user)


@transaction.atomic
def indicator_create(*, result: Result, user=None, **fields) -> Indicator:
    indicator = Indicator(result=result)
    _assign(indicator, fields, INDICATOR_FIELDS)
    return _save(indicator, user)


@transaction.atomic
def indicator_update(*, indicator: Indicator, user=None, **fields) -> Indicator:
    """Change an indicator; refused when its baselines or periods would no longer fit (e.g. made qualitative while
    periods hold numbers, or no longer sex-disaggregated while women/men actuals are recorded)."""
    _assign(indicator, fields, INDICATOR_FIELDS)
    _save(indicator, user)
    for baseline in indicator.baselines.all():
        baseline.indicator = indicator
        _revalidate(baseline, _("baseline %(year)s") % {"year": baseline.year})
    for period in indicator.periods.all():
        period.indicator = indicator
        _revalidate(period, _("period %(period)s") % {"period": period})
        _check_target_direction(period)
    return indicator


def _revalidate(instance, label):
    try:
        instance.full_clean()
    except ValidationError as exc:
        messages = "; ".join(str(m) for m in exc.messages)
        raise ValidationError({"measure": _("The change does not fit the %(label)s: %(messages)s") % {
            "label": label, "messages": messages}})


def _check_target_direction(period: IndicatorPeriod) -> None:
    """A target must lie on the improving side of the baseline: above it for ascending indicators, below it for
    descending ones (else progress would run backwards)."""
    if period.target is None:
        return
    baseline = selectors.latest_baseline(list(period.indicator.baselines.all()), period.start)
    if baseline is None or baseline.value is None:
        return
    if period.indicator.ascending and period.target < baseline.value:
        raise ValidationError({"target": _("The target %(target)s is below the %(year)s baseline %(baseline)s, but "
                                           "the indicator is ascending (higher is better).") % {
            "target": period.target, "year": baseline.year, "baseline": baseline.value}})
    if not period.indicator.ascending and period.target > baseline.value:
        raise ValidationError({"target": _("The target %(target)s is above the %(year)s baseline %(baseline)s, but "
                                           "the indicator is descending (lower is better).") % {
            "target": period.target, "year": baseline.year, "baseline": baseline.value}})


@transaction.atomic
def baseline_set(*, indicator: Indicator, year: int, value: Decimal | None = None, comment: str = "",
                 user=None) -> Baseline:
    """Create or replace the baseline of that year."""
    baseline = Baseline.objects.filter(indicator=indicator, year=year).first() or Baseline(indicator=indicator,
                                                                                             year=year)
    baseline.value, baseline.comment = value, comment
    return _save(baseline, user)


def _check_no_overlap(period: IndicatorPeriod) -> None:
    overlapping = (IndicatorPeriod.objects.filter(indicator=period.indicator)
                   .filter(Q(start__lte=period.end) & Q(end__gte=period.start))
                   .exclude(pk=period.pk).first())
    if overlapping:
        raise ValidationError({"start": _("This period overlaps the period %(other)s of the same indicator.") % {
            "other": overlapping}})


@transaction.atomic
def period_create(*, indicator: Indicator, start: dt.date, end: dt.date, target: Decimal | None = None,
                  user=None, **fields) -> IndicatorPeriod:
    period = IndicatorPeriod(indicator=indicator, start=start, end=end, target=target)
    _assign(period, fields, PERIOD_FIELDS - {"start", "end"})
    period.full_clean()
    _check_no_overlap(period)
    _check_target_direction(period)
    return _save(period, user)


@transaction.atomic
def period_update(*, period: IndicatorPeriod, user=None, **fields) -> IndicatorPeriod:
    """Record actuals or change the dates and comment. A target is changed only by target_revise (with a reason)."""
    if "target" in fields:
        raise ValidationError({"target": _("Revise a target with its reason (target revision), not by editing it.")})
    _assign(period, fields, PERIOD_FIELDS)
    period.full_clean()
    _check_no_overlap(period)
    _check_target_direction(period)
    return _save(period, user)


@transaction.atomic
def target_revise(*, period: IndicatorPeriod, new_target: Decimal | None, reason: str, user=None) -> TargetRevision:
    """Set a new target, keeping the earlier one and the reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for revising the target.")})
    old_target = period.target
    if old_target == new_target:
        raise ValidationError({"new_target": _("The new target is the same as the current one (%(target)s).") % {
            "target": old_target}})
    period = IndicatorPeriod.objects.select_for_update().get(pk=period.pk)
    period.target = new_target
    try:
        period.full_clean()
        _check_target_direction(period)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "target" in exc.error_dict:
            raise ValidationError({"new_target": exc.error_dict["target"]})
        raise
    period._change_reason = reason.strip()  # the history row says why, as the TargetRevision does
    _save(period, user)
    return TargetRevision.objects.create(period=period, old_target=old_target, new_target=new_target,
                                         reason=reason.strip(), revised_by=user)


# ---------------------------------------------------------------- evaluations

EVALUATION_FIELDS = {"title", "type", "timing", "status", "planned_date", "actual_date", "evaluator",
                     "is_independent", "budget_usd", "relevance", "coherence", "effectiveness", "efficiency",
                     "impact", "sustainability", "report", "summary"}


def _check_projects(evaluation_type: str, projects) -> None:
    count = len(projects)
    if count == 0:
        raise ValidationError({"projects": _("Choose the project (or projects) the evaluation covers.")})
    if count > 1 and evaluation_type not in MULTI_PROJECT_TYPES:
        raise ValidationError({"projects": _("Only thematic and joint evaluations cover several projects; "
                                             "this one covers %(count)s.") % {"count": count}})


@transaction.atomic
def evaluation_create(*, projects, user=None, **fields) -> Evaluation:
    projects = list(projects)
    evaluation = Evaluation()
    _assign(evaluation, fields, EVALUATION_FIELDS)
    _check_projects(evaluation.type, projects)
    _save(evaluation, user)
    evaluation.projects.set(projects)
    return evaluation


@transaction.atomic
def evaluation_update(*, evaluation: Evaluation, projects=None, user=None, **fields) -> Evaluation:
    """Change an evaluation. Status moves only along EVALUATION_TRANSITIONS (planned → ongoing → completed;
    planned or ongoing → cancelled; cancelled → planned); a completed evaluation needs its date."""
    old_status = Evaluation.objects.values_list("status", flat=True).get(pk=evaluation.pk)
    _assign(evaluation, fields, EVALUATION_FIELDS)
    if evaluation.status != old_status and evaluation.status not in EVALUATION_TRANSITIONS[old_status]:
        raise ValidationError({"status": _("An evaluation cannot go from %(old)s to %(new)s.") % {
            "old": EvaluationStatus(old_status).label, "new": EvaluationStatus(evaluation.status).label}})
    projects = list(projects) if projects is not None else list(evaluation.projects.all())
    _check_projects(evaluation.type, projects)
    _save(evaluation, user)
    evaluation.projects.set(projects)
    return evaluation


def evaluation_title(*, kind: str, timing: str, symbol: str) -> str:
    """e.g. "Mid-term independent evaluation of RAF/00/01/NET", "Final self-evaluation of …"."""
    kind_label = str(EvaluationType(kind).label).lower()
    # Decided on the code, not on the (translated) label: "Self-evaluation" already says it.
    if kind != EvaluationType.SELF:
        kind_label = _("%(type)s evaluation") % {"type": kind_label}
    return _("%(timing)s %(type)s of %(symbol)s") % {"timing": EvaluationTiming(timing).label, "type": kind_label,
                                                     "symbol": symbol}


@transaction.atomic
def evaluation_plan_propose(*, project: Project | None = None, user=None) -> list[Evaluation]:
    """Create the planned evaluations that the project's (or, with no project, every evaluable project's) budget
    requires and that are not yet planned, ongoing or completed. Running it again creates nothing."""
    projects = Project.objects.filter(pk=project.pk) if project is not None else Project.objects.filter(
        status__in=selectors.EVALUABLE_STATUSES)
    created = []
    links = []
    for target, missing in selectors.missing_evaluations(projects.select_for_update()):
        for kind, timing in missing:
            evaluation = Evaluation(
                title=evaluation_title(kind=kind, timing=timing, symbol=target.symbol),
                type=kind, timing=timing, status=EvaluationStatus.PLANNED,
                planned_date=selectors.proposed_planned_date(target, timing),
                is_independent=kind in {EvaluationType.INDEPENDENT, EvaluationType.IMPACT, EvaluationType.EXTERNAL,
                                        EvaluationType.JOINT})
            evaluation.full_clean()
            created.append(evaluation)
            links.append(target.pk)
    Evaluation.objects.bulk_create(created)
    Evaluation.projects.through.objects.bulk_create(
        [Evaluation.projects.through(evaluation_id=e.pk, project_id=p) for e, p in zip(created, links, strict=True)])
    return created


REQUIRED_RULE_FIELDS = {"min_budget_usd", "max_budget_usd", "type", "timing", "is_active"}


@transaction.atomic
def required_rule_save(*, rule: RequiredEvaluationRule | None = None, user=None, **fields) -> RequiredEvaluationRule:
    """Add (`rule=None`) or change a required-evaluation rule: which budgets require which evaluation. Planned
    evaluations follow when someone proposes the missing ones (evaluation_plan_propose).

    Who may: evaluation officers and administrators (evaluation/permissions.py)."""
    require(user, MANAGE_EVALUATIONS)
    rule = rule if rule is not None else RequiredEvaluationRule()
    _assign(rule, fields, REQUIRED_RULE_FIELDS)
    return _save(rule, user)


# ---------------------------------------------------------------- recommendations and management responses

RECOMMENDATION_FIELDS = {"text", "addressee", "priority"}


@transaction.atomic
def recommendation_create(*, evaluation: Evaluation, user=None, **fields) -> Recommendation:
    if evaluation.status not in (EvaluationStatus.ONGOING, EvaluationStatus.COMPLETED):
        raise ValidationError({"evaluation": _("Recommendations come from an ongoing or completed evaluation; "
                                               "this one is %(status)s.") % {
            "status": evaluation.get_status_display().lower()}})
    recommendation = Recommendation(evaluation=evaluation)
    _assign(recommendation, fields, RECOMMENDATION_FIELDS)
    return _save(recommendation, user)


@transaction.atomic
def recommendation_update(*, recommendation: Recommendation, user=None, **fields) -> Recommendation:
    _assign(recommendation, fields, RECOMMENDATION_FIELDS)
    return _save(recommendation, user)


@transaction.atomic
def management_response_record(*, recommendation: Recommendation, response: str, justification: str = "",
                               action: str = "", owner: str = "", due_date: dt.date | None = None,
                               user=None) -> ManagementResponse:
    """Record (or correct) management's response. Rejected: a justification, and no follow-up. Accepted or
    partially accepted: an action, an owner and a due date (partial also a justification). Once follow-up has
    started the response itself can no longer change."""
    existing = ManagementResponse.objects.select_for_update().filter(recommendation=recommendation).first()
    record = existing or ManagementResponse(recommendation=recommendation)
    started = existing is not None and existing.follow_up_status in (FollowUpStatus.IN_PROGRESS,
                                                                     FollowUpStatus.COMPLETED)
    if started and response != existing.response:
        raise ValidationError({"response": _("Follow-up has started (%(status)s): the response can no longer "
                                             "change.") % {"status": existing.get_follow_up_status_display()}})
    record.response, record.justification = response, justification.strip()
    record.action, record.owner, record.due_date = action.strip(), owner.strip(), due_date
    if response == ResponseKind.REJECTED:
        record.follow_up_status = FollowUpStatus.NOT_APPLICABLE
    elif record.follow_up_status == FollowUpStatus.NOT_APPLICABLE:
        record.follow_up_status = FollowUpStatus.NOT_STARTED
    return _save(record, user)


@transaction.atomic
def management_response_follow_up(*, response: ManagementResponse, status: str, completion_date: dt.date | None = None,
                                  note: str = "", user=None) -> ManagementResponse:
    """Move follow-up along FOLLOW_UP_TRANSITIONS (not started → in progress → completed); completed needs the
    completion date; a rejected recommendation has no follow-up."""
    response = ManagementResponse.objects.select_for_update().get(pk=response.pk)
    if response.response == ResponseKind.REJECTED:
        raise ValidationError({"follow_up_status": _("The recommendation was rejected: there is nothing to "
                                                     "follow up.")})
    current = response.follow_up_status
    if status != current and status not in FOLLOW_UP_TRANSITIONS[current]:
        raise ValidationError({"follow_up_status": _("Follow-up cannot go from %(old)s to %(new)s.") % {
            "old": FollowUpStatus(current).label, "new": FollowUpStatus(status).label}})
    if status == current == FollowUpStatus.COMPLETED:
        raise ValidationError({"follow_up_status": _("The action is already completed.")})
    response.follow_up_status = status
    response.completion_date = completion_date if status == FollowUpStatus.COMPLETED else None
    if status == FollowUpStatus.COMPLETED and completion_date is None:
        raise ValidationError({"completion_date": _("Give the date the action was completed.")})
    if note.strip():
        response.follow_up_note = note.strip()
    return _save(response, user)


# ---------------------------------------------------------------- lessons

LESSON_FIELDS = {"kind", "title", "text", "evaluation", "project", "objective", "programme", "country", "theme",
                 "is_validated"}


def _complete_lesson(lesson: Lesson) -> None:
    """Take the objective and programme from the project when not given, and check the links agree."""
    if lesson.project_id:
        project = lesson.project
        lesson.objective = lesson.objective or project.strategic_objective
        lesson.programme = lesson.programme or project.primary_programme
        if lesson.evaluation_id and not lesson.evaluation.projects.filter(pk=project.pk).exists():
            raise ValidationError({"project": _("%(symbol)s is not one of the projects of the evaluation "
                                                "“%(evaluation)s”.") % {"symbol": project.symbol,
                                                                       "evaluation": lesson.evaluation}})
    if lesson.programme_id and lesson.objective_id and lesson.programme.objective_id != lesson.objective_id:
        raise ValidationError({"programme": _("“%(programme)s” is not a programme of objective %(objective)s.") % {
            "programme": lesson.programme, "objective": lesson.objective.code}})


@transaction.atomic
def lesson_create(*, user=None, **fields) -> Lesson:
    lesson = Lesson(created_by=user)
    _assign(lesson, fields, LESSON_FIELDS)
    _complete_lesson(lesson)
    return _save(lesson, user)


@transaction.atomic
def lesson_update(*, lesson: Lesson, user=None, **fields) -> Lesson:
    _assign(lesson, fields, LESSON_FIELDS)
    _complete_lesson(lesson)
    return _save(lesson, user)
