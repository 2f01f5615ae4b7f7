"""The import of the project register from CSV or XLSX (columns in the README, "Importing data"): all rows or none."""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.permissions import refusal_message, require
from core.locks import serialise
from core.security import spreadsheet_safe_row
from partners.models import Country, Organisation, Region, Unit
from projects.models import (
    Biennium,
    Convention,
    CrossCuttingTheme,
    DeclarationPrinciple,
    ExpertAssignment,
    FundingSource,
    Programme,
    ProgressReport,
    Project,
    ProjectImport,
    ProjectPartner,
    ProjectStatus,
    StrategicObjective,
    TrainingActivity,
    TripartiteInvolvement,
)
from projects.permissions import (
    ADD_PROJECT,
    CHANGE_PROJECT,
    IMPORT_PROJECTS,
    editable_projects,
    projects_not_editable,
)
from projects.services._shared import (
    _by,
    _refuse_unknown_fields,
    parse_yes_no,
)
from projects.services.lifecycle import (
    _display,
    _validate_relations,
    project_create,
    project_update,
    status_change_error,
)
from projects.services.records import (
    _save_child,
)

IMPORT_COLUMNS = ["symbol", "title", "status", "start_date", "end_date", "strategic_objective", "infocus_programme",
                  "region", "countries", "funding_source", "donor", "responsible_unit", "gender_marker"]
# The classification a file may leave out: a project it updates then keeps what it has (a new one: none, no).
IMPORT_OPTIONAL_COLUMNS = ["themes", "principles", "conventions", "crisis_response", "enterprise_promotion"]
# Which file column a model field's error belongs to.
FIELD_COLUMN = {"symbol": "symbol", "title": "title", "status": "status", "planned_start": "start_date",
                "planned_end": "end_date", "strategic_objective": "strategic_objective",
                "primary_programme": "infocus_programme", "region": "region", "countries": "countries",
                "funding_source": "funding_source", "donor": "donor", "responsible_unit": "responsible_unit",
                "gender_marker": "gender_marker", "themes": "themes", "principles": "principles",
                "conventions": "conventions", "is_crisis_response": "crisis_response",
                "is_enterprise_promotion": "enterprise_promotion"}
IMPORT_COMPARED_FIELDS = ["title", "status", "planned_start", "planned_end", "strategic_objective",
                          "primary_programme", "region", "funding_source", "donor", "responsible_unit", "gender_marker",
                          "is_crisis_response", "is_enterprise_promotion"]
# The many-to-many classification read from the optional columns of the same names (codes separated by ";").
IMPORT_RELATIONS = ("themes", "principles", "conventions")
_CONVENTION_RE = re.compile(r"C?([0-9]{1,5})", re.ASCII)


@dataclass
class ImportRowPlan:
    row: int
    symbol: str
    action: str  # "create", "update" or "unchanged"
    changes: list[str] = field(default_factory=list)


@dataclass
class ProjectImportResult:
    file_name: str
    dry_run: bool
    rows_total: int = 0
    plans: list[ImportRowPlan] = field(default_factory=list)
    donors_created: list[str] = field(default_factory=list)
    errors: list = field(default_factory=list)  # core.tabular.RowError
    record: ProjectImport | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for plan in self.plans if plan.action == action)

    @property
    def count_create(self) -> int:
        return self.count("create")

    @property
    def count_update(self) -> int:
        return self.count("update")

    @property
    def count_unchanged(self) -> int:
        return self.count("unchanged")


def import_row(project: Project) -> list[str]:
    """A project as a row of the import file (IMPORT_COLUMNS, IMPORT_OPTIONAL_COLUMNS): importing it unchanged
    changes nothing."""
    return [
        project.symbol, project.title, project.status, project.planned_start.isoformat(),
        project.planned_end.isoformat(), project.strategic_objective.code,
        project.primary_programme.code if project.primary_programme else "", project.region.code,
        ";".join(country.iso3 for country in project.countries.all()), project.funding_source.code,
        (project.donor.acronym or project.donor.name) if project.donor else "", project.responsible_unit.code,
        str(project.gender_marker),
        ";".join(theme.code for theme in project.themes.all()),
        ";".join(principle.code for principle in project.principles.all()),
        ";".join(f"C{convention.number:03d}" for convention in project.conventions.all()),
        "yes" if project.is_crisis_response else "no", "yes" if project.is_enterprise_promotion else "no",
    ]


