"""Writes: every change to the programme framework and the project register goes through a function here.

Every function is atomic, validates with the models' full_clean (errors keyed by field name) and records
who changed what through django-simple-history.

Who may: each write first asks projects/permissions.py, as the pages do (`require`: PermissionDenied naming what is
refused), about the project as stored before the change; an import asks about every row's project at once and refuses
the whole file, naming the rows. `user=None` is a system actor (a management command run by an operator, demo or
benchmark seeding, a Celery task) and is allowed; pages and the API always pass the acting user.
"""

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from partners.models import Country, Organisation, Region, Unit, UnitKind
from projects.models import (
    ALLOWED_TRANSITIONS,
    Biennium,
    Convention,
    CrossCuttingTheme,
    DateField,
    DateRevision,
    DeclarationPrinciple,
    ExpertAssignment,
    FrameworkIndicator,
    FundingSource,
    InputType,
    OperationalObjective,
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
    projects_not_editable,
    refusal_message,
    require,
)
from tcms.locks import serialise

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
DATE_FIELDS = tuple(DateField.values)
PROJECT_M2M_FIELDS = ("countries", "other_programmes", "themes", "principles", "conventions")
PROJECT_EDITABLE_FIELDS = frozenset(
    f.name for f in Project._meta.get_fields()
    if getattr(f, "editable", False) and not f.auto_created and f.concrete and f.name not in ("id", "version")
)


def _by(user, instance):
    """Attach the acting user so the history record says who made the change."""
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user
    return instance


def _refuse_unknown_fields(names: Iterable[str], allowed: Iterable[str]) -> None:
    unknown = sorted(set(names) - set(allowed))
    if unknown:
        raise ValidationError({name: _("“%(name)s” is not a field that can be set here.") % {"name": name}
                               for name in unknown})


# ---------------------------------------------------------------- reference data (load_reference)


