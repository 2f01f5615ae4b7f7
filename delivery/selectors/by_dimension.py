"""Delivery of a year grouped by a dimension (delivery_by) and its TOTAL row: what `delivery_table`, the API's
figures endpoint and the reports show; the dashboard's groups equal it. Also the dashboard filters as a condition
on Project, which every reader of the portfolio shares.

Grouping by `funding_source` or `budget_type` follows the money: each allocation and expenditure line counts under
its own source of funds (a project funded from two sources counts in both, each with its own money), read from
the SourceYearDelivery rollup. Every other dimension groups projects, each counted once with all its money, from
ProjectYearDelivery. Filters stay conditions on the project (its main source and budget type)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Choices, Q, QuerySet, Sum
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from delivery.figures import ZERO, delivery_rate, from_cents, money
from delivery.models import Allocation, Expenditure, ProjectYearDelivery, SourceYearDelivery
from delivery.selectors.rollups import listed, spend_to, spend_window
from partners.models import Country, Organisation, Region, Unit
from partners.selectors import units_with_descendants
from projects.constituent_selectors import demand_driven
from projects.models import (
    BudgetType,
    Convention,
    CrossCuttingTheme,
    DeclarationPrinciple,
    FundingSource,
    InputType,
    Programme,
    Project,
    ProjectStatus,
    StrategicObjective,
)
from projects.selectors import funded_by, in_ldc, in_transition_country

# dimension → (path from Project, label source: a model, a choices class or {value: label} of a yes/no dimension)
DIMENSIONS: dict[str, tuple[str, object]] = {
    "strategic_objective": ("strategic_objective", StrategicObjective),
    "infocus_programme": ("primary_programme", Programme),
    "region": ("region", Region),
    "country": ("countries", Country),
    "funding_source": ("funding_source", FundingSource),
    "budget_type": ("funding_source__budget_type", BudgetType),
    "donor": ("donor", Organisation),
    "unit": ("responsible_unit", Unit),
    "project": ("id", Project),
    "status": ("status", ProjectStatus),
    "input_type": ("input_type", InputType),
    "theme": ("themes", CrossCuttingTheme),
    "principle": ("principles", DeclarationPrinciple),
    "convention": ("conventions", Convention),
    "ldc": ("ldc", {True: _("In a least developed country"), False: _("Not in a least developed country")}),
    "in_transition": ("in_transition", {True: _("In a country in transition"),
                                        False: _("Not in a country in transition")}),
    "crisis_response": ("is_crisis_response", {True: _("Crisis response"), False: _("Not crisis response")}),
    "enterprise_promotion": ("is_enterprise_promotion", {True: _("Enterprise promotion"),
                                                         False: _("Not enterprise promotion")}),
    "demand_driven": ("demand_driven", {True: _("Answers a constituent request"),
                                        False: _("Not demand-driven")}),
}
# Dimensions a project may have several values of: it counts in each (a join), so the rows overlap and the TOTAL
# is the portfolio counted once (delivery_total); a project with none counts under "(none)".
OVERLAPPING_DIMENSIONS = frozenset({"country", "theme", "principle", "convention"})
# Dimensions that are a condition on the project's countries in the year of the figures, not a field: the one
# definition of "in an LDC in the year shown" (projects.selectors.in_ldc), and of "in a country in transition".
# Given the field holding the project's id, each answers the condition.
COUNTRY_CONDITIONS = {
    "ldc": lambda year, project: in_ldc(year, project=project),
    "in_transition": lambda year, project: in_transition_country(project=project),
    # not about countries: a condition on the project all the same (projects.constituent_selectors.demand_driven)
    "demand_driven": lambda year, project: demand_driven(project=project),
}
DIMENSION_LABELS = {
    "strategic_objective": _("Strategic objective"), "infocus_programme": _("InFocus programme"),
    "region": _("Region"), "country": _("Country"), "funding_source": _("Source of funds"),
    "budget_type": _("Budget type"), "donor": _("Donor"), "unit": _("Responsible unit"), "project": _("Project"),
    "status": _("Status"), "input_type": _("Type of input"),
    "theme": capfirst(CrossCuttingTheme._meta.verbose_name),
    "principle": capfirst(DeclarationPrinciple._meta.verbose_name),
    "convention": capfirst(Convention._meta.verbose_name),
    "ldc": _("In a least developed country"), "in_transition": _("In a country in transition"),
    "crisis_response": _("Crisis response"), "enterprise_promotion": _("Enterprise promotion"),
    "demand_driven": _("Answers a constituent request"),
}
# filters key → Project lookup (values: an id, a model instance, a code for status/budget_type, or a list of them)
FILTER_LOOKUPS = {
    "strategic_objective": "strategic_objective", "infocus_programme": "primary_programme", "region": "region",
    "country": "countries", "funding_source": "funding_source", "budget_type": "funding_source__budget_type",
    "donor": "donor", "unit": "responsible_unit", "status": "status", "project": "id",
    "theme": "themes", "principle": "principles", "convention": "conventions",
    "is_crisis_response": "is_crisis_response", "is_enterprise_promotion": "is_enterprise_promotion",
    "ldc": "ldc", "in_transition": "in_transition",  # COUNTRY_CONDITIONS: True keeps the projects in, False out
    "demand_driven": "demand_driven",
}
# Dimensions that follow the money (the source of each allocation and line), not the project: their path from
# SourceYearDelivery. The budget type of money is that of its source of funds (FundingSource.budget_type).
SOURCE_OF_MONEY_PATHS = {"funding_source": "funding_source", "budget_type": "funding_source__budget_type"}


@dataclass(frozen=True)
class DeliveryRow:
    group_key: object
    group_label: str
    allocation_usd: Decimal
    expenditure_usd: Decimal
    delivery_rate: Decimal | None


def _key(value):
    return getattr(value, "pk", value)


def project_filter(filters: dict | None, *, year: int | None = None) -> Q:
    """The dashboard filters (see delivery/filters.py) as a condition on Project. `year` is the year of the figures:
    the `ldc` filter keeps the projects in a country that was an LDC that year (it needs it)."""
    condition = Q()
    for name, value in (filters or {}).items():
        if value in (None, "", [], ()):
            continue
        if name not in FILTER_LOOKUPS:
            raise ValueError(f"Unknown delivery filter {name!r}")
        if name == "donor":  # funded by: main donor or an approval's organisation, the one definition
            condition &= funded_by(value)
            continue
        if name in COUNTRY_CONDITIONS:
            if year is None and name == "ldc":
                raise ValueError("The ldc filter needs the year of the figures")
            in_countries = COUNTRY_CONDITIONS[name](year, "pk")
            condition &= in_countries if value else ~in_countries
            continue
        lookup = FILTER_LOOKUPS[name]
        if name == "unit":  # a unit includes the units below it (a regional office its country offices…)
            value = units_with_descendants(value if isinstance(value, (list, tuple, set, QuerySet)) else [value])
        if isinstance(value, (list, tuple, set, frozenset, QuerySet)):
            condition &= Q(**{f"{lookup}__in": [_key(v) for v in value]})
        else:
            condition &= Q(**{lookup: _key(value)})
    return condition


def filtered_projects(filters: dict | None, *, year: int | None = None) -> QuerySet | None:
    """The ids of the projects the filters keep (None: no filter, every project)."""
    condition = project_filter(filters, year=year)
    if not condition:
        return None
    queryset = Project.objects.filter(condition).order_by()  # no ORDER BY column in the dashboard's raw subquery
    # A filter on a many-valued field (a list of countries, themes…) joins one row per match.
    joined = OVERLAPPING_DIMENSIONS & set(filters or {})
    return queryset.values("id").distinct() if joined else queryset.values("id")


def group_labels(dimension: str, keys) -> dict:
    _path, source = DIMENSIONS[dimension]
    if isinstance(source, dict):  # a yes/no dimension
        return {key: str(label) for key, label in source.items()}
    if issubclass(source, Choices):
        return dict(source.choices)
    keys = [k for k in keys if k is not None]
    if source is Project:
        return dict(Project.objects.filter(pk__in=keys).values_list("pk", "symbol"))
    return {o.pk: str(o) for o in source.objects.filter(pk__in=keys)}


def rollup_sums(fields: list[str], *, year: int, last: dt.date | None, projects: QuerySet | None,
                by_source: bool, spend_reaches_january: bool = False, annotations: dict | None = None) -> list[tuple]:
    """[(*values of `fields*, Σ allocation, Σ spend to `last`)] in US$ over the year rollup rows that count: the
    rows by source of funds (SourceYearDelivery) if `by_source`, else one row per project (ProjectYearDelivery);
    `fields` are paths from that rollup, or names of `annotations` (conditions computed per row)."""
    rollup = SourceYearDelivery if by_source else ProjectYearDelivery
    rows_counted = rollup.objects.filter(year=year).filter(listed(last, spend_reaches_january=spend_reaches_january))
    if projects is not None:
        rows_counted = rows_counted.filter(project__in=projects)
    spend = spend_to(last.month if last else 0)
    aggregates = {"allocation": Sum("allocation_cents")}
    if spend is not None:
        aggregates["spent"] = Sum(spend)
    if annotations:
        rows_counted = rows_counted.annotate(**annotations)
    return [(*(row[name] for name in fields), from_cents(row["allocation"]), from_cents(row.get("spent")))
            for row in rows_counted.values(*fields).annotate(**aggregates).order_by()]


def delivery_by(*, dimension: str, year: int, as_of: dt.date | None = None, filters: dict | None = None,
                split_by_source: bool = False) -> list[DeliveryRow]:
    """Allocation, expenditure and delivery rate of the year for each group of `dimension`, sorted by label.

    `split_by_source`: each group's money split by its source of funds, one row per (group, source) with the
    group_key (group key, source id) and the group's label (not for `input_type`, nor the dimensions that already
    follow the source)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"Unknown dimension {dimension!r}; expected one of {', '.join(DIMENSIONS)}")
    path = DIMENSIONS[dimension][0]
    projects = filtered_projects(filters, year=year)
    first, last = spend_window(year, as_of)
    if split_by_source and (dimension == "input_type" or dimension in SOURCE_OF_MONEY_PATHS):
        raise ValueError(f"{dimension!r} cannot be split by source of funds")
    if dimension == "input_type":
        return _by_input_type(year, first, last, projects)

    field = SOURCE_OF_MONEY_PATHS.get(dimension, f"project__{path}")
    annotations = None
    if dimension in COUNTRY_CONDITIONS:  # a condition of the year, not a field: computed per project
        field = path
        annotations = {field: COUNTRY_CONDITIONS[dimension](year, "project_id")}
    fields = [field, "funding_source"] if split_by_source else [field]
    sums = rollup_sums(fields, year=year, last=last, projects=projects,
                       by_source=split_by_source or dimension in SOURCE_OF_MONEY_PATHS, annotations=annotations)
    labels = group_labels(dimension, {key for key, *_rest in sums})
    none_label = str(_("(none)"))
    rows = []
    for key, *source, allocation, spent in sums:
        label = str(labels.get(key, key)) if key is not None else none_label
        rows.append(DeliveryRow((key, *source) if source else key, label, allocation, spent,
                                delivery_rate(spent, allocation)))
    return sorted(rows, key=lambda r: r.group_label)


def _by_input_type(year: int, first: dt.date, last: dt.date | None, projects: QuerySet | None) -> list[DeliveryRow]:
    """No rollup keeps the type of input, so this sums Expenditure; allocations are not split by input, so every
    row shows the whole allocation and the rows' rates add up to the total rate."""
    allocations = Allocation.objects.filter(year=year)
    if projects is not None:
        allocations = allocations.filter(project__in=projects)
    total_allocation = money(allocations.aggregate(total=Sum("amount_usd"))["total"])
    spend_by: dict = {}
    if last is not None:
        lines = Expenditure.objects.filter(period__gte=first, period__lte=last)
        if projects is not None:
            lines = lines.filter(project__in=projects)
        spend_by = dict(lines.values("input_type").annotate(total=Sum("amount_usd")).values_list(
            "input_type", "total"))
    labels = group_labels("input_type", spend_by)
    rows = [DeliveryRow(key, labels.get(key, str(key)), total_allocation, money(spend),
                        delivery_rate(money(spend), total_allocation)) for key, spend in spend_by.items()]
    return sorted(rows, key=lambda r: r.group_label)


def total_row(rows: list[DeliveryRow], dimension: str | None = None) -> DeliveryRow:
    """The sum of delivery_by rows (of an OVERLAPPING_DIMENSIONS grouping, a project counts once per value: its
    TOTAL is delivery_total)."""
    if dimension == "input_type" and rows:
        allocation = rows[0].allocation_usd
    else:
        allocation = sum((r.allocation_usd for r in rows), ZERO)
    spent = sum((r.expenditure_usd for r in rows), ZERO)
    return DeliveryRow("TOTAL", "TOTAL", allocation, spent, delivery_rate(spent, allocation))


def overlap_note(dimension: str) -> str:
    """What a table grouped by `dimension` says under its total: that its rows overlap (empty when they do not)."""
    if dimension not in OVERLAPPING_DIMENSIONS:
        return ""
    model = DIMENSIONS[dimension][1]
    return _("A project with several %(values)s counts under each of them, one with none under “(none)”: the rows "
             "overlap, and the total counts each project once.") % {"values": model._meta.verbose_name_plural}


def delivery_total(*, dimension: str, year: int, as_of: dt.date | None = None, filters: dict | None = None,
                   rows: list[DeliveryRow] | None = None) -> DeliveryRow:
    """The TOTAL row of delivery_by(dimension, …) (`rows`, if already read): the sum of its rows, except for the
    OVERLAPPING_DIMENSIONS, whose rows count a project under each of its values: their TOTAL is the portfolio
    counted once, what every other grouping totals (each project has exactly one status)."""
    if dimension in OVERLAPPING_DIMENSIONS:
        rows, dimension = delivery_by(dimension="status", year=year, as_of=as_of, filters=filters), "status"
    elif rows is None:
        rows = delivery_by(dimension=dimension, year=year, as_of=as_of, filters=filters)
    return total_row(rows, dimension)
