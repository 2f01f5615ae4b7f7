"""The reports: the annual report, the mid-term report and the implementation plan, assembled from the tables."""

import datetime as dt
import hashlib
import json
from collections.abc import Callable

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from partners.models import Organisation, Region
from projects.models import Convention, CrossCuttingTheme, DeclarationPrinciple
from reports.models import ImplementationPlan, MilestoneStatus
from reports.selectors.checksum import (
    data_checksum,
)
from reports.selectors.periods import (
    Period,
)
from reports.selectors.tables import (
    Column,
    GbReport,
    ReportTable,
    _approvals,
    _compare_table,
    _cross_table,
    _delivery_by_field_table,
    _delivery_compare,
    _early_warnings_table,
    _evaluations_table,
    _experts_by_nationality_table,
    _experts_table,
    _field_labels,
    _field_sums,
    _gender_table,
    _ldc_sums,
    _lessons,
    _portfolio,
    _sources,
    _training_table,
    _tripartite_table,
)


def period_report(*, period: Period, as_of: dt.date | None = None, kind: str = "annual",
                  progress: Callable[[int], None] | None = None) -> GbReport:
    """Every table of the annual (or mid-term) report for `period`, compared with the period before."""
    report_progress = progress or (lambda _percent: None)
    previous = period.previous()
    previous_as_of = period.shift_as_of(as_of)
    tables = []

    tables.append(_delivery_compare("by_source", _("Expenditure by source of funds"), _("Source of funds"),
                                    "funding_source", period, previous, as_of, previous_as_of))
    tables.append(_delivery_compare(
        "by_region", _("Expenditure by region"), _("Region"), "region", period, previous, as_of, previous_as_of,
        note=_("A project counts in its own region; multi-country projects are not split.")))
    tables.append(_delivery_compare("by_input", _("Expenditure by type of input"), _("Type of input"), "input_type",
                                    period, previous, as_of, previous_as_of))
    report_progress(20)

    portfolio = _portfolio(period, as_of)
    portfolio_before = _portfolio(previous, previous_as_of)
    sources = _sources()
    current = _field_sums(portfolio, index=1)
    before = _field_sums(portfolio_before, index=1)
    tables.append(_cross_table(
        "by_field", _("Expenditure by field of activity and source of funds"),
        [_("Strategic objective"), _("InFocus programme")], current, before,
        _field_labels({k for k, _s in [*current, *before]}), sources, period, previous,
        note=_("A project counts under its strategic objective and primary InFocus programme.")))
    report_progress(40)

    ldc_now = _ldc_sums(period, portfolio)
    ldc_before = _ldc_sums(previous, portfolio_before)
    region_labels = {r.pk: [r.name] for r in Region.objects.all()}
    tables.append(_cross_table(
        "ldc", _("Expenditure in least developed countries, by region and source of funds"), [_("Region")],
        ldc_now, ldc_before, region_labels, sources, period, previous,
        note=_("A project's expenditure is split evenly among its countries; the shares of countries that were "
               "least developed countries in %(year)s count, in their region.") % {"year": period.end.year}))
    tables.append(_experts_table(period))
    tables.append(_experts_by_nationality_table(period))
    tables.append(_training_table(period, previous, as_of, previous_as_of))
    tables.append(_delivery_by_field_table(portfolio, period))
    report_progress(60)

    approvals_now = _approvals(period.start, period.last_day(as_of))
    approvals_before = _approvals(previous.start, previous.last_day(previous_as_of))
    donors = {o.pk: str(o) for o in Organisation.objects.filter(pk__in=set(approvals_now) | set(approvals_before))}
    tables.append(_compare_table("approvals", _("Approvals of extra-budgetary funds, by donor"), _("Donor"),
                                 approvals_now, approvals_before, donors, period, previous,
                                 note=_("New extra-budgetary funds approved in the period (funding sources, "
                                        "para 43).")))
    tables.append(_tripartite_table(period, as_of))
    tables.append(_gender_table(portfolio))
    for key, title, model, dimension in (
            ("by_theme", _("Expenditure by cross-cutting theme"), CrossCuttingTheme, "theme"),
            ("by_principle", _("Expenditure by Declaration principle"), DeclarationPrinciple, "principle"),
            ("by_convention", _("Expenditure by Convention supported"), Convention, "convention")):
        header = str(capfirst(model._meta.verbose_name))
        tables.append(_delivery_compare(key, title, header, dimension, period, previous, as_of, previous_as_of))
    tables.append(_delivery_compare(
        "by_ldc", _("Expenditure in least developed countries, by the status of the year"),
        _("Least developed countries"), "ldc", period, previous, as_of, previous_as_of,
        note=_("A project counts, whole, in least developed countries when one of its countries was one in the year "
               "of the figures (%(years)s; %(previous_years)s for the period before). The table by region and "
               "source of funds splits a project's expenditure among its countries instead.") % {
            "years": ", ".join(map(str, period.years)), "previous_years": ", ".join(map(str, previous.years))}))
    tables.append(_delivery_compare(
        "by_transition", _("Expenditure in countries in transition"), _("Countries in transition"), "in_transition",
        period, previous, as_of, previous_as_of,
        note=_("A project counts, whole, when one of its countries is a country in transition.")))
    tables.append(_delivery_compare(
        "by_demand", _("Expenditure of demand-driven projects"), _("Constituent request"), "demand_driven",
        period, previous, as_of, previous_as_of,
        note=_("A project is demand-driven when an accepted request for assistance from a constituent is linked "
               "to it.")))
    report_progress(75)
    tables.append(_early_warnings_table(period, as_of))
    tables.append(_evaluations_table(period, as_of))
    lessons = _lessons(period, as_of)
    report_progress(85)

    if kind == "midterm":
        title = _("Mid-term report on technical cooperation, %(period)s") % {"period": period.label}
    else:
        title = _("Technical cooperation programme of the ILO, %(period)s") % {"period": period.label}
    return GbReport(kind=kind, title=title, period=period, previous=previous, as_of=as_of, tables=tables,
                    lessons=lessons, checksum=data_checksum(period=period, as_of=as_of))