def import_template_csv(user=None) -> str:
    """The import file's header and, as its example, one project of this installation as the file writes it (one
    `user` may change, when there is one): its codes exist here, and importing it unchanged changes nothing. Only
    the header when there is no project yet."""
    projects = Project.objects.select_related(
        "strategic_objective", "primary_programme", "region", "funding_source", "donor", "responsible_unit",
    ).prefetch_related("countries", "themes", "principles", "conventions").order_by("symbol")
    example = (editable_projects(user, projects).first() if user is not None else None) or projects.first()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*IMPORT_COLUMNS, *IMPORT_OPTIONAL_COLUMNS])
    if example is not None:
        writer.writerow(spreadsheet_safe_row(import_row(example)))  # a title starting "=" is not a formula
    return out.getvalue()


def biennium_for_year(bienniums: list[Biennium], year: int) -> Biennium | None:
    """The biennium covering a year, else the nearest one (so a 1998 project classifies under 2000-01)."""
    if not bienniums:
        return None
    for biennium in bienniums:
        if biennium.start_year <= year <= biennium.end_year:
            return biennium
    return min(bienniums, key=lambda b: (min(abs(b.start_year - year), abs(b.end_year - year)), -b.start_year))


class _ImportLookups:
    def __init__(self):
        self.bienniums = list(Biennium.objects.order_by("start_year"))
        self.objectives = {(o.biennium_id, o.code): o for o in StrategicObjective.objects.select_related("biennium")}
        self.programmes = {(p.biennium_id, p.code.upper()): p for p in Programme.objects.select_related("objective")}
        self.regions = {r.code: r for r in Region.objects.all()}
        self.countries = {c.iso3: c for c in Country.objects.all()}
        self.sources = {s.code: s for s in FundingSource.objects.all()}
        self.units = {u.code.upper(): u for u in Unit.objects.all()}
        self.themes = {(t.biennium_id, t.code.upper()): t for t in CrossCuttingTheme.objects.all()}
        self.principles = {p.code.upper(): p for p in DeclarationPrinciple.objects.all()}
        self.conventions = {c.number: c for c in Convention.objects.all()}
        self.organisations_by_acronym: dict[str, list[Organisation]] = {}
        self.organisations_by_name = {}
        for organisation in Organisation.objects.all():
            if organisation.acronym:
                self.organisations_by_acronym.setdefault(organisation.acronym.upper(), []).append(organisation)
            self.organisations_by_name[organisation.name.lower()] = organisation

    def donor(self, text: str) -> Organisation | None:
        by_acronym = self.organisations_by_acronym.get(text.upper(), [])
        if len(by_acronym) == 1:
            return by_acronym[0]
        return self.organisations_by_name.get(text.lower())


def _codes(text: str) -> list[str]:
    """The codes of a cell listing several ("GENDER; DEVELOPMENT"), upper case, each once, in order."""
    return list(dict.fromkeys(code.strip().upper() for code in (text or "").split(";") if code.strip()))


