"""The register's list as a spreadsheet (CSV or XLSX): the rows the page's filters select, every column a reader
needs to re-sort or pivot them."""

import itertools

from core import clock
from core.downloads import table_download

EXPORT_HEADER = [
    "symbol", "title", "status", "planned_start", "planned_end", "actual_start", "actual_end",
    "strategic_objective", "infocus_programme", "region", "countries", "funding_source", "budget_type", "donor",
    "responsible_unit", "backstopping_unit", "responsible_official", "gender_marker", "crisis_response",
    "enterprise_promotion", "undaf_aligned", "requires_autonomy",
]


def _date(value) -> str:
    return value.isoformat() if value else ""


def project_rows(queryset):
    """One list per project, in EXPORT_HEADER's order (the queryset comes from selectors.project_queryset)."""
    for p in queryset.iterator(chunk_size=500):  # prefetches countries per chunk
        yield [
            p.symbol, p.title, p.status, _date(p.planned_start), _date(p.planned_end), _date(p.actual_start),
            _date(p.actual_end), p.strategic_objective.code,
            p.primary_programme.code if p.primary_programme else "", p.region.code,
            ";".join(c.iso3 for c in p.countries.all()), p.funding_source.code, p.funding_source.budget_type,
            p.donor.acronym or p.donor.name if p.donor else "",
            p.responsible_unit.code, p.backstopping_unit.code if p.backstopping_unit else "",
            p.responsible_official.get_username() if p.responsible_official else "", p.gender_marker,
            int(p.is_crisis_response), int(p.is_enterprise_promotion), int(p.undaf_aligned), int(p.is_autonomous),
        ]


def project_export_response(queryset, *, fmt: str):
    rows = itertools.chain([EXPORT_HEADER], project_rows(queryset))
    return table_download(rows, name=f"projects-{clock.today():%Y-%m-%d}", fmt=fmt, sheet="projects",
                          stream=True)