def annual_report(*, year: int, as_of: dt.date | None = None,
                  progress: Callable[[int], None] | None = None) -> GbReport:
    return period_report(period=Period.of_year(year), as_of=as_of, kind="annual", progress=progress)


def midterm_report(*, start: dt.date, end: dt.date, as_of: dt.date | None = None,
                   progress: Callable[[int], None] | None = None) -> GbReport:
    return period_report(period=Period.between(start, end), as_of=as_of, kind="midterm", progress=progress)


def plan_report(*, plan: ImplementationPlan, as_of: dt.date | None = None) -> GbReport:
    """The implementation plan: its timetable as a table (the builders add the Gantt-like chart)."""
    milestones = list(plan.milestones.all())
    columns = [Column(_("Milestone")), Column(_("Owner")), Column(_("Start")), Column(_("Due date")),
               Column(_("Status")), Column(_("Completed on"))]
    rows = [[m.title, m.owner, (m.start_date or plan.start_date).isoformat(), m.due_date.isoformat(),
             str(m.get_status_display()), m.completed_on.isoformat() if m.completed_on else ""] for m in milestones]
    done = sum(1 for m in milestones if m.status == MilestoneStatus.DONE)
    table = ReportTable("timetable", _("Timetable"), columns, rows, None,
                        _("%(done)s of %(count)s milestones done.") % {"done": done, "count": len(milestones)})
    period = Period.between(plan.start_date, plan.end_date)
    checksum = hashlib.sha256(json.dumps(
        {"plan": plan.pk, "title": plan.title, "start": plan.start_date.isoformat(),
         "end": plan.end_date.isoformat(), "rows": rows}, sort_keys=True, default=str).encode()).hexdigest()
    return GbReport(kind="plan", title=_("Implementation plan: %(title)s") % {"title": plan.title}, period=period,
                    previous=period.previous(), as_of=as_of, tables=[table], checksum=checksum)


def plan_timetable(plan: ImplementationPlan) -> list[tuple[str, dt.date, dt.date, str]]:
    """(title, start, due, status) of each milestone, for the Gantt-like chart."""
    return [(m.title, m.start_date or plan.start_date, m.due_date, m.status) for m in plan.milestones.all()]
