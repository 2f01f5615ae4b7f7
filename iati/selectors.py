"""Reads for the IATI publication: the projects to publish, in chunks, each chunk with everything it needs.

A chunk costs a fixed number of queries (the project page plus one per prefetched relation and one for the
monthly expenditure by source of funds, which delivery.selectors.monthly_spend_by_source reads from delivery's
rollup), whatever its size, so
the query count grows with the number of chunks, not of projects, and memory holds one chunk at a time.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from delivery.models import Allocation, AllocationRevision, Approval
from delivery.selectors import monthly_spend_by_source
from evaluation.models import Baseline, Evaluation, Indicator, IndicatorPeriod, Result
from iati import mappings as m
from projects.models import (
    Convention,
    CrossCuttingTheme,
    DeclarationPrinciple,
    FundingSource,
    Programme,
    Project,
    ProjectPartner,
    StrategicObjective,
)

CHUNK_SIZE = 500


@dataclass
class ActivityData:
    """A project with its monthly expenditure totals by source of funds ((period, source id) → US$), which the ORM
    cannot prefetch."""

    project: Project
    monthly_expenditure: dict[tuple[date, int], Decimal] = field(default_factory=dict)


def funding_sources() -> dict[int, FundingSource]:
    """The sources of funds by id (a short reference list, read once per publication)."""
    return FundingSource.objects.in_bulk()


def _prefetches() -> list:
    return [
        Prefetch("countries", to_attr="iati_countries"),
        Prefetch("other_programmes", to_attr="iati_other_programmes"),
        Prefetch("principles", queryset=DeclarationPrinciple.objects.order_by("code"), to_attr="iati_principles"),
        Prefetch("conventions", queryset=Convention.objects.order_by("number"), to_attr="iati_conventions"),
        Prefetch("themes", queryset=CrossCuttingTheme.objects.order_by("code", "id"), to_attr="iati_themes"),
        Prefetch("partners", queryset=ProjectPartner.objects.select_related("organisation").order_by(
            "role", "organisation__name", "id"), to_attr="iati_partners"),
        Prefetch("allocations", queryset=Allocation.objects.order_by("year", "funding_source_id"),
                 to_attr="iati_allocations"),
        Prefetch("approvals", queryset=Approval.objects.select_related("donor").order_by("date", "id"),
                 to_attr="iati_approvals"),
        Prefetch("results", queryset=Result.objects.order_by("kind", "id").prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.select_related("framework_indicator").order_by("id"),
                     to_attr="iati_indicators"),
        ), to_attr="iati_results"),
        Prefetch("evaluations", queryset=Evaluation.objects.exclude(report="").order_by("planned_date", "id"),
                 to_attr="iati_evaluations"),
    ]


def _grouped(rows, key: str) -> dict[int, list]:
    groups = defaultdict(list)
    for row in rows:
        groups[getattr(row, key)].append(row)
    return groups


def _attach_leaf_rows(chunk: list[Project]) -> None:
    """Revisions, baselines and periods are the most numerous rows: read as named tuples (no model instances),
    one query each for the whole chunk, and attached to their allocation or indicator."""
    ids = [p.id for p in chunk]
    revisions = _grouped(AllocationRevision.objects.filter(allocation__project_id__in=ids).order_by(
        "revised_at", "id").values_list("allocation_id", "old_amount_usd", "new_amount_usd", named=True),
        "allocation_id")
    baselines = _grouped(Baseline.objects.filter(indicator__result__project_id__in=ids).order_by(
        "year", "id").values_list("indicator_id", "year", "value", "comment", named=True), "indicator_id")
    periods = _grouped(IndicatorPeriod.objects.filter(indicator__result__project_id__in=ids).order_by(
        "start", "id").values_list("indicator_id", "start", "end", "target", "actual", "actual_women", "actual_men",
                                   "comment", named=True), "indicator_id")
    for project in chunk:
        for allocation in project.iati_allocations:
            allocation.iati_revisions = revisions.get(allocation.id, [])
        for result in project.iati_results:
            for indicator in result.iati_indicators:
                indicator.iati_baselines = baselines.get(indicator.id, [])
                indicator.iati_periods = periods.get(indicator.id, [])


def activity_chunks(projects: QuerySet[Project], *, chunk_size: int = CHUNK_SIZE) -> Iterator[list[ActivityData]]:
    """The projects of `projects` by ascending id, `chunk_size` at a time (keyset paging: no OFFSET scans)."""
    base = projects.select_related(
        "strategic_objective", "primary_programme", "region", "donor").order_by("id")
    last_id = 0
    while True:
        chunk = list(base.filter(id__gt=last_id)[:chunk_size])
        if not chunk:
            return
        last_id = chunk[-1].id
        prefetch_related_objects(chunk, *_prefetches())
        _attach_leaf_rows(chunk)
        monthly = monthly_spend_by_source(p.id for p in chunk)
        yield [ActivityData(project=p, monthly_expenditure=monthly.get(p.id, {})) for p in chunk]


# ---------------------------------------------------------------- our own vocabularies


def vocabulary(name: str) -> tuple[list[str], list[list[str]]]:
    """The list behind one of our vocabularies (sector vocabularies 99 and 98, tag vocabulary 99), as a header
    and rows; the codes are the ones the activity file carries (README, "IATI publication")."""
    if name == "objectives":
        return ["code", "name", "biennium"], [
            [o.code, o.title, o.biennium.code] for o in
            StrategicObjective.objects.select_related("biennium").order_by("biennium__start_year", "code")]
    if name == "programmes":
        return ["code", "name", "biennium"], [
            [p.code, p.title, p.biennium.code] for p in
            Programme.objects.select_related("biennium").order_by("biennium__start_year", "code")]
    if name == m.TAG_LIST_PRINCIPLES:
        return ["code", "name"], [[p.code, p.title] for p in DeclarationPrinciple.objects.order_by("code")]
    if name == m.TAG_LIST_CONVENTIONS:
        return ["code", "name", "principle"], [
            [m.convention_code(c.number), c.title, c.principle.code if c.principle_id else ""]
            for c in Convention.objects.select_related("principle").order_by("number")]
    if name == m.TAG_LIST_THEMES:
        return ["code", "name", "biennium"], [
            [t.code, t.title, t.biennium.code] for t in
            CrossCuttingTheme.objects.select_related("biennium").order_by("biennium__start_year", "code")]
    raise KeyError(name)
