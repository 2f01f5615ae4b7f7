"""The conditions of the early-warning rules: which projects each rule fires for at an as-of date, and how badly.

Every condition is evaluated over the whole portfolio with a fixed number of set-based queries (never one
query per project); figures several rules need (allocations, expenditure, ongoing projects) are read once
per scan through `ScanContext`. A condition returns {project_id: Finding}; the scan (services.scan) turns
findings into alerts.

Conventions shared by all rules: d is the as-of date; expenditure counts the periods (months) up to d's
month included; thresholds come from the Rule row, so administrators change them without code. The delivery
figures (rates, the share of a project's active time in the year elapsed, comparisons with a threshold) are
delivery/figures.py's, applied to the per-project money delivery's rollup selectors give.

Statuses: the delivery rules never fire for pipeline, cancelled or financially closed projects; LOW_DELIVERY,
ENDING_UNSPENT and NO_EXPENDITURE watch ongoing projects; PAST_END fires for every project not yet closed
(ongoing, suspended, operationally closed; pipeline and approved projects have not started: their dates are
plans to revise, not a closure to chase).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Q

from alerts.models import Rule, RuleCode, Severity
from delivery import figures
from delivery.selectors import ProjectMoney, last_spend_months, portfolio_money
from projects.constituent_selectors import autonomy_missing_countries
from projects.constituent_selectors import stage_due_on as _stage_passed_on
from projects.models import (
    Confirmation,
    ProgressReport,
    Project,
    ProjectStatus,
    TripartiteInvolvement,
)

# Statuses in which money can still move and reports are still due (not pipeline, not closed financially).
ACTIVE_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.ONGOING, ProjectStatus.SUSPENDED,
                   ProjectStatus.OPERATIONALLY_CLOSED)
# Past its end date but not closed: still running, suspended, or closed operationally but not financially.
NOT_CLOSED_STATUSES = (ProjectStatus.ONGOING, ProjectStatus.SUSPENDED, ProjectStatus.OPERATIONALLY_CLOSED)
ZERO = Decimal("0")
NO_MONEY = ProjectMoney(status="")


@dataclass(frozen=True)
class Finding:
    project_id: int
    severity: str
    detail: dict = field(default_factory=dict)


def add_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _money(value) -> str:
    return str(figures.money(value))


def _ratio(value: Decimal | None) -> str | None:
    return None if value is None else str(figures.share(value))


def _above(value, amber, red) -> str | None:
    """Severity for figures where higher is worse, strictly beyond the threshold."""
    if red is not None and value > red:
        return Severity.RED
    if amber is not None and value > amber:
        return Severity.AMBER
    return None


def _at_least(value, amber, red) -> str | None:
    if red is not None and value >= red:
        return Severity.RED
    if amber is not None and value >= amber:
        return Severity.AMBER
    return None


class ScanContext:
    """The as-of date and the portfolio-wide figures shared by several rules (each read at most once)."""

    def __init__(self, as_of: dt.date):
        self.as_of = as_of
        self.year = as_of.year
        self.month = as_of.replace(day=1)
        self.year_start = dt.date(as_of.year, 1, 1)

    @cached_property
    def ongoing_projects(self) -> dict[int, dict]:
        rows = Project.objects.filter(status=ProjectStatus.ONGOING).values(
            "id", "status", "planned_start", "planned_end", "actual_start")
        return {row["id"]: row for row in rows}

    @cached_property
    def money(self) -> dict[int, ProjectMoney]:
        """Per active project with an allocation or spend: its money at the as-of date (delivery's rollups)."""
        return portfolio_money(as_of=self.as_of, statuses=ACTIVE_STATUSES)


# ------------------------------------------------------------------------------------------- register rules


def past_end(rule: Rule, ctx: ScanContext) -> dict[int, Finding]:
    amber_days = int(rule.amber_threshold or 0)
    rows = Project.objects.filter(status__in=NOT_CLOSED_STATUSES,
                                  planned_end__lt=ctx.as_of - dt.timedelta(days=amber_days)
                                  ).values_list("id", "planned_end")
    findings = {}
    for project_id, planned_end in rows:
        days = (ctx.as_of - planned_end).days
        severity = _above(days, rule.amber_threshold, rule.red_threshold)
        if severity:
            findings[project_id] = Finding(project_id, severity,
                                           {"planned_end": planned_end.isoformat(), "days_past_end": days})
    return findings


def tripartite_gap(rule: Rule, ctx: ScanContext) -> dict[int, Finding]:
    grace = int(rule.param("grace_days", 90))
    rows = (TripartiteInvolvement.objects
            .filter(contemplated=True, project__status=ProjectStatus.ONGOING, project__is_autonomous=False)
            .filter(Q(actual_date__isnull=True) | Q(actual_date__gt=ctx.as_of))
            .values_list("project_id", "stage", "group", "project__planned_start", "project__actual_start",
                         "project__planned_end"))
    gaps: dict[int, list[str]] = defaultdict(list)
    for project_id, stage, group, planned_start, actual_start, planned_end in rows:
        passed_on = _stage_passed_on(stage, actual_start or planned_start, planned_end)
        if (ctx.as_of - passed_on).days > grace:
            gaps[project_id].append(f"{stage}/{group}")
    findings = {}
    for project_id, cells in gaps.items():
        severity = _at_least(len(cells), rule.amber_threshold, rule.red_threshold)
        if severity:
            findings[project_id] = Finding(project_id, severity, {"gaps": sorted(cells), "count": len(cells)})
    return findings


def tripartite_disputed(rule: Rule, ctx: ScanContext) -> dict[int, Finding]:
    """A project not yet closed financially or cancelled with a tripartite cell disputed (a constituent says they
    were not involved although the Office recorded it, or the Office answered a constituent's report without
    accepting it): amber, whatever the number of such cells (the thresholds are not used). It stops firing when
    the cell is confirmed or reported again (projects.services.involvement)."""
    rows = (TripartiteInvolvement.objects
            .filter(confirmation=Confirmation.DISPUTED)
            .exclude(project__status__in=(ProjectStatus.FINANCIALLY_CLOSED, ProjectStatus.CANCELLED))
            .values_list("project_id", "stage", "group"))
    cells: dict[int, list[str]] = defaultdict(list)
    for project_id, stage, group in rows:
        cells[project_id].append(f"{stage}/{group}")
    return {project_id: Finding(project_id, Severity.AMBER, {"disputed": sorted(found)})
            for project_id, found in cells.items()}


def autonomy_not_agreed(rule: Rule, ctx: ScanContext) -> dict[int, Finding]:
    """An ongoing project requiring autonomy whose countries' governments have not all recorded that they were
    informed and agree (projects.constituent_selectors.autonomy_missing_countries): amber, naming the countries
    (the thresholds are not used). It stops firing when each government agrees; a project without countries asks
    no government."""
    return {project_id: Finding(project_id, Severity.AMBER, {"countries": countries})
            for project_id, countries in autonomy_missing_countries().items()}


def report_overdue(rule: Rule, ctx: ScanContext) -> dict[int, Finding]:
    amber_days = int(rule.amber_threshold or 0)
    rows = (ProgressReport.objects
            .filter(project__status__in=ACTIVE_STATUSES, due_date__lt=ctx.as_of - dt.timedelta(days=amber_days))
            .filter(Q(submitted_date__isnull=True) | Q(submitted_date__gt=ctx.as_of))
            .values_list("project_id", "due_date", "period_end"))
    overdue: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for project_id, due_date, period_end in rows:
        overdue[project_id].append((due_date, period_end))
    findings = {}
    for project_id, reports in overdue.items():
        oldest_due, oldest_period = min(reports)
        days = (ctx.as_of - oldest_due).days
        severity = _above(days, rule.amber_threshold, rule.red_threshold)
        if severity:
            findings[project_id] = Finding(project_id, severity, {
                "reports_overdue": len(reports), "oldest_due": oldest_due.isoformat(),
                "oldest_period_end": oldest_period.isoformat(), "days_overdue": days})
    return findings


# ------------------------------------------------------------------------------------------- delivery rules


def low_delivery(rule: Rule, ctx: ScanContext) -> dict[int, Finding]:
    """Delivery of the year against the share of the project's active time in the year elapsed (figures.py)."""
    from_date = dt.date(ctx.year, int(rule.param("from_month", 4)), int(rule.param("from_day", 1)))
    if ctx.as_of < from_date:
        return {}
    findings = {}
    for project_id, project in ctx.ongoing_projects.items():  # figures.AT_RISK_STATUSES: ongoing ones only
        money = ctx.money.get(project_id, NO_MONEY)
        if project["status"] not in figures.AT_RISK_STATUSES or money.allocation_year <= 0:
            continue
        start = project["actual_start"] or project["planned_start"]
        elapsed = figures.active_elapsed(ctx.year, ctx.as_of, start=start, end=project["planned_end"])
        severity = _below(money.spent_year, money.allocation_year, rule, elapsed)
        if severity:
            findings[project_id] = Finding(project_id, severity, {
                "year": ctx.year, "allocation_usd": _money(money.allocation_year),
                "expenditure_usd": _money(money.spent_year),
                "delivery_rate": _ratio(figures.delivery_rate(money.spent_year, money.allocation_year)),
                "elapsed": _ratio(elapsed)})
    return findings


def _below(spent: Decimal, allocation: Decimal, rule: Rule, elapsed: Decimal = Decimal(1)) -> str | None:
    """Severity for delivery ratios (lower is worse), strictly below threshold × elapsed."""
    for threshold, severity in ((rule.red_threshold, Severity.RED), (rule.amber_threshold, Severity.AMBER)):
        if threshold is not None and figures.below_share(spent=spent, allocation=allocation, threshold=threshold,
                                                         elapsed=elapsed):
            return severity
    return None


def ending_unspent(rule: Rule, ctx: ScanContext) -> dict[int, Finding]:
    horizon = ctx.as_of + dt.timedelta(days=int(rule.param("window_days", 183)))
    findings = {}
    for project_id, project in ctx.ongoing_projects.items():
        if not ctx.as_of <= project["planned_end"] <= horizon:
            continue
        money = ctx.money.get(project_id, NO_MONEY)
        severity = _below(money.spent_to_date, money.allocation_total, rule)
        if severity:
            findings[project_id] = Finding(project_id, severity, {
                "planned_end": project["planned_end"].isoformat(), "allocation_usd": _money(money.allocation_total),
                "expenditure_usd": _money(money.spent_to_date),
                "life_delivery_rate": _ratio(figures.delivery_rate(money.spent_to_date, money.allocation_total))})
    return findings


def no_expenditure(rule: Rule, ctx: ScanContext) -> dict[int, Finding]:
    amber_periods = int(rule.amber_threshold or 0)
    red_periods = int(rule.red_threshold or 0)
    longest = max(amber_periods, red_periods)
    if longest <= 0:
        return {}
    started_before = ctx.as_of - dt.timedelta(days=int(rule.param("min_started_days", 90)))
    window_start = add_months(ctx.month, -(longest - 1))
    last_spend = last_spend_months(statuses=[ProjectStatus.ONGOING], first=window_start, last=ctx.month)
    findings = {}
    for project_id, project in ctx.ongoing_projects.items():
        if (project["actual_start"] or project["planned_start"]) > started_before:
            continue
        last = last_spend.get(project_id)
        if red_periods and (last is None or last < add_months(ctx.month, -(red_periods - 1))):
            severity = Severity.RED
        elif amber_periods and (last is None or last < add_months(ctx.month, -(amber_periods - 1))):
            severity = Severity.AMBER
        else:
            continue
        findings[project_id] = Finding(project_id, severity, {
            "last_expenditure_period": last.strftime("%Y-%m") if last else None, "as_of_period": f"{ctx.month:%Y-%m}"})
    return findings


def overspent(rule: Rule, ctx: ScanContext) -> dict[int, Finding]:
    factor = rule.red_threshold if rule.red_threshold is not None else Decimal("1")
    findings = {}
    for project_id, money in ctx.money.items():
        over_year = money.spent_year > factor * money.allocation_year
        over_total = money.spent_to_date > factor * money.allocation_total
        if over_year or over_total:
            findings[project_id] = Finding(project_id, Severity.RED, {
                "year": ctx.year, "allocation_year_usd": _money(money.allocation_year),
                "expenditure_year_usd": _money(money.spent_year),
                "allocation_total_usd": _money(money.allocation_total),
                "expenditure_to_date_usd": _money(money.spent_to_date), "over_year": over_year,
                "over_total": over_total})
    return findings


# ------------------------------------------------------------------------------------------ evaluation rules


def evaluation_overdue(rule: Rule, ctx: ScanContext) -> dict[int, Finding]:
    from evaluation.selectors import evaluation_gaps

    return _from_evaluation_register(evaluation_gaps(as_of=ctx.as_of))


def indicators_behind(rule: Rule, ctx: ScanContext) -> dict[int, Finding]:
    from evaluation.selectors import indicators_behind as behind

    return _from_evaluation_register(behind(as_of=ctx.as_of))


def _from_evaluation_register(rows) -> dict[int, Finding]:
    """Findings from an evaluation selector's (project_id, severity, detail) rows; the worst severity wins."""
    findings: dict[int, Finding] = {}
    for project_id, severity, detail in rows:
        severity = Severity.RED if str(severity).upper() == Severity.RED else Severity.AMBER
        previous = findings.get(project_id)
        if previous is None or (severity == Severity.RED and previous.severity != Severity.RED):
            findings[project_id] = Finding(project_id, severity, _jsonable(detail))
    return findings


def _jsonable(detail) -> dict:
    if not isinstance(detail, dict):
        return {"detail": str(detail)}
    return {str(key): value if isinstance(value, str | int | float | bool | type(None)) else str(value)
            for key, value in detail.items()}


CONDITIONS: dict[str, Callable[[Rule, ScanContext], dict[int, Finding]]] = {
    RuleCode.LOW_DELIVERY: low_delivery,
    RuleCode.ENDING_UNSPENT: ending_unspent,
    RuleCode.NO_EXPENDITURE: no_expenditure,
    RuleCode.OVERSPENT: overspent,
    RuleCode.PAST_END: past_end,
    RuleCode.EVALUATION_OVERDUE: evaluation_overdue,
    RuleCode.INDICATORS_BEHIND: indicators_behind,
    RuleCode.TRIPARTITE_GAP: tripartite_gap,
    RuleCode.REPORT_OVERDUE: report_overdue,
    RuleCode.TRIPARTITE_DISPUTED: tripartite_disputed,
    RuleCode.AUTONOMY_NOT_AGREED: autonomy_not_agreed,
}
