"""Reads: the queries this app's pages, API, commands, early-warning rules and reports share.

Progress of an indicator period
    progress = (actual − baseline) ÷ (target − baseline) for an ascending indicator, and the mirror
    (baseline − actual) ÷ (baseline − target) for a descending one, with the latest baseline of a year on or before
    the year the period starts. None when a value is missing, the indicator is qualitative or target = baseline.
On or off track (at a date as_of)
    time share = days from the period start to as_of ÷ days from start to end, between 0 and 1.
    ACHIEVED when progress ≥ 1; ON_TRACK when progress ≥ 0.8 × time share (TRACK_TOLERANCE);
    OFF_TRACK otherwise — and "far behind" (red for early warning) below 0.5 × time share (INDICATOR_FAR_BEHIND).
    These are thresholds on an indicator's progress, not on money: a project's delivery "at risk" is delivery's
    (delivery/figures.py, from the LOW_DELIVERY rule).
Required evaluations
    a rule applies when min_budget_usd < budget ≤ max_budget_usd, the budget being Σ Allocation.amount_usd of the
    project over all years and sources (delivery.selectors.budget_subquery / project_budget_usd). See
    RequiredEvaluationRule and models.SATISFIES.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Avg,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from delivery.selectors import budget_subquery, project_budget_usd
from projects.models import Project, ProjectStatus
from projects.permissions import is_constituent, visible_projects_filter

from .models import (
    CRITERIA,
    SATISFIES,
    Baseline,
    Evaluation,
    EvaluationStatus,
    EvaluationTiming,
    FollowUpStatus,
    Indicator,
    IndicatorPeriod,
    Lesson,
    Measure,
    Recommendation,
    RequiredEvaluationRule,
    ResponseKind,
    Result,
)

# Indicator progress against the share of the period's time gone (not delivery: see the module docstring).
TRACK_TOLERANCE = Decimal("0.8")
INDICATOR_FAR_BEHIND = Decimal("0.5")
# Projects that are expected to plan, carry out or have completed their evaluations.
EVALUABLE_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.ONGOING, ProjectStatus.SUSPENDED,
                      ProjectStatus.OPERATIONALLY_CLOSED)
# Projects whose indicators are expected to move.
RUNNING_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.ONGOING, ProjectStatus.SUSPENDED)
# A planned evaluation this many days late turns red.
OVERDUE_RED_DAYS = 90
OPEN_EVALUATION_STATUSES = (EvaluationStatus.PLANNED, EvaluationStatus.ONGOING)
AMBER, RED = "AMBER", "RED"

# ---------------------------------------------------------------- progress


def latest_baseline(baselines, start: dt.date):
    """The latest baseline whose year is on or before the year the period starts (None if there is none)."""
    eligible = [b for b in baselines if b.year <= start.year]
    return max(eligible, key=lambda b: b.year) if eligible else None


def indicator_progress(period: IndicatorPeriod, baseline) -> Decimal | None:
    """Share of the way from baseline to target covered by the actual (1 = target met; may exceed 1 or be negative).

    `baseline` is a Baseline, a number or None."""
    base = baseline.value if isinstance(baseline, Baseline) else baseline
    if base is None or period.target is None or period.actual is None:
        return None
    if not period.indicator.is_quantitative:
        return None
    return progress_from_values(target=period.target, actual=period.actual, baseline=base,
                                ascending=period.indicator.ascending)


def progress_from_values(*, target, actual, baseline, ascending: bool) -> Decimal | None:
    """indicator_progress of a quantitative indicator from plain values (what set-based readers fetch)."""
    if baseline is None or target is None or actual is None:
        return None
    direction = Decimal(1) if ascending else Decimal(-1)
    planned_change = direction * (Decimal(target) - Decimal(baseline))
    if planned_change == 0:
        return None
    achieved_change = direction * (Decimal(actual) - Decimal(baseline))
    return (achieved_change / planned_change).quantize(Decimal("0.0001"))


def time_share(start: dt.date, end: dt.date, as_of: dt.date) -> Decimal:
    if as_of < start:
        return Decimal(0)
    if as_of >= end:
        return Decimal(1)
    return (Decimal((as_of - start).days) / Decimal((end - start).days)).quantize(Decimal("0.0001"))


class Track:
    ACHIEVED = "ACHIEVED"
    ON_TRACK = "ON_TRACK"
    OFF_TRACK = "OFF_TRACK"
    UNKNOWN = "UNKNOWN"


def track_status(progress: Decimal | None, share: Decimal) -> str:
    if progress is None:
        return Track.UNKNOWN
    if progress >= 1:
        return Track.ACHIEVED
    return Track.ON_TRACK if progress >= TRACK_TOLERANCE * share else Track.OFF_TRACK


@dataclass
class PeriodRow:
    period: IndicatorPeriod
    baseline: Baseline | None
    progress: Decimal | None
    time_share: Decimal
    track: str

    @property
    def progress_percent(self):
        return None if self.progress is None else (self.progress * 100).quantize(Decimal("1"))


@dataclass
class IndicatorRow:
    indicator: Indicator
    periods: list[PeriodRow]
    current: PeriodRow | None

    @property
    def track(self) -> str:
        return self.current.track if self.current else Track.UNKNOWN


def indicator_row(indicator: Indicator, as_of: dt.date) -> IndicatorRow:
    """Every period of the indicator with its progress and track at as_of; `current` is the latest period started
    by as_of that has an actual (else the latest started one)."""
    baselines = list(indicator.baselines.all())
    rows = []
    for period in sorted(indicator.periods.all(), key=lambda p: p.start):
        baseline = latest_baseline(baselines, period.start)
        progress = indicator_progress(period, baseline)
        share = time_share(period.start, period.end, as_of)
        rows.append(PeriodRow(period, baseline, progress, share, track_status(progress, share)))
    started = [row for row in rows if row.period.start <= as_of]
    reported = [row for row in started if row.period.actual is not None]
    candidates = reported or started or rows[:1]
    current = candidates[-1] if candidates else None
    return IndicatorRow(indicator, rows, current)


def project_results(project: Project, *, as_of: dt.date) -> list[tuple[Result, list[IndicatorRow]]]:
    """A project's results with, for each indicator, its current period, progress and track (3 queries)."""
    results = (Result.objects.filter(project=project)
               .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.select_related(
                   "framework_indicator").prefetch_related("baselines", "periods", "periods__target_revisions"))))
    return [(result, [indicator_row(i, as_of) for i in result.indicators.all()]) for result in results]