@dataclass
class ReferenceSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, model: type[Model], *, created: bool = False, updated: bool = False) -> None:
        name = model._meta.verbose_name_plural
        if created:
            self.created[str(name)] = self.created.get(str(name), 0) + 1
        if updated:
            self.updated[str(name)] = self.updated.get(str(name), 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(FIXTURES_DIR / name, newline="", encoding="utf-8") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _sync(model: type[Model], summary: ReferenceSummary, *, key: dict, values: dict) -> Model:
    """Create or update one reference row; an unchanged row is not saved (so no history row, no write)."""
    instance = model.objects.filter(**key).first()
    if instance is None:
        instance = model(**key, **values)
        instance.save()
        summary.count(model, created=True)
        return instance
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance.save(update_fields=changed)
        summary.count(model, updated=True)
    return instance


def _optional_int(text: str) -> int | None:
    return int(text) if text else None


@transaction.atomic
def load_reference() -> ReferenceSummary:
    """Load the reference data of fixtures/ (idempotent: a second run writes nothing)."""
    summary = ReferenceSummary()
    regions = {}
    for row in _read_csv("regions.csv"):
        regions[row["code"]] = _sync(Region, summary, key={"code": row["code"]}, values={
            "name": row["name"], "iati_code": row["iati_code"], "sort_order": int(row["sort_order"])})

    existing = {c.iso3: c for c in Country.objects.all()}
    to_create, to_update, update_fields = [], [], set()
    for row in _read_csv("countries.csv"):
        values = {"iso2": row["iso2"], "name": row["name"], "region_id": regions[row["region"]].pk,
                  "is_ldc": row["is_ldc"] == "1", "ldc_graduation_year": _optional_int(row["ldc_graduation_year"]),
                  "in_transition": row["in_transition"] == "1"}
        country = existing.get(row["iso3"])
        if country is None:
            to_create.append(Country(iso3=row["iso3"], **values))
            continue
        changed = [name for name, value in values.items() if getattr(country, name) != value]
        if changed:
            for name in changed:
                setattr(country, name, values[name])
            update_fields.update(changed)
            to_update.append(country)
    Country.objects.bulk_create(to_create)
    if to_update:
        Country.objects.bulk_update(to_update, sorted(update_fields))
    for _i in to_create:
        summary.count(Country, created=True)
    for _i in to_update:
        summary.count(Country, updated=True)

    with open(FIXTURES_DIR / "framework.json", encoding="utf-8") as handle:
        framework = json.load(handle)
    for biennium_data in framework["biennia"]:
        biennium = _sync(Biennium, summary, key={"code": biennium_data["code"]}, values={
            "start_year": biennium_data["start_year"], "end_year": biennium_data["end_year"]})
        for objective_data in biennium_data["objectives"]:
            objective = _sync(StrategicObjective, summary, key={"biennium": biennium, "code": objective_data["code"]},
                              values={"title": objective_data["title"]})
            for programme_data in objective_data["programmes"]:
                _sync(Programme, summary, key={"biennium": biennium, "code": programme_data["code"]},
                      values={"objective": objective, "title": programme_data["title"]})
            for operational_data in objective_data["operational_objectives"]:
                operational = _sync(OperationalObjective, summary,
                                    key={"objective": objective, "code": operational_data["code"]},
                                    values={"title": operational_data["title"]})
                for indicator_data in operational_data["indicators"]:
                    _sync(FrameworkIndicator, summary,
                          key={"operational_objective": operational, "code": indicator_data["code"]},
                          values={"text": indicator_data["text"], "target": indicator_data.get("target", "")})
        for theme_data in biennium_data["themes"]:
            _sync(CrossCuttingTheme, summary, key={"biennium": biennium, "code": theme_data["code"]},
                  values={"title": theme_data["title"]})

    principles = {}
    for row in _read_csv("declaration_principles.csv"):
        principles[row["code"]] = _sync(DeclarationPrinciple, summary, key={"code": row["code"]},
                                        values={"title": row["title"]})
    for row in _read_csv("conventions.csv"):
        _sync(Convention, summary, key={"number": int(row["number"])}, values={
            "title": row["title"], "is_fundamental": True, "fundamental_since": int(row["fundamental_since"]),
            "principle": principles[row["principle"]]})
    for row in _read_csv("funding_sources.csv"):
        _sync(FundingSource, summary, key={"code": row["code"]}, values={
            "name": row["name"], "budget_type": row["budget_type"], "sort_order": int(row["sort_order"])})
    for row in _read_csv("input_types.csv"):
        _sync(InputType, summary, key={"code": row["code"]}, values={
            "name": row["name"], "sort_order": int(row["sort_order"])})
    for row in _read_csv("units.csv"):
        _sync(Unit, summary, key={"code": row["code"]}, values={
            "name": row["name"], "kind": UnitKind(row["kind"]),
            "parent": Unit.objects.get(code=row["parent"]) if row["parent"] else None,
            "region": regions[row["region"]] if row["region"] else None})
    return summary


# ---------------------------------------------------------------- projects


class StaleVersionError(ValidationError):
    """The form was opened on an earlier version of the project than the one now stored."""


def status_change_error(old: str, new: str) -> str | None:
    """The message refusing a status change, or None when the change is allowed."""
    if old == new or new in ALLOWED_TRANSITIONS.get(old, frozenset()):
        return None
    allowed = sorted(ProjectStatus(s).label for s in ALLOWED_TRANSITIONS.get(old, ()))
    return _("A project cannot go from “%(old)s” to “%(new)s”. From “%(old)s” it may go to: %(allowed)s.") % {
        "old": ProjectStatus(old).label, "new": ProjectStatus(new).label if new in ProjectStatus.values else new,
        "allowed": ", ".join(str(a) for a in allowed) or _("nothing (it is final)")}


def _validate_relations(project: Project, m2m: dict) -> None:
    """Checks on many-to-many values, which the model's clean() cannot see before the row exists."""
    errors = {}
    countries = m2m.get("countries")
    if countries is not None and project.region_id and project.region.code != "INTERREGIONAL":
        outside = [c for c in countries if c.region_id != project.region_id]
        if outside:
            errors["countries"] = _("%(countries)s not in the project's region (%(region)s).") % {
                "countries": ", ".join(c.iso3 for c in outside), "region": project.region}
    programmes = m2m.get("other_programmes")
    if programmes is not None and project.strategic_objective_id:
        foreign = [p for p in programmes if p.biennium_id != project.strategic_objective.biennium_id]
        if foreign:
            errors["other_programmes"] = _("%(programmes)s belong to another biennium than the objective.") % {
                "programmes": ", ".join(str(p) for p in foreign)}
    if errors:
        raise ValidationError(errors)


def _set_m2m(project: Project, m2m: dict) -> None:
    for name, values in m2m.items():
        if values is not None:
            getattr(project, name).set(values)


@transaction.atomic
def project_create(*, user=None, countries=None, other_programmes=None, themes=None, principles=None,
                   conventions=None, **fields) -> Project:
    """Register a project. `fields` are Project fields; many-to-many values come as lists of instances."""
    require(user, ADD_PROJECT)
    _refuse_unknown_fields(fields, PROJECT_EDITABLE_FIELDS)
    project = Project(**fields)
    project.version = 1
    project.full_clean()
    m2m = {"countries": countries, "other_programmes": other_programmes, "themes": themes,
           "principles": principles, "conventions": conventions}
    _validate_relations(project, m2m)
    _by(user, project).save()
    _set_m2m(project, m2m)
    return project


HISTORY_COMPARED_FIELDS = [f.name for f in Project._meta.concrete_fields
                           if f.name not in ("id", "version", "created_at", "updated_at")] + list(PROJECT_M2M_FIELDS)


def version_changes(project: Project, version: int) -> list[str]:
    """What changed in a project since the given version, as “field: old → new” lines (from its history)."""
    records = list(project.history.filter(version__gte=version).order_by("history_date", "history_id"))
    if len(records) < 2:
        return []
    first, last = records[0], records[-1]
    delta = last.diff_against(first, included_fields=HISTORY_COMPARED_FIELDS, foreign_keys_are_objs=True)
    return [f"{Project._meta.get_field(change.field).verbose_name}: “{_display(change.old)}” → "
            f"“{_display(change.new)}”" for change in delta.changes]


def _display(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def _lock_current(project: Project, version: int | None, user) -> Project:
    """The project as stored, locked; refused if the user may not change it or the version seen is stale."""
    current = Project.objects.select_for_update().get(pk=project.pk)
    require(user, CHANGE_PROJECT, current)
    if version is not None and current.version != version:
        last = current.history.order_by("-history_date", "-history_id").first()
        who = (last.history_user if last and last.history_user else _("someone"))
        changes = version_changes(current, version)
        message = _("This project was changed by %(who)s since you opened it (your version %(yours)s, now "
                    "%(now)s). Reload it and make your change again.") % {"who": who, "yours": version,
                                                                           "now": current.version}
        if changes:
            message += " " + _("Changed: %(changes)s.") % {"changes": "; ".join(changes)}
        raise StaleVersionError({"version": message})
    return current


@transaction.atomic
def project_update(*, project: Project, user=None, version: int | None, date_reason: str = "", countries=None,
                   other_programmes=None, themes=None, principles=None, conventions=None, **changes) -> Project:
    """Change a project. `version` is the one the user saw: a stale one is refused, naming what changed since.

    A date that already had a value is only revised with `date_reason` (a DateRevision keeps the earlier value);
    the status only moves along ALLOWED_TRANSITIONS.
    """
    _refuse_unknown_fields(changes, PROJECT_EDITABLE_FIELDS)
    current = _lock_current(project, version, user)
    errors = {}
    if "status" in changes:
        message = status_change_error(current.status, changes["status"])
        if message:
            errors["status"] = message
    revisions = []
    for name in DATE_FIELDS:
        if name not in changes or changes[name] == getattr(current, name):
            continue
        if getattr(current, name) is not None:
            if not date_reason.strip():
                errors[name] = _("Changing the %(date)s from %(old)s needs a reason for the revision.") % {
                    "date": DateField(name).label, "old": getattr(current, name)}
            revisions.append(DateRevision(project=current, field=name, old_value=getattr(current, name),
                                          new_value=changes[name], reason=date_reason.strip(),
                                          revised_by=user if getattr(user, "is_authenticated", False) else None))
    if errors:
        raise ValidationError(errors)
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    current.full_clean()
    m2m = {"countries": countries, "other_programmes": other_programmes, "themes": themes,
           "principles": principles, "conventions": conventions}
    relations = {name: values for name, values in m2m.items() if values is not None}
    if "countries" not in relations and "region" in changes:
        relations["countries"] = list(current.countries.all())
    _validate_relations(current, relations)
    _by(user, current).save()
    DateRevision.objects.bulk_create(revisions)
    _set_m2m(current, m2m)
    return current


@transaction.atomic
def project_change_status(*, project: Project, status: str, user=None, version: int | None = None) -> Project:
    current = _lock_current(project, version, user)
    if status not in ProjectStatus.values:
        raise ValidationError({"status": _("“%(status)s” is not a project status.") % {"status": status}})
    message = status_change_error(current.status, status)
    if message:
        raise ValidationError({"status": message})
    if status == current.status:
        return current
    current.status = status
    current.version += 1
    current.full_clean()
    _by(user, current).save()
    return current


@transaction.atomic
def project_revise_date(*, project: Project, field: str, new_value: dt.date | None, reason: str, user=None,
                        version: int | None = None) -> DateRevision:
    """Revise one of the four dates; the earlier value is kept with the reason."""
    if field not in DATE_FIELDS:
        raise ValidationError({"field": _("“%(field)s” is not a project date.") % {"field": field}})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for revising the %(date)s.") % {
            "date": DateField(field).label}})
    current = _lock_current(project, version, user)
    old_value = getattr(current, field)
    if old_value == new_value:
        raise ValidationError({field: _("The %(date)s is already %(value)s.") % {
            "date": DateField(field).label, "value": new_value}})
    setattr(current, field, new_value)
    current.version += 1
    current.full_clean()
    _by(user, current)._change_reason = reason.strip()
    current.save()
    revision = DateRevision(project=current, field=field, old_value=old_value, new_value=new_value,
                            reason=reason.strip(),
                            revised_by=user if getattr(user, "is_authenticated", False) else None)
    revision.full_clean()
    revision.save()
    return revision


