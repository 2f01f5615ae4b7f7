"""Reads: the queries this app's pages, API, commands and reports share."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower, Upper

from core.text import comparable
from partners.models import CONSTITUENT_KINDS, ConstituentAccount, Organisation, Unit, UnitMembership


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


def organisation_duplicates(*, name: str, acronym: str = "", exclude_pk: int | None = None) -> dict[str, Organisation]:
    """The existing organisations a new one would repeat, by field ("name", "acronym"): names and acronyms
    compared trimmed and ignoring case and accents (core.text.comparable), so "Confédération" repeats
    "confederation". An empty acronym repeats nothing."""
    wanted = {"name": comparable(name), "acronym": comparable(acronym)}
    found: dict[str, Organisation] = {}
    # Accents cannot be ignored in SQL on every backend: read the two short columns and compare here.
    for organisation in Organisation.objects.exclude(pk=exclude_pk).only("pk", "name", "acronym"):
        for field in ("name", "acronym"):
            if wanted[field] and field not in found and comparable(getattr(organisation, field)) == wanted[field]:
                found[field] = organisation
    return found


def organisation_candidates(text: str) -> list[Organisation]:
    """What `text` names, as organisation_find reads it, but saying why when it names none: [the organisation]
    when found; [] when unknown; several when the acronym is shared by more than one and no name matches."""
    text = (text or "").strip()
    if not text:
        return []
    found = organisation_find(text)
    if found is not None:
        return [found]
    return list(Organisation.objects.annotate(acronym_upper=Upper("acronym")).filter(acronym_upper=text.upper()))


def constituent_organisation(user) -> Organisation | None:
    """The organisation a constituent user belongs to (None for staff); cached on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_tcms_constituent_organisation"):
        account = ConstituentAccount.objects.select_related("organisation__country").filter(user=user).first()
        user._tcms_constituent_organisation = account.organisation if account else None
    return user._tcms_constituent_organisation


def ldc_in(year: int, *, prefix: str = "") -> Q:
    """The countries that were least developed countries in `year`: those on the UN list now, and those that
    graduated after that year. The one definition of "LDC in the year shown" (the register's and the dashboard's
    filters, `delivery_table --by ldc`, the annual report); Country.was_ldc_in is its twin for one country.
    `prefix` is the path from the model queried to Country (e.g. "country__")."""
    return Q(**{f"{prefix}is_ldc": True}) | Q(**{f"{prefix}ldc_graduation_year__gt": year})


def in_transition(*, prefix: str = "") -> Q:
    """The countries in transition (the reference data's flag, which has no year)."""
    return Q(**{f"{prefix}in_transition": True})


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


# ---------------------------------------------------------------- the unit tree (scope follows it)


class UnitTree:
    """The units' parent links, read in one query: scopes walk it in memory, so no query per level or per project.
    A walk never visits a unit twice, so even a cycle stored before validation existed cannot make it loop."""

    def __init__(self, parent_of: dict[int, int | None]):
        self.parent_of = parent_of
        self.children_of: dict[int, list[int]] = {}
        for unit_id, parent_id in parent_of.items():
            if parent_id is not None:
                self.children_of.setdefault(parent_id, []).append(unit_id)

    def with_descendants(self, unit_ids: Iterable[int]) -> frozenset[int]:
        """The units given and every unit below them (a regional office → its country offices → their MDTs)."""
        found: set[int] = set()
        pending = [unit_id for unit_id in unit_ids if unit_id is not None]
        while pending:
            unit_id = pending.pop()
            if unit_id not in found:
                found.add(unit_id)
                pending.extend(self.children_of.get(unit_id, ()))
        return frozenset(found)

    def with_ancestors(self, unit_id: int | None) -> list[int]:
        """The unit, its parent, its parent's parent…: the units whose scope includes this one (nearest first)."""
        chain: list[int] = []
        while unit_id is not None and unit_id not in chain:
            chain.append(unit_id)
            unit_id = self.parent_of.get(unit_id)
        return chain


def unit_tree() -> UnitTree:
    return UnitTree(dict(Unit.objects.values_list("pk", "parent_id")))


def units_with_descendants(unit_ids: Iterable[int]) -> frozenset[int]:
    """The one expansion of units to their scope: themselves plus all units below them (one query)."""
    unit_ids = [getattr(unit, "pk", unit) for unit in unit_ids]
    return unit_tree().with_descendants(unit_ids) if unit_ids else frozenset()


def scope_unit_ids(user) -> frozenset[int]:
    """The units whose projects a user works on: those they belong to (member or manager) and every unit below
    them. Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_tcms_scope_unit_ids", None)
    if cached is None:
        # The tree and the user's units in one query: every unit, flagged when the user belongs to it.
        rows = Unit.objects.annotate(is_mine=Exists(UnitMembership.objects.filter(unit=OuterRef("pk"), user=user)))
        rows = list(rows.values_list("pk", "parent_id", "is_mine"))
        tree = UnitTree({unit_id: parent_id for unit_id, parent_id, _is_mine in rows})
        cached = tree.with_descendants(unit_id for unit_id, _parent_id, is_mine in rows if is_mine)
        user._tcms_scope_unit_ids = cached
    return cached
