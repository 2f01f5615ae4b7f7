"""A project's life: registered, changed (optimistic locking, date revisions with a reason), its status moved
along the allowed transitions."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.permissions import require
from core.locks import StaleVersionError
from projects.models import (
    ALLOWED_TRANSITIONS,
    DateField,
    DateRevision,
    Project,
    ProjectStatus,
)
from projects.permissions import ADD_PROJECT, CHANGE_PROJECT, DELETE_PROJECT
from projects.services._shared import (
    DATE_FIELDS,
    PROJECT_EDITABLE_FIELDS,
    PROJECT_M2M_FIELDS,
    _by,
    _refuse_unknown_fields,
)


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


def _with_reason(project: Project, reason: str) -> Project:
    """Keep why the change was made on its history row."""
    if (reason or "").strip():
        project._change_reason = reason.strip()
    return project


def _set_m2m(project: Project, m2m: dict) -> None:
    for name, values in m2m.items():
        if values is not None:
            getattr(project, name).set(values)


@transaction.atomic
def project_create(*, user=None, reason: str = "", countries=None, other_programmes=None, themes=None,
                   principles=None, conventions=None, **fields) -> Project:
    """Register a project. `fields` are Project fields; many-to-many values come as lists of instances.
    `reason`, if given, is kept on the history row (e.g. the import naming its file)."""
    require(user, ADD_PROJECT)
    _refuse_unknown_fields(fields, PROJECT_EDITABLE_FIELDS)
    project = Project(**fields)
    project.version = 1
    project.full_clean()
    m2m = {"countries": countries, "other_programmes": other_programmes, "themes": themes,
           "principles": principles, "conventions": conventions}
    _validate_relations(project, m2m)
    _with_reason(_by(user, project), reason).save()
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
def project_update(*, project: Project, user=None, version: int | None, date_reason: str = "", reason: str = "",
                   countries=None, other_programmes=None, themes=None, principles=None, conventions=None,
                   **changes) -> Project:
    """Change a project. `version` is the one the user saw: a stale one is refused, naming what changed since.

    A date that already had a value is only revised with `date_reason` (a DateRevision keeps the earlier value);
    the status only moves along ALLOWED_TRANSITIONS. The history row keeps `reason`, else the `date_reason`.
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
    _with_reason(_by(user, current), reason or date_reason).save()
    DateRevision.objects.bulk_create(revisions)
    _set_m2m(current, m2m)
    return current


@transaction.atomic
def project_delete(*, project: Project, user=None) -> None:
    """Remove a project (administrators; its money and evaluations protect it): the history keeps who removed it
    and what it was."""
    current = Project.objects.select_for_update().get(pk=project.pk)
    require(user, DELETE_PROJECT, current)
    _by(user, current).delete()


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