# ---------------------------------------------------------------- a project's child records


def _save_child(instance, user):
    instance.full_clean()
    _by(user, instance).save()
    return instance


@transaction.atomic
def partner_add(*, project: Project, organisation: Organisation, role: str, user=None) -> ProjectPartner:
    require(user, CHANGE_PROJECT, project)
    return _save_child(ProjectPartner(project=project, organisation=organisation, role=role), user)


@transaction.atomic
def partner_remove(*, partner: ProjectPartner, user=None) -> None:
    require(user, CHANGE_PROJECT, partner.project)
    _by(user, partner).delete()


TRIPARTITE_FIELDS = frozenset({"contemplated", "contemplated_description", "actual_date", "actual_organisation",
                               "actual_description", "women", "men"})


@transaction.atomic
def tripartite_set(*, project: Project, stage: str, group: str, user=None, **values) -> TripartiteInvolvement:
    """Set one cell of the stage × constituent-group matrix (contemplated and/or actual involvement)."""
    require(user, CHANGE_PROJECT, project)
    _refuse_unknown_fields(values, TRIPARTITE_FIELDS)
    cell = TripartiteInvolvement.objects.filter(project=project, stage=stage, group=group).first()
    if cell is None:
        cell = TripartiteInvolvement(project=project, stage=stage, group=group)
    for name, value in values.items():
        setattr(cell, name, value)
    return _save_child(cell, user)


