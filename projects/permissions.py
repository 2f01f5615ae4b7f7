"""Who may do what: the one place that decides. Pages, API, admin and services all ask here.

Roles (accounts.Role):
- everyone signed in reads the register, delivery figures, results and reports' pages;
- programme officers edit projects of their units (responsible or backstopping) or where they are the
  responsible official, and import financial data;
- managers read all and edit their units' projects; they also import financial data;
- allocations and expenditure follow the project's edit rule: an import or a change touching a project the user may
  not edit is refused (a file whole, naming its rows); exchange rates are reference data, set by administrators;
- evaluation officers manage evaluations, recommendations and lessons;
- the Governing Body secretariat reads and exports reports;
- administrators do everything, including reference data, rules and users.

Predicates are `rules` predicates, registered as Django permissions, so `user.has_perm("projects.change_project",
project)` and `{% if perms %}` work, and the API's permission classes use the same names.

The write services ask too, where the write happens (`require`), so that no page, endpoint or import can skip the
check. `user=None` there means a system actor (a management command run by an operator, demo or benchmark seeding,
a Celery task): it is allowed; a request always passes its user.
"""

from collections.abc import Iterable

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Role


def user_unit_ids(user) -> frozenset[int]:
    """The ids of the units a user belongs to (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_tcms_unit_ids", None)
    if cached is None:
        cached = frozenset(user.unit_memberships.values_list("unit_id", flat=True))
        user._tcms_unit_ids = cached
    return cached


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


@rules.predicate
def is_administrator(user) -> bool:
    return is_signed_in(user) and (user.is_superuser or user.role == Role.ADMIN)


def _has_role(*roles):
    @rules.predicate(name="has_role_" + "_".join(r.lower() for r in roles))
    def predicate(user) -> bool:
        return is_signed_in(user) and user.role in roles

    return predicate


is_officer = _has_role(Role.OFFICER)
is_manager = _has_role(Role.MANAGER)
is_evaluation_officer = _has_role(Role.EVALUATION)
is_secretariat = _has_role(Role.SECRETARIAT)


@rules.predicate
def is_project_in_users_units(user, project) -> bool:
    if project is None:
        return False
    units = user_unit_ids(user)
    return project.responsible_unit_id in units or (
        project.backstopping_unit_id is not None and project.backstopping_unit_id in units)


@rules.predicate
def is_responsible_official(user, project) -> bool:
    return project is not None and project.responsible_official_id == user.pk


# The names of the permissions the write services ask (the others are asked by name where they are used).
ADD_PROJECT, CHANGE_PROJECT = "projects.add_project", "projects.change_project"
IMPORT_PROJECTS = "projects.import_projects"
IMPORT_FINANCIALS, MANAGE_EXCHANGE_RATES = "delivery.import_financials", "delivery.manage_exchange_rates"

can_view_register = is_signed_in
can_create_project = is_administrator | is_officer | is_manager
can_edit_project = is_administrator | (is_officer & (is_project_in_users_units | is_responsible_official)) | (
    is_manager & is_project_in_users_units)
can_import_financials = is_administrator | is_officer | is_manager
can_import_projects = is_administrator | is_officer | is_manager
can_manage_evaluations = is_administrator | is_evaluation_officer
can_export_reports = is_administrator | is_secretariat | is_manager | is_evaluation_officer
can_manage_alerts = is_administrator | is_officer | is_manager
can_manage_exchange_rates = is_administrator  # reference data: the UN operational rates
can_administer = is_administrator

rules.add_perm("projects.view_project", can_view_register)
rules.add_perm(ADD_PROJECT, can_create_project)
rules.add_perm(CHANGE_PROJECT, can_edit_project)
rules.add_perm("projects.delete_project", is_administrator)
rules.add_perm(IMPORT_PROJECTS, can_import_projects)
rules.add_perm(IMPORT_FINANCIALS, can_import_financials)
rules.add_perm("evaluation.view_evaluation", can_view_register)  # its page and its report file
rules.add_perm("evaluation.manage_evaluations", can_manage_evaluations)
rules.add_perm("reports.export_reports", can_export_reports)
rules.add_perm("delivery.manage_alerts", can_manage_alerts)
rules.add_perm(MANAGE_EXCHANGE_RATES, can_manage_exchange_rates)
rules.add_perm("tcms.administer", can_administer)


def editable_projects_filter(user) -> Q:
    """The same rule as can_edit_project, as a queryset filter (for lists and bulk checks)."""
    if not is_signed_in(user):
        return Q(pk__in=[])
    if is_administrator(user):
        return Q()
    in_units = Q(responsible_unit_id__in=user_unit_ids(user)) | Q(backstopping_unit_id__in=user_unit_ids(user))
    if user.role == Role.OFFICER:
        return in_units | Q(responsible_official_id=user.pk)
    if user.role == Role.MANAGER:
        return in_units
    return Q(pk__in=[])


def editable_projects(user, queryset: QuerySet) -> QuerySet:
    return queryset.filter(editable_projects_filter(user))


def projects_not_editable(user, project_ids: Iterable[int]) -> set[int]:
    """Which of the given projects `user` may not change, in one query (the bulk check of an import); none for a
    system actor (user=None). Asked about the projects as stored, before the import changes them."""
    from projects.models import Project

    ids = set(project_ids)
    if user is None or not ids:
        return set()
    return ids - set(editable_projects(user, Project.objects.filter(pk__in=ids)).values_list("pk", flat=True))


def refusal_message(perm: str, obj=None) -> str:
    """What a refusal of `perm` (on `obj`) says: the same words on a page, in the API and in an import's rows."""
    if perm == CHANGE_PROJECT and obj is not None:
        # obj: the project, or its symbol as stored (an import's bulk check has the symbols, not the objects)
        return _("You may not change project %(symbol)s.") % {"symbol": getattr(obj, "symbol", obj)}
    messages = {
        ADD_PROJECT: _("You may not register projects."),
        IMPORT_PROJECTS: _("You may not import projects."),
        IMPORT_FINANCIALS: _("You may not import financial data."),
        MANAGE_EXCHANGE_RATES: _("Only administrators change exchange rates."),
    }
    return messages.get(perm, _("You may not do this."))


def require(user, perm: str, obj=None) -> None:
    """Refuse (PermissionDenied, with a message saying what) unless `user` has `perm` (on `obj`).

    The write services call it first. `user=None` is a system actor (see the module's docstring) and is allowed.
    """
    if user is None:
        return
    if not user.has_perm(perm, obj):
        raise PermissionDenied(refusal_message(perm, obj))