def _parse_import_row(number: int, record: dict, lookups: _ImportLookups, existing: dict[str, Project],
                      errors: list) -> tuple[dict, list[Country], str, dict] | None:
    """Parse one row into Project field values, its countries, its donor's text and its classification
    ({relation: list of instances, or None where the file has no such column}); each problem is appended as a
    RowError naming the column."""
    from core.tabular import CellError, RowError, excerpt, parse_choice, parse_date, parse_int

    values, row_errors = {}, []

    def cell(column, parse):
        try:
            return parse(record.get(column, ""))
        except CellError as exc:
            row_errors.append(RowError(number, column, str(exc)))
            return None

    def lookup(column, table, text, what):
        if text not in table:
            row_errors.append(RowError(number, column, _("Unknown %(what)s “%(value)s”.") % {
                "what": what, "value": excerpt(text)}))
            return None
        return table[text]

    values["symbol"] = record.get("symbol", "").strip().upper()
    values["title"] = record.get("title", "").strip()
    values["status"] = cell("status", lambda v: parse_choice(v, ProjectStatus.values))
    values["planned_start"] = cell("start_date", parse_date)
    values["planned_end"] = cell("end_date", parse_date)
    values["gender_marker"] = cell("gender_marker", lambda v: parse_int(v, minimum=0, maximum=2))
    year = values["planned_start"].year if values["planned_start"] else None
    biennium = biennium_for_year(lookups.bienniums, year) if year else None
    objective_code = record.get("strategic_objective", "").strip()
    objective = None
    if biennium is None and year:
        row_errors.append(RowError(number, "strategic_objective", _("No programme framework (biennium) is loaded.")))
    elif biennium is not None:
        objective = lookups.objectives.get((biennium.pk, objective_code))
        if objective is None:
            row_errors.append(RowError(number, "strategic_objective", _(
                "Unknown strategic objective “%(value)s” in biennium %(biennium)s.") % {
                "value": excerpt(objective_code), "biennium": biennium}))
    values["strategic_objective"] = objective
    programme_code = record.get("infocus_programme", "").strip().upper()
    values["primary_programme"] = None
    if programme_code and biennium is not None:
        values["primary_programme"] = lookups.programmes.get((biennium.pk, programme_code))
        if values["primary_programme"] is None:
            row_errors.append(RowError(number, "infocus_programme", _(
                "Unknown InFocus programme “%(value)s” in biennium %(biennium)s.") % {
                "value": excerpt(programme_code), "biennium": biennium}))
    values["region"] = lookup("region", lookups.regions, record.get("region", "").strip().upper(), _("region"))
    values["funding_source"] = lookup("funding_source", lookups.sources,
                                      record.get("funding_source", "").strip().upper(), _("source of funds"))
    values["responsible_unit"] = lookup("responsible_unit", lookups.units,
                                        record.get("responsible_unit", "").strip().upper(), _("unit"))
    countries = []
    for code in [c.strip().upper() for c in record.get("countries", "").split(";") if c.strip()]:
        country = lookup("countries", lookups.countries, code, _("country ISO3 code"))
        if country is not None:
            countries.append(country)
    donor_text = record.get("donor", "").strip()
    values["donor"] = lookups.donor(donor_text) if donor_text else None
    for field_name, column in (("is_crisis_response", "crisis_response"),
                               ("is_enterprise_promotion", "enterprise_promotion")):
        if column in record:
            values[field_name] = cell(column, parse_yes_no)
    relations = dict.fromkeys(IMPORT_RELATIONS)
    if "themes" in record:
        relations["themes"] = []
        for code in _codes(record["themes"]):
            theme = lookups.themes.get((biennium.pk, code)) if biennium is not None else None
            if theme is None and biennium is not None:
                row_errors.append(RowError(number, "themes", _(
                    "Unknown cross-cutting theme “%(value)s” in biennium %(biennium)s.") % {
                    "value": excerpt(code), "biennium": biennium}))
            elif theme is not None:
                relations["themes"].append(theme)
    if "principles" in record:
        relations["principles"] = [principle for code in _codes(record["principles"]) if (principle := lookup(
            "principles", lookups.principles, code, DeclarationPrinciple._meta.verbose_name)) is not None]
    if "conventions" in record:
        relations["conventions"] = []
        for code in _codes(record["conventions"]):
            match = _CONVENTION_RE.fullmatch(code)
            convention = lookups.conventions.get(int(match[1])) if match else None
            if convention is None:
                row_errors.append(RowError(number, "conventions", _(
                    "Unknown Convention “%(value)s”: give its number, e.g. C138.") % {"value": excerpt(code)}))
            else:
                relations["conventions"].append(convention)

    project = existing.get(values["symbol"])
    if project is not None and values["status"] and values["status"] != project.status:
        message = status_change_error(project.status, values["status"])
        if message:
            row_errors.append(RowError(number, "status", message))
    if row_errors:
        errors.extend(row_errors)
        return None
    return values, countries, donor_text, relations


def _validate_import_row(number: int, values: dict, countries: list[Country], existing: dict[str, Project],
                         errors: list) -> Project | None:
    from core.tabular import RowError

    project = existing.get(values["symbol"])
    candidate = Project(**values) if project is None else project
    if project is not None:
        for name, value in values.items():
            setattr(candidate, name, value)
    try:
        candidate.full_clean(exclude=["symbol"] if project is not None else None)
        _validate_relations(candidate, {"countries": countries})
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                errors.append(RowError(number, FIELD_COLUMN.get(name), message))
        return None
    return candidate


def _relation_codes(items) -> list[str]:
    """The codes of themes, principles or Conventions as a file gives them (C + number for a Convention)."""
    return sorted(f"C{item.number}" if isinstance(item, Convention) else item.code for item in items)


def _field_display(value) -> str:
    return _display(value.code if hasattr(value, "code") else value)