@transaction.atomic
def expert_create(*, project: Project, nationality: Country, category: str, year: int, work_months, name: str = "",
                  user=None) -> ExpertAssignment:
    require(user, CHANGE_PROJECT, project)
    return _save_child(ExpertAssignment(project=project, nationality=nationality, category=category, year=year,
                                        work_months=work_months, name=name), user)


@transaction.atomic
def training_create(*, project: Project, title: str, start_date: dt.date, end_date: dt.date, women: int = 0,
                    men: int = 0, is_turin_centre: bool = False, area: str = "", user=None) -> TrainingActivity:
    require(user, CHANGE_PROJECT, project)
    return _save_child(TrainingActivity(project=project, title=title, start_date=start_date, end_date=end_date,
                                        women=women, men=men, is_turin_centre=is_turin_centre, area=area), user)


@transaction.atomic
def progress_report_create(*, project: Project, period_end: dt.date, due_date: dt.date,
                           submitted_date: dt.date | None = None, comment: str = "", user=None) -> ProgressReport:
    require(user, CHANGE_PROJECT, project)
    return _save_child(ProgressReport(project=project, period_end=period_end, due_date=due_date,
                                      submitted_date=submitted_date, comment=comment), user)


# ---------------------------------------------------------------- import of projects (DESIGN.md section 5)