def indicators_behind(*, as_of: dt.date) -> list[tuple[int, str, str]]:
    """(project_id, severity, detail) for each running project with indicators off track at as_of (INDICATORS_BEHIND).

    An indicator is judged on its latest period started by as_of that has a target and an actual, against the
    latest baseline (with a value) of a year on or before the year that period starts. RED when one indicator's
    progress is below INDICATOR_FAR_BEHIND × time share, else AMBER. One query, plain tuples: the whole portfolio has
    hundreds of thousands of periods, too many to build model instances for."""
    reported = {"target__isnull": False, "actual__isnull": False}
    later_reported = IndicatorPeriod.objects.filter(indicator_id=OuterRef("indicator_id"), start__gt=OuterRef("start"),
                                                    start__lte=as_of, **reported)
    baseline = (Baseline.objects.filter(indicator_id=OuterRef("indicator_id"), value__isnull=False,
                                        year__lte=ExtractYear(OuterRef("start")))
                .order_by("-year").values("value")[:1])
    rows = (IndicatorPeriod.objects
            .filter(start__lte=as_of, indicator__result__project__status__in=RUNNING_STATUSES, **reported)
            .exclude(indicator__measure=Measure.QUALITATIVE)  # no progress, never behind
            .filter(~Exists(later_reported))
            .annotate(baseline_value=Subquery(baseline))
            .order_by("indicator_id")
            .values_list("indicator__result__project_id", "indicator__title", "indicator__ascending", "start", "end",
                         "target", "actual", "baseline_value"))

    behind: dict[int, list[tuple[str, Decimal, Decimal]]] = defaultdict(list)
    for project_id, title, ascending, start, end, target, actual, base in rows:
        progress = progress_from_values(target=target, actual=actual, baseline=base, ascending=ascending)
        if progress is None or progress >= 1:
            continue
        share = time_share(start, end, as_of)
        if track_status(progress, share) == Track.OFF_TRACK:
            behind[project_id].append((title, progress, share))
    findings = []
    item_text = _("“%(indicator)s” %(progress)s%% of the way to its target with %(time)s%% of the period gone")
    summary_text = _("%(count)s indicator(s) behind schedule: %(list)s.")
    for project_id, items in sorted(behind.items()):
        severity = RED if any(progress < INDICATOR_FAR_BEHIND * share for _title, progress, share in items) else AMBER
        parts = "; ".join(item_text % {"indicator": title, "progress": round(progress * 100),
                                       "time": round(share * 100)}
                          for title, progress, share in items)
        findings.append((project_id, severity, summary_text % {"count": len(items), "list": parts}))
    return findings


