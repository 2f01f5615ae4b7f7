"""A project's allocations with every amount each has had (the money tab): the allocation import writes an
AllocationRevision per change with who and why (delivery/services.py); this reads them back in two queries, however
many allocations and revisions there are."""

from django.db.models import Prefetch, QuerySet

from delivery.models import Allocation, AllocationRevision
from projects.models import Project


def allocation_revisions(project: Project) -> QuerySet:
    """The project's allocations by year and source of funds, each with `revisions` (newest first) and who made
    them prefetched."""
    revisions = AllocationRevision.objects.select_related("revised_by").order_by("-revised_at", "-id")
    return (Allocation.objects.filter(project=project).select_related("funding_source")
            .prefetch_related(Prefetch("revisions", queryset=revisions)).order_by("year", "funding_source__code"))
