"""Writes: every change to this app's records goes through a function here."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from modeltranslation.utils import get_translation_fields

from accounts.models import Role
from accounts.permissions import require
from accounts.services import user_provision
from core.tabular import CellError, RowError, TableError, excerpt, parse_choice, read_table
from partners.models import (
    ConstituentAccount,
    Country,
    Organisation,
    OrganisationKind,
    Region,
    Unit,
    UnitKind,
    UnitMembership,
    constituent_kind_error,
)
from partners.permissions import ADD_ORGANISATION


def _with_history_user(instance, user):
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user
    return instance


def _organisation_label(organisation: Organisation) -> str:
    return f"{organisation.acronym} ({organisation.name})" if organisation.acronym else organisation.name


def organisation_duplicate_errors(*, name: str, acronym: str = "", exclude_pk: int | None = None) -> dict[str, str]:
    """What a new (or changed) organisation repeats, by field, naming the existing organisation (the service's
    refusal; the admin's form shows the same before saving)."""
    from partners.selectors import organisation_duplicates

    messages = {
        "name": _("An organisation with this name already exists: %(organisation)s"),
        "acronym": _("An organisation with this acronym already exists: %(organisation)s"),
    }
    return {field: messages[field] % {"organisation": _organisation_label(organisation)}
            for field, organisation in organisation_duplicates(name=name, acronym=acronym,
                                                               exclude_pk=exclude_pk).items()}


@transaction.atomic
def organisation_create(*, name: str, kind: str, acronym: str = "", country: Country | None = None,
                        iati_identifier: str = "", user=None) -> Organisation:
    """Add an organisation (the project form's partner picker, the admin, the API, a file's unknown donor).

    Who may: officers, managers, administrators (partners/permissions.py). Refused, naming the field: a name or
    acronym that repeats an existing organisation's, ignoring case, accents and surrounding spaces."""
    require(user, ADD_ORGANISATION)
    duplicates = organisation_duplicate_errors(name=name, acronym=acronym)
    if duplicates:
        raise ValidationError(duplicates)
    organisation = Organisation(name=name.strip(), kind=kind, acronym=acronym.strip(), country=country,
                                iati_identifier=iati_identifier.strip())
    organisation.full_clean()
    _with_history_user(organisation, user).save()
    return organisation


@transaction.atomic
def donor_get_or_create(*, text: str, user=None) -> tuple[Organisation, bool]:
    """The organisation a file names as donor (acronym or name); an unknown one becomes a donor organisation."""
    from partners.selectors import organisation_duplicates, organisation_find

    organisation = organisation_find(text) or next(iter(organisation_duplicates(name=text).values()), None)
    if organisation is not None:
        return organisation, False
    is_acronym = text.isupper() and " " not in text and len(text) <= 32
    return organisation_create(name=text, acronym=text if is_acronym else "", kind=OrganisationKind.DONOR,
                               user=user), True


@transaction.atomic
def unit_membership_set(*, user, unit: Unit, is_manager: bool = False, is_focal_point: bool = False,
                        receives_digest: bool = True) -> UnitMembership:
    membership, _created = UnitMembership.objects.update_or_create(
        user=user, unit=unit,
        defaults={"is_manager": is_manager, "is_focal_point": is_focal_point, "receives_digest": receives_digest})
    return membership


@transaction.atomic
def unit_membership_remove(*, user, unit: Unit) -> None:
    UnitMembership.objects.filter(user=user, unit=unit).delete()


# ---------------------------------------------------------------- units


@transaction.atomic
def unit_save(*, unit: Unit, countries=None, user=None) -> Unit:
    """Create or change a unit (the admin, the units import): validated first, so that a unit is never placed
    under itself or a unit below it; `countries` (if given) replaces the countries it covers."""
    unit.full_clean()
    _with_history_user(unit, user).save()
    if countries is not None:
        unit.countries.set(countries)
    return unit


UNIT_COLUMNS = ("code", "name", "kind", "parent", "region", "countries")
UNIT_REQUIRED_COLUMNS = ("code", "name", "kind")
_LIST_SEPARATORS = re.compile(r"[;,]")


@dataclass
class UnitImportResult:
    rows_total: int = 0
    errors: list[RowError] = field(default_factory=list)
    actions: dict[str, str] = field(default_factory=dict)  # code → "create", "update" or "unchanged"

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for value in self.actions.values() if value == action)


@dataclass
class _UnitRow:
    row: int
    code: str
    name: str
    kind: str
    parent_code: str
    region: Region | None
    countries: list[Country]


