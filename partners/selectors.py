"""Reads: the queries this app's pages, API, commands and reports share."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower, Upper

from partners.models import CONSTITUENT_KINDS, Organisation, Unit


def organisation_find(text: str) -> Organisation | None:
    """An organisation by acronym (exact, case-insensitive) or else by name; None when unknown or ambiguous."""
    text = (text or "").strip()
    return organisations_find([text]).get(text) if text else None


def organisations_find(texts: Iterable[str]) -> dict[str, Organisation]:
    """organisation_find for many texts at once (a file's column), in one query: {text: organisation} for the
    texts that name one."""
    texts = {text.strip() for text in texts if text and text.strip()}
    if not texts:
        return {}
    by_acronym: dict[str, list[Organisation]] = {}
    by_name: dict[str, Organisation] = {}
    candidates = Organisation.objects.annotate(acronym_upper=Upper("acronym"), name_lower=Lower("name")).filter(
        Q(acronym_upper__in={t.upper() for t in texts}) | Q(name_lower__in={t.lower() for t in texts}))
    for organisation in candidates:
        if organisation.acronym:
            by_acronym.setdefault(organisation.acronym_upper, []).append(organisation)
        by_name[organisation.name_lower] = organisation
    found = {}
    for text in texts:
        acronym_matches = by_acronym.get(text.upper(), [])
        organisation = acronym_matches[0] if len(acronym_matches) == 1 else by_name.get(text.lower())
        if organisation is not None:
            found[text] = organisation
    return found


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