# ---------------------------------------------------------------- required evaluations


def projects_with_budget(queryset: QuerySet | None = None) -> QuerySet:
    """The projects annotated with budget_usd, delivery's budget (Σ of all their allocations)."""
    return (queryset if queryset is not None else Project.objects.all()).annotate(budget_usd=budget_subquery())


def required_rules():
    """Every required-evaluation rule, active or not, by budget (the rules page)."""
    return RequiredEvaluationRule.objects.order_by("min_budget_usd", "timing", "pk")


def active_rules() -> list[RequiredEvaluationRule]:
    return list(RequiredEvaluationRule.objects.filter(is_active=True))


def required_for_budget(budget_usd: Decimal, rules: list[RequiredEvaluationRule]) -> list[tuple[str, str]]:
    required = {(rule.type, rule.timing) for rule in rules if rule.applies_to(budget_usd)}
    timing_order = list(EvaluationTiming.values)
    return sorted(required, key=lambda pair: (timing_order.index(pair[1]), pair[0]))


def required_evaluations(project: Project, *, rules: list[RequiredEvaluationRule] | None = None,
                         budget_usd: Decimal | None = None) -> list[tuple[str, str]]:
    """The (type, timing) pairs the project's budget requires, in timing order."""
    if budget_usd is None:
        budget_usd = getattr(project, "budget_usd", None)
        if budget_usd is None:
            budget_usd = project_budget_usd(project)
    return required_for_budget(budget_usd, active_rules() if rules is None else rules)


def proposed_planned_date(project: Project, timing: str) -> dt.date:
    """Mid-term at the middle of the project, final three months before its planned end (not before its start),
    ex-post a year after it."""
    return _proposed_date(project.planned_start, project.planned_end, timing)


def _proposed_date(start: dt.date, end: dt.date, timing: str) -> dt.date:
    if timing == EvaluationTiming.MID_TERM:
        return start + (end - start) / 2
    if timing == EvaluationTiming.FINAL:
        return max(start, _add_months(end, -3))
    return _add_months(end, 12)


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _evaluations_by_project(project_ids) -> dict[int, list[Evaluation]]:
    through = Evaluation.projects.through
    evaluations = {e.pk: e for e in Evaluation.objects.filter(projects__in=project_ids).distinct()}
    by_project = defaultdict(list)
    for project_id, evaluation_id in through.objects.filter(project_id__in=project_ids).values_list(
            "project_id", "evaluation_id"):
        by_project[project_id].append(evaluations[evaluation_id])
    return by_project


def is_satisfied(required_type: str, timing: str, evaluations: list[Evaluation]) -> bool:
    return any(e.timing == timing and e.type in SATISFIES[required_type] and e.status != EvaluationStatus.CANCELLED
               for e in evaluations)


def missing_evaluations(projects: QuerySet) -> list[tuple[Project, list[tuple[str, str]]]]:
    """For each project of the queryset, the required (type, timing) pairs with no evaluation planned, ongoing or
    completed (cancelled ones do not count). A constant number of queries."""
    rules = active_rules()
    projects = list(projects_with_budget(projects))
    by_project = _evaluations_by_project([p.pk for p in projects])
    gaps = []
    for project in projects:
        missing = [(kind, timing) for kind, timing in required_for_budget(project.budget_usd, rules)
                   if not is_satisfied(kind, timing, by_project[project.pk])]
        if missing:
            gaps.append((project, missing))
    return gaps