def _region_find(text: str) -> Region | None:
    """By code or by its name in any language ("Africa", "Afrique", "África"), whoever imports."""
    condition = Q(code__iexact=text)
    for column in get_translation_fields("name"):
        condition |= Q(**{f"{column}__iexact": text})
    return Region.objects.filter(condition).first()


def _countries_find(text: str) -> tuple[list[Country], list[str]]:
    """The countries named by ISO codes (alpha-3 or alpha-2) separated by ; or , and the codes not found."""
    codes = [code.strip().upper() for code in _LIST_SEPARATORS.split(text) if code.strip()]
    known = {c.iso3: c for c in Country.objects.filter(iso3__in=codes)} | {
        c.iso2: c for c in Country.objects.filter(iso2__in=codes)}
    return [known[code] for code in codes if code in known], [code for code in codes if code not in known]


def _unit_row_read(number: int, record: dict[str, str], errors: list[RowError]) -> _UnitRow | None:
    """One row of the file checked on its own (the parent and cycles are checked across rows)."""
    found = len(errors)
    code, name = record.get("code", ""), record.get("name", "")
    kind = region = None
    countries: list[Country] = []
    for column, value in (("code", code), ("name", name), ("kind", record.get("kind", ""))):
        if not value:
            errors.append(RowError(number, column, _("This column needs a value.")))
    if record.get("kind"):
        try:
            kind = parse_choice(record["kind"], UnitKind.values)
        except CellError as exc:
            errors.append(RowError(number, "kind", str(exc)))
    if record.get("region"):
        region = _region_find(record["region"])
        if region is None:
            errors.append(RowError(number, "region", _("No region has the code or name “%(value)s”.")
                                   % {"value": excerpt(record["region"])}))
    if record.get("countries"):
        countries, unknown = _countries_find(record["countries"])
        if unknown:
            errors.append(RowError(number, "countries", _("Unknown ISO country code(s): %(codes)s.")
                                   % {"codes": ", ".join(excerpt(code) for code in unknown)}))
    if code and name:
        try:  # lengths and characters, as the admin would check them
            Unit(code=code, name=name, kind=kind or UnitKind.HQ).full_clean(
                exclude=["parent", "region"], validate_unique=False)
        except ValidationError as exc:
            errors += [RowError(number, column, message) for column, messages in exc.message_dict.items()
                       for message in messages]
    if len(errors) > found:
        return None
    return _UnitRow(number, code, name, kind, record.get("parent", ""), region, countries)


def _unit_changed(unit: Unit, row: _UnitRow, parent: Unit | None, countries: list[Country]) -> bool:
    return (unit.name, unit.kind, unit.parent_id, unit.region_id) != (
        row.name, row.kind, parent.pk if parent else None, row.region.pk if row.region else None) or (
        {country.pk for country in unit.countries.all()} != {country.pk for country in countries})