def _import_refusal(project: Project | None, not_editable: set[int], may_add: bool) -> str | None:
    """Why the user may not import a row (naming the stored project, never echoing the cell), or None."""
    if project is None:
        return None if may_add else refusal_message(ADD_PROJECT)
    return refusal_message(CHANGE_PROJECT, project) if project.pk in not_editable else None


class _ImportRefused(Exception):
    """A row was refused (by its checks, or by a service while it was written), or the import is a dry run:
    everything the import wrote is undone."""


def _write_import_row(plan: ImportRowPlan, candidate: Project, original: dict | None, countries: list[Country],
                      relations: dict, new_donor: Organisation | None, *, user, reason: str, errors: list) -> None:
    """Create or update one row's project through the same services as the pages and the API (lock, version
    check, date revisions, history with the import's reason); a refusal becomes an error of the row."""
    from core.tabular import RowError

    values = {name: getattr(candidate, name) for name in IMPORT_COMPARED_FIELDS}
    if new_donor is not None:
        values["donor"] = new_donor
    try:
        if plan.action == "create":
            project_create(user=user, reason=reason, countries=countries, symbol=plan.symbol, **relations, **values)
        else:
            project_update(project=candidate, user=user, version=original["version"], reason=reason,
                           date_reason=reason, countries=countries, **relations, **values)
    except ValidationError as exc:  # StaleVersionError too: someone changed the project while the file was read
        for name, messages in exc.message_dict.items():
            for message in messages:
                errors.append(RowError(plan.row, FIELD_COLUMN.get(name), message))


@transaction.atomic
def project_import(*, source, filename: str = "", user=None, dry_run: bool = False,
                   progress: Callable[[int, int], None] | None = None) -> ProjectImportResult:
    """Import the project register from CSV or XLSX: all rows or none; re-importing a symbol updates it.

    Errors name row and column. A dry run validates and reports what would be created or updated, writing nothing.
    The file (bytes, a path or an open file) is read a row at a time and gone through a chunk of rows after another:
    each chunk is checked, then (a real import, while no row is refused) written. `progress(done, total)`, if given,
    is called as the rows are gone through.
    A row updating a project the user may not change (as stored), or creating one when the user may not register
    projects, is an error of its `symbol` cell: the file is refused whole, the dry run too.
    """
    from core.scratch import FirstRows
    from core.tabular import TableError, file_sha256, read_table, row_chunks, source_name, with_progress

    require(user, IMPORT_PROJECTS)

    # The same file uploaded twice at once: the second waits here, then finds the first one's projects unchanged.
    serialise("project_import")
    filename = filename or source_name(source)
    result = ProjectImportResult(file_name=filename, dry_run=dry_run)
    try:
        table = read_table(source, required=IMPORT_COLUMNS, optional=IMPORT_OPTIONAL_COLUMNS, filename=filename)
    except TableError as exc:
        result.errors = exc.errors
        return result
    result.rows_total = len(table.rows)
    lookups = _ImportLookups()
    may_add = user is None or user.has_perm(ADD_PROJECT)
    reason = _("Import of %(file)s") % {"file": filename or _("a file")}
    donors: dict[str, Organisation] = {}
    write_errors = []  # reported only if every row passed its checks
    try:
        with transaction.atomic(), FirstRows() as first_rows:
            for chunk in row_chunks(with_progress(table.rows, progress)):
                parsed = _check_import_chunk(chunk, lookups, first_rows, user=user, may_add=may_add, result=result)
                if dry_run or result.errors or write_errors:
                    continue
                for plan, candidate, original, countries, relations, new_donor in parsed:
                    if plan.action == "unchanged":
                        continue
                    if new_donor and new_donor not in donors:
                        from partners.services import donor_get_or_create

                        donors[new_donor] = donor_get_or_create(text=new_donor, user=user)[0]
                    _write_import_row(plan, candidate, original, countries, relations, donors.get(new_donor),
                                      user=user, reason=reason, errors=write_errors)
            if not result.errors:
                result.errors = write_errors
            if result.errors or dry_run:
                raise _ImportRefused
    except _ImportRefused:
        return result
    result.record = ProjectImport.objects.create(
        file_name=filename[:255], checksum=file_sha256(source),
        imported_by=user if getattr(user, "is_authenticated", False) else None, rows_total=result.rows_total,
        rows_created=result.count("create"), rows_updated=result.count("update"),
        rows_unchanged=result.count("unchanged"), donors_created=result.donors_created)
    return result