def evaluation_gaps(*, as_of: dt.date) -> list[tuple[int, str, str]]:
    """(project_id, severity, detail) for each evaluable project with a required evaluation not planned, or a planned
    evaluation whose date has passed without completion (EVALUATION_OVERDUE). One row per project.

    RED: a missing evaluation whose proposed date has passed, or a planned one more than OVERDUE_RED_DAYS late.
    Five queries at most, reading plain values: it runs over the whole portfolio at every early-warning scan."""
    problems: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rules = active_rules()
    if rules:
        _missing_evaluation_problems(rules, as_of, problems)
    late = (Evaluation.projects.through.objects
            .filter(evaluation__status__in=OPEN_EVALUATION_STATUSES, evaluation__planned_date__lt=as_of,
                    project__status__in=EVALUABLE_STATUSES)
            .order_by("project_id", "evaluation__planned_date", "evaluation_id")
            .values_list("project_id", "evaluation__title", "evaluation__planned_date"))
    late_text = _("“%(title)s” planned for %(date)s is %(days)s days late")
    for project_id, title, planned_date in late:
        days_late = (as_of - planned_date).days
        severity = RED if days_late > OVERDUE_RED_DAYS else AMBER
        problems[project_id].append((severity, late_text % {
            "title": title, "date": planned_date.isoformat(), "days": days_late}))
    return [(project_id, RED if any(s == RED for s, _d in items) else AMBER,
             "; ".join(detail for _s, detail in items) + ".")
            for project_id, items in sorted(problems.items())]


def _missing_evaluation_problems(rules: list[RequiredEvaluationRule], as_of: dt.date,
                                 problems: dict[int, list[tuple[str, str]]]) -> None:
    """Add to `problems` the required evaluations of evaluable projects that nothing planned, ongoing or completed
    satisfies (what missing_evaluations finds, without building a model instance per project)."""
    evaluable = Project.objects.filter(status__in=EVALUABLE_STATUSES)
    projects = projects_with_budget(evaluable).values_list("pk", "planned_start", "planned_end", "budget_usd")
    links = Evaluation.projects.through.objects.filter(project__status__in=EVALUABLE_STATUSES)
    # Each evaluation once, however many projects it covers (a thematic one may cover hundreds).
    counted = {pk: (kind, timing) for pk, kind, timing in (
        Evaluation.objects.exclude(status=EvaluationStatus.CANCELLED)
        .filter(Exists(links.filter(evaluation_id=OuterRef("pk")))).values_list("pk", "type", "timing"))}
    planned: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for project_id, evaluation_id in links.values_list("project_id", "evaluation_id"):
        if evaluation_id in counted:
            planned[project_id].add(counted[evaluation_id])
    labels: dict[tuple[str, str], tuple[str, str]] = {}
    missing_text = _("required %(type)s %(timing)s evaluation not planned (due about %(due)s)")
    for project_id, start, end, budget in projects:
        have = planned.get(project_id, ())
        for kind, timing in required_for_budget(budget, rules):
            if any((satisfying, timing) in have for satisfying in SATISFIES[kind]):
                continue
            due = _proposed_date(start, end, timing)
            if (kind, timing) not in labels:
                labels[(kind, timing)] = (_label(kind), _timing_label(timing))
            type_label, timing_label = labels[(kind, timing)]
            problems[project_id].append((RED if due < as_of else AMBER, missing_text % {
                "type": type_label, "timing": timing_label, "due": due.isoformat()}))


def _label(kind: str) -> str:
    from .models import EvaluationType

    return str(EvaluationType(kind).label).lower()


def _timing_label(timing: str) -> str:
    return str(EvaluationTiming(timing).label).lower()


# ---------------------------------------------------------------- evaluations


def evaluation_queryset() -> QuerySet:
    return (Evaluation.objects.prefetch_related("projects")
            .annotate(recommendation_count=Count("recommendations", distinct=True))
            .order_by("planned_date", "id"))


def evaluation_detail(pk: int) -> Evaluation:
    recommendations = Recommendation.objects.select_related("response").order_by("id")
    return (Evaluation.objects.prefetch_related("projects", Prefetch("recommendations", queryset=recommendations),
                                                "lessons")
            .get(pk=pk))