@transaction.atomic
def units_import(*, source, filename: str = "", user=None, dry_run: bool = False) -> UnitImportResult:
    """Field offices and MDTs from a CSV or XLSX file (columns UNIT_COLUMNS; README "Units and accounts").

    A row's unit is found by its code (case-insensitive) and created or updated; a parent may be an existing unit
    or one defined anywhere in the file. All rows or none: any error (each naming its row and column) writes
    nothing. Running the same file again changes nothing and says so ("unchanged")."""
    result = UnitImportResult()
    try:
        table = read_table(source, required=UNIT_REQUIRED_COLUMNS, optional=UNIT_COLUMNS, filename=filename)
    except TableError as exc:
        result.errors = exc.errors
        return result
    result.rows_total = len(table.rows)
    rows: dict[str, _UnitRow] = {}
    in_file = {record.get("code", "").upper() for _number, record in table.rows}  # a bad row is still a parent
    for number, record in table.rows:
        row = _unit_row_read(number, record, result.errors)
        if row is None:
            continue
        if row.code.upper() in rows:
            result.errors.append(RowError(number, "code", _("The unit %(code)s is already on row %(row)s.") % {
                "code": excerpt(row.code), "row": rows[row.code.upper()].row}))
            continue
        rows[row.code.upper()] = row
    units = list(Unit.objects.prefetch_related("countries"))
    existing = {unit.code.upper(): unit for unit in units}
    code_of = {unit.pk: code for code, unit in existing.items()}
    # The tree as it will be once the file is loaded, by code: the stored links, then the file's.
    parent_of = {code: code_of.get(unit.parent_id) for code, unit in existing.items()}
    parent_of.update({code: (row.parent_code.upper() or None) for code, row in rows.items()})
    for code, row in rows.items():
        if row.parent_code and row.parent_code.upper() not in in_file and row.parent_code.upper() not in existing:
            result.errors.append(RowError(row.row, "parent", _("No unit has the code %(code)s, in the file or "
                                                             "already.") % {"code": excerpt(row.parent_code)}))
        elif _is_own_ancestor(code, parent_of):
            result.errors.append(RowError(row.row, "parent", _("A unit cannot be placed under itself or under a "
                                                             "unit below it.")))
    if result.errors:
        return result
    saved = dict(existing)
    # Parents first: each unit is saved when everything above it is as the file says (no passing cycle).
    for code, row in sorted(rows.items(), key=lambda item: _depth(item[0], parent_of)):
        parent = saved[row.parent_code.upper()] if row.parent_code else None
        unit = existing.get(code)
        if unit is not None and not _unit_changed(unit, row, parent, row.countries):
            result.actions[code] = "unchanged"
            continue
        result.actions[code] = "update" if unit is not None else "create"
        unit = unit or Unit(code=row.code)
        unit.name, unit.kind, unit.parent, unit.region = row.name, row.kind, parent, row.region
        try:
            saved[code] = unit_save(unit=unit, countries=row.countries, user=user)
        except ValidationError as exc:
            result.errors += [RowError(row.row, column if column in UNIT_COLUMNS else None, message)
                              for column, messages in exc.message_dict.items() for message in messages]
    if result.errors or dry_run:
        transaction.set_rollback(True)
    return result


def _is_own_ancestor(code: str, parent_of: dict[str, str | None]) -> bool:
    seen, current = set(), parent_of.get(code)
    while current is not None and current not in seen:
        if current == code:
            return True
        seen.add(current)
        current = parent_of.get(current)
    return False


def _depth(code: str, parent_of: dict[str, str | None]) -> int:
    depth, current = 0, parent_of.get(code)
    while current is not None and depth <= len(parent_of):
        depth, current = depth + 1, parent_of.get(current)
    return depth


# ---------------------------------------------------------------- accounts with their units


@transaction.atomic
def account_provision(*, username: str, role: str, password: str, member_of=(), manages=(), email: str = "",
                      update: bool = False, organisation: Organisation | None = None):
    """An account as a script provisions it (`manage.py add_user`): the user (accounts.services.user_provision)
    and their units, in one transaction. `member_of` and `manages` are units; memberships are added (or made
    manager), never removed, so running it again changes nothing. A constituent (role CONSTITUENT) belongs to one
    `organisation` of a constituent kind and to no unit; other roles have no organisation."""
    _check_constituent_place(role=role, organisation=organisation, units=[*member_of, *manages])
    user, created = user_provision(username=username, role=role, password=password, email=email, update=update)
    for unit in member_of:
        UnitMembership.objects.get_or_create(user=user, unit=unit)
    for unit in manages:
        UnitMembership.objects.update_or_create(user=user, unit=unit, defaults={"is_manager": True})
    if organisation is not None:
        constituent_account_set(user=user, organisation=organisation)
    elif not created:
        ConstituentAccount.objects.filter(user=user).delete()  # a constituent made staff leaves the organisation
    return user, created


def _check_constituent_place(*, role: str, organisation: Organisation | None, units) -> None:
    if role == Role.CONSTITUENT:
        if organisation is None:
            raise ValidationError({"organisation": _("A constituent belongs to an organisation: name it.")})
        if not organisation.is_constituent:
            raise ValidationError({"organisation": constituent_kind_error(organisation)})
        if units:
            raise ValidationError({"unit": _("A constituent belongs to no unit of the Office.")})
    elif organisation is not None:
        raise ValidationError({"organisation": _("Only a constituent belongs to an organisation (the role is "
                                                 "%(role)s).") % {"role": Role(role).label if role in Role.values
                                                                  else role}})


@transaction.atomic
def constituent_account_set(*, user, organisation: Organisation) -> ConstituentAccount:
    """Place a constituent user in their organisation (replacing any earlier one)."""
    account, _created = ConstituentAccount.objects.get_or_create(user=user, defaults={"organisation": organisation})
    account.organisation = organisation
    account.full_clean()
    account.save()
    user.__dict__.pop("_tcms_constituent_organisation", None)
    return account