def _check_import_chunk(chunk: list, lookups: _ImportLookups, first_rows, *, user, may_add: bool,
                        result: ProjectImportResult) -> list[tuple]:
    """Check a chunk of the file's rows against the stored projects (one query for the chunk): their errors and
    plans go to `result`; answers (plan, candidate, original, countries, classification, new donor) of each row that
    passed."""
    from core.tabular import RowError, excerpt

    symbols = [record.get("symbol", "").strip().upper() for _n, record in chunk]
    existing = {p.symbol: p for p in Project.objects.filter(symbol__in=symbols).prefetch_related(
        "countries", *IMPORT_RELATIONS)}
    not_editable = projects_not_editable(user, [p.pk for p in existing.values()])
    earlier = first_rows.earlier(zip(symbols, (number for number, _record in chunk), strict=True))
    parsed = []
    for (number, record), symbol in zip(chunk, symbols, strict=True):
        if number in earlier:
            result.errors.append(RowError(number, "symbol", _("“%(symbol)s” is already in row %(row)s.") % {
                "symbol": excerpt(symbol), "row": earlier[number]}))
            continue
        refusal = _import_refusal(existing.get(symbol), not_editable, may_add)
        if refusal:
            result.errors.append(RowError(number, "symbol", refusal))
            continue
        row = _parse_import_row(number, record, lookups, existing, result.errors)
        if row is None:
            continue
        values, countries, donor_text, relations = row
        original = None
        if symbol in existing:
            project = existing[symbol]
            original = {name: getattr(project, name) for name in IMPORT_COMPARED_FIELDS}
            original["version"] = project.version
            original_countries = sorted(c.iso3 for c in project.countries.all())
            original_relations = {name: _relation_codes(getattr(project, name).all()) for name in IMPORT_RELATIONS}
        candidate = _validate_import_row(number, values, countries, existing, result.errors)
        if candidate is None:
            continue
        new_donor = donor_text if values["donor"] is None and donor_text else ""
        if original is None:
            plan = ImportRowPlan(number, symbol, "create")
        else:
            changes = [f"{Project._meta.get_field(name).verbose_name}: {_field_display(original[name])} → "
                       f"{_field_display(values[name])}" for name in IMPORT_COMPARED_FIELDS
                       if name != "donor" and name in values and original[name] != values[name]]
            if new_donor or (original["donor"] != values["donor"]):
                changes.append(f"{Project._meta.get_field('donor').verbose_name}: "
                               f"{_field_display(original['donor'])} → {new_donor or _field_display(values['donor'])}")
            if sorted(c.iso3 for c in countries) != original_countries:
                changes.append(f"{_('countries')}: {_display(original_countries)} → "
                               f"{_display(sorted(c.iso3 for c in countries))}")
            for name, chosen in relations.items():
                if chosen is not None and _relation_codes(chosen) != original_relations[name]:
                    changes.append(f"{Project._meta.get_field(name).verbose_name}: "
                                   f"{_display(original_relations[name])} → {_display(_relation_codes(chosen))}")
            plan = ImportRowPlan(number, symbol, "update" if changes else "unchanged", changes)
        result.plans.append(plan)
        parsed.append((plan, candidate, original, countries, relations, new_donor))
        if new_donor and new_donor not in result.donors_created:
            result.donors_created.append(new_donor)
    return parsed


# Records hanging from a project that the web forms edit and remove (creation has its own functions above).
PROJECT_RECORD_MODELS = (ProjectPartner, TripartiteInvolvement, ExpertAssignment, TrainingActivity, ProgressReport)


def _check_record(record, user) -> None:
    if not isinstance(record, PROJECT_RECORD_MODELS):
        raise TypeError(f"{type(record).__name__} is not a record of a project")
    require(user, CHANGE_PROJECT, record.project)


@transaction.atomic
def project_record_update(*, record, user=None, **values):
    """Change a partner, tripartite cell, expert, training activity or progress report of a project."""
    _check_record(record, user)
    allowed = {f.name for f in record._meta.concrete_fields if f.editable and f.name not in ("id", "project")}
    _refuse_unknown_fields(values, allowed)
    for name, value in values.items():
        setattr(record, name, value)
    return _save_child(record, user)


@transaction.atomic
def project_record_remove(*, record, user=None) -> None:
    """Delete one of a project's records; its history keeps who removed it and what it was."""
    _check_record(record, user)
    _by(user, record).delete()
