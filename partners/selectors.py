"""Reads: the queries this app's pages, API, commands and reports share."""

from django.db.models import Q, QuerySet

from partners.models import CONSTITUENT_KINDS, Organisation, Unit


def organisation_find(text: str) -> Organisation | None:
    """An organisation by acronym (exact, case-insensitive) or else by name; None when unknown or ambiguous."""
    text = (text or "").strip()
    if not text:
        return None
    by_acronym = list(Organisation.objects.filter(acronym__iexact=text)[:2])
    if len(by_acronym) == 1:
        return by_acronym[0]
    return Organisation.objects.filter(name__iexact=text).first()


def constituents(*, country=None, kind: str | None = None) -> QuerySet[Organisation]:
    queryset = Organisation.objects.filter(kind__in=CONSTITUENT_KINDS, is_active=True).select_related("country")
    if country is not None:
        queryset = queryset.filter(country=country)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def units_of(user) -> QuerySet[Unit]:
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    return Unit.objects.filter(memberships__user=user).distinct()


def managed_units(user) -> QuerySet[Unit]:
    if not getattr(user, "is_authenticated", False):
        return Unit.objects.none()
    return Unit.objects.filter(Q(memberships__user=user) & Q(memberships__is_manager=True)).distinct()