IMPORT_COLUMNS = ["symbol", "title", "status", "start_date", "end_date", "strategic_objective", "infocus_programme",
                  "region", "countries", "funding_source", "donor", "responsible_unit", "gender_marker"]
# Which file column a model field's error belongs to.
FIELD_COLUMN = {"symbol": "symbol", "title": "title", "status": "status", "planned_start": "start_date",
                "planned_end": "end_date", "strategic_objective": "strategic_objective",
                "primary_programme": "infocus_programme", "region": "region", "countries": "countries",
                "funding_source": "funding_source", "donor": "donor", "responsible_unit": "responsible_unit",
                "gender_marker": "gender_marker"}
IMPORT_COMPARED_FIELDS = ["title", "status", "planned_start", "planned_end", "strategic_objective",
                          "primary_programme", "region", "funding_source", "donor", "responsible_unit", "gender_marker"]


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
    errors: list = field(default_factory=list)  # tcms.tabular.RowError
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


def import_template_csv() -> str:
    example = ["KEN/00/01/NOR", "Skills for youth employment in Kenya", "ONGOING", "2000-03-01", "2002-02-28", "2",
               "SKILLS", "AFRICA", "KEN", "XBTC", "NORAD", "RO-AFRICA", "1"]
    return ",".join(IMPORT_COLUMNS) + "\n" + ",".join(example) + "\n"


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


def _parse_import_row(number: int, record: dict, lookups: _ImportLookups, existing: dict[str, Project],
                      errors: list) -> tuple[dict, list[Country], str] | None:
    """Parse one row into Project field values; each problem is appended as a RowError naming the column."""
    from tcms.tabular import CellError, RowError, excerpt, parse_choice, parse_date, parse_int

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

    project = existing.get(values["symbol"])
    if project is not None and values["status"] and values["status"] != project.status:
        message = status_change_error(project.status, values["status"])
        if message:
            row_errors.append(RowError(number, "status", message))
    if row_errors:
        errors.extend(row_errors)
        return None
    return values, countries, donor_text


def _validate_import_row(number: int, values: dict, countries: list[Country], existing: dict[str, Project],
                         errors: list) -> Project | None:
    from tcms.tabular import RowError

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


def _field_display(value) -> str:
    return _display(value.code if hasattr(value, "code") else value)


def _import_refusal(project: Project | None, not_editable: set[int], may_add: bool) -> str | None:
    """Why the user may not import a row (naming the stored project, never echoing the cell), or None."""
    if project is None:
        return None if may_add else refusal_message(ADD_PROJECT)
    return refusal_message(CHANGE_PROJECT, project) if project.pk in not_editable else None