def evaluation_plan(*, as_of: dt.date, queryset: QuerySet | None = None) -> dict:
    """Open evaluations split into overdue and upcoming, and how many projects miss a required evaluation."""
    queryset = queryset if queryset is not None else evaluation_queryset()
    open_evaluations = queryset.filter(status__in=OPEN_EVALUATION_STATUSES)
    return {
        "overdue_count": open_evaluations.filter(planned_date__lt=as_of).count(),
        "upcoming_count": open_evaluations.filter(planned_date__gte=as_of).count(),
    }


def latest_completion_year() -> int | None:
    latest = (Evaluation.objects.filter(status=EvaluationStatus.COMPLETED, actual_date__isnull=False)
              .order_by("-actual_date").values_list("actual_date", flat=True).first())
    return latest.year if latest else None


def evaluation_dashboard(*, year: int) -> dict:
    completed = Evaluation.objects.filter(status=EvaluationStatus.COMPLETED, actual_date__year=year)
    by_type = list(completed.order_by().values("type").annotate(count=Count("id")).order_by("type"))
    averages = completed.aggregate(**{c: Avg(c) for c in CRITERIA})
    recommendations = Recommendation.objects.filter(evaluation__in=completed)
    counts = recommendations.aggregate(
        total=Count("id"),
        responded=Count("id", filter=Q(response__isnull=False)),
        accepted=Count("id", filter=Q(response__response__in=[ResponseKind.ACCEPTED, ResponseKind.PARTIAL])),
        followed_up=Count("id", filter=Q(response__follow_up_status=FollowUpStatus.COMPLETED)),
        in_progress=Count("id", filter=Q(response__follow_up_status=FollowUpStatus.IN_PROGRESS)),
    )
    followed_share = (Decimal(counts["followed_up"]) / counts["accepted"]).quantize(Decimal("0.001")) \
        if counts["accepted"] else None
    return {
        "year": year,
        "completed_count": sum(row["count"] for row in by_type),
        "by_type": by_type,
        "averages": {c: (None if v is None else round(Decimal(v), 1)) for c, v in averages.items()},
        "recommendations": counts,
        "followed_up_share": followed_share,
    }


# ---------------------------------------------------------------- lessons


def lesson_queryset() -> QuerySet:
    return Lesson.objects.select_related("evaluation", "project", "objective", "programme", "country", "theme")


def _of_a_visible_project(user, evaluation: str) -> Exists:
    """The evaluation in field `evaluation` covers a project `user` may see (projects.permissions)."""
    return Exists(Evaluation.projects.through.objects.filter(evaluation_id=OuterRef(evaluation)).filter(
        visible_projects_filter(user, project="project_id")))


def evaluations_visible_to(user, queryset: QuerySet) -> QuerySet:
    """Every evaluation for the Office's staff; for a constituent those of the projects they see (issue 18.2)."""
    if not is_constituent(user):
        return queryset
    return queryset.filter(_of_a_visible_project(user, "pk"))


def lessons_visible_to(user, queryset: QuerySet) -> QuerySet:
    """Every lesson for the Office's staff; for a constituent the validated lessons of the projects they see,
    directly or through the evaluation they came from (issue 18.2)."""
    if not is_constituent(user):
        return queryset
    return queryset.filter(is_validated=True).filter(
        (Q(project__isnull=False) & visible_projects_filter(user, project="project_id"))
        | _of_a_visible_project(user, "evaluation_id"))


def apply_lesson_search(queryset: QuerySet, query: str) -> QuerySet:
    """Full-text search on PostgreSQL (English stemming, ranked, using the GIN index of migration 0003);
    on SQLite every word must appear in the title or the text (case-insensitive)."""
    query = (query or "").strip()
    if not query:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("title", "text", config="english")
        search = SearchQuery(query, config="english", search_type="websearch")
        return (queryset.annotate(search=vector, rank=SearchRank(vector, search))
                .filter(search=search).order_by("-rank", "-created_at", "-id"))
    for word in query.split():
        queryset = queryset.filter(Q(title__icontains=word) | Q(text__icontains=word))
    return queryset


def lessons_search(query: str = "", filters: dict | None = None) -> QuerySet:
    """Lessons and good practices matching the words of `query` and the field filters (e.g. {"kind": "LESSON",
    "country": country, "is_validated": True})."""
    return apply_lesson_search(lesson_queryset().filter(**(filters or {})), query)