@transaction.atomic
def project_import(*, source, filename: str = "", user=None, dry_run: bool = False,
                   progress: Callable[[int, int], None] | None = None) -> ProjectImportResult:
    """Import the project register from CSV or XLSX: all rows or none; re-importing a symbol updates it.

    Errors name row and column. A dry run validates and reports what would be created or updated, writing nothing.
    `progress(done, total)`, if given, is called as the rows are checked, then as they are written.
    A row updating a project the user may not change (as stored), or creating one when the user may not register
    projects, is an error of its `symbol` cell: the file is refused whole, the dry run too.
    """
    from tcms.tabular import RowError, TableError, excerpt, read_source, read_table, with_progress

    require(user, IMPORT_PROJECTS)

    # The same file uploaded twice at once: the second waits here, then finds the first one's projects unchanged.
    serialise("project_import")
    data, source_name = read_source(source)
    filename = filename or source_name
    result = ProjectImportResult(file_name=filename, dry_run=dry_run)
    try:
        table = read_table(data, required=IMPORT_COLUMNS, filename=filename)
    except TableError as exc:
        result.errors = exc.errors
        return result
    result.rows_total = len(table.rows)
    lookups = _ImportLookups()
    symbols = [record.get("symbol", "").strip().upper() for _n, record in table.rows]
    existing = {p.symbol: p for p in Project.objects.filter(symbol__in=symbols).prefetch_related("countries")}
    not_editable = projects_not_editable(user, [p.pk for p in existing.values()])
    may_add = user is None or user.has_perm(ADD_PROJECT)
    seen: dict[str, int] = {}
    parsed = []
    for number, record in with_progress(table.rows, progress):
        symbol = record.get("symbol", "").strip().upper()
        if symbol in seen:
            result.errors.append(RowError(number, "symbol", _("“%(symbol)s” is already in row %(row)s.") % {
                "symbol": excerpt(symbol), "row": seen[symbol]}))
            continue
        seen[symbol] = number
        refusal = _import_refusal(existing.get(symbol), not_editable, may_add)
        if refusal:
            result.errors.append(RowError(number, "symbol", refusal))
            continue
        row = _parse_import_row(number, record, lookups, existing, result.errors)
        if row is None:
            continue
        values, countries, donor_text = row
        original = None
        if symbol in existing:
            project = existing[symbol]
            original = {name: getattr(project, name) for name in IMPORT_COMPARED_FIELDS}
            original_countries = sorted(c.iso3 for c in project.countries.all())
        candidate = _validate_import_row(number, values, countries, existing, result.errors)
        if candidate is None:
            continue
        new_donor = donor_text if values["donor"] is None and donor_text else ""
        if original is None:
            plan = ImportRowPlan(number, symbol, "create")
        else:
            changes = [f"{Project._meta.get_field(name).verbose_name}: {_field_display(original[name])} → "
                       f"{_field_display(values[name])}" for name in IMPORT_COMPARED_FIELDS
                       if name != "donor" and original[name] != values[name]]
            if new_donor or (original["donor"] != values["donor"]):
                changes.append(f"{Project._meta.get_field('donor').verbose_name}: "
                               f"{_field_display(original['donor'])} → {new_donor or _field_display(values['donor'])}")
            if sorted(c.iso3 for c in countries) != original_countries:
                changes.append(f"{_('countries')}: {_display(original_countries)} → "
                               f"{_display(sorted(c.iso3 for c in countries))}")
            plan = ImportRowPlan(number, symbol, "update" if changes else "unchanged", changes)
        parsed.append((plan, candidate, original, countries, new_donor))
        if new_donor and new_donor not in result.donors_created:
            result.donors_created.append(new_donor)
    result.plans = [item[0] for item in parsed]
    if result.errors or dry_run:
        return result

    from partners.services import donor_get_or_create

    donors = {text: donor_get_or_create(text=text, user=user)[0] for text in result.donors_created}
    reason = _("Import of %(file)s") % {"file": filename or _("a file")}
    for plan, candidate, original, countries, new_donor in with_progress(parsed, progress):
        if new_donor:
            candidate.donor = donors[new_donor]
        if plan.action == "create":
            candidate.version = 1
            _by(user, candidate)._change_reason = reason
            candidate.save()
            candidate.countries.set(countries)
        elif plan.action == "update":
            revisions = [DateRevision(project=candidate, field=name, old_value=original[name],
                                      new_value=getattr(candidate, name), reason=reason,
                                      revised_by=user if getattr(user, "is_authenticated", False) else None)
                         for name in ("planned_start", "planned_end") if original[name] != getattr(candidate, name)]
            candidate.version += 1
            _by(user, candidate)._change_reason = reason
            candidate.save()
            DateRevision.objects.bulk_create(revisions)
            candidate.countries.set(countries)
    result.record = ProjectImport.objects.create(
        file_name=filename[:255], checksum=hashlib.sha256(data).hexdigest(),
        imported_by=user if getattr(user, "is_authenticated", False) else None, rows_total=result.rows_total,
        rows_created=result.count("create"), rows_updated=result.count("update"),
        rows_unchanged=result.count("unchanged"), donors_created=result.donors_created)
    return result


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
