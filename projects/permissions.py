"""Who may read and change the project register: the one place that decides (accounts/permissions.py has the roles).

- the Office's staff (every role but constituent) read the whole register, delivery figures, results and reports'
  pages;
- a constituent sees only the projects of visible_projects_filter (their organisation's country, or where the
  organisation is a partner or named in a tripartite cell); any other project answers 404 to them;
- programme officers edit projects of their units (responsible or backstopping) or where they are the
  responsible official; managers edit their units' projects; administrators every project. A user's units are
  those they belong to and every unit below them (partners.selectors.scope_unit_ids: a regional office's
  manager edits its country offices' and MDTs' projects);
- officers, managers and administrators register and import projects; an import row is checked like a page.
"""

from collections.abc import Iterable

import rules
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.permissions import (
    is_administrator,
    is_manager,
    is_officer,
    is_signed_in,
    register_refusal,
)
from partners.selectors import constituent_organisation, scope_unit_ids


@rules.predicate
def is_constituent(user) -> bool:
    return is_signed_in(user) and user.role == Role.CONSTITUENT and not user.is_superuser


is_staff_member = is_signed_in & ~is_constituent


@rules.predicate
def is_project_in_users_units(user, project) -> bool:
    if project is None:
        return False
    units = scope_unit_ids(user)
    return project.responsible_unit_id in units or (
        project.backstopping_unit_id is not None and project.backstopping_unit_id in units)


@rules.predicate
def is_responsible_official(user, project) -> bool:
    return project is not None and project.responsible_official_id == user.pk


VIEW_PROJECT, ADD_PROJECT, CHANGE_PROJECT = "projects.view_project", "projects.add_project", "projects.change_project"
# Reading a project one may see (a constituent's own ones, every project for staff): asked with the project, or
# without one for "may read some projects at all" (lists then filter with visible_projects_filter).
VIEW_VISIBLE_PROJECT = "projects.view_visible_project"
IMPORT_PROJECTS = "projects.import_projects"
DELETE_PROJECT = "projects.delete_project"

can_view_register = is_staff_member  # the whole register, and everything not scoped to a constituent


@rules.predicate
def is_project_visible(user, project) -> bool:
    if project is None:
        return True
    return not is_constituent(user) or visible_projects(user, type(project).objects.filter(pk=project.pk)).exists()


can_view_visible_project = is_signed_in & is_project_visible
can_create_project = is_administrator | is_officer | is_manager
can_edit_project = is_administrator | (is_officer & (is_project_in_users_units | is_responsible_official)) | (
    is_manager & is_project_in_users_units)
can_import_projects = is_administrator | is_officer | is_manager

# A tripartite cell's confirmation (issue 18.3; projects.services.involvement): a constituent reports on and
# confirms cells of their own constituent group; whoever may change the project confirms or answers reports.
REPORT_INVOLVEMENT = "projects.report_involvement"
CONFIRM_INVOLVEMENT = "projects.confirm_involvement"
ANSWER_INVOLVEMENT = "projects.answer_involvement"


@rules.predicate
def is_cells_constituent(user, cell) -> bool:
    """The cell is of the user's constituent group (their organisation's kind), on a project they see, and names
    no other organisation."""
    organisation = constituent_organisation(user)
    return (cell is not None and organisation is not None and organisation.kind == cell.group
            and cell.actual_organisation_id in (None, organisation.pk) and is_project_visible(user, cell.project))


@rules.predicate
def may_edit_cells_project(user, cell) -> bool:
    return cell is not None and can_edit_project(user, cell.project)


can_report_involvement = is_constituent & is_cells_constituent
can_confirm_involvement = can_report_involvement | (is_staff_member & may_edit_cells_project)
can_answer_involvement = is_staff_member & may_edit_cells_project

rules.add_perm(VIEW_PROJECT, can_view_register)
rules.add_perm(REPORT_INVOLVEMENT, can_report_involvement)
rules.add_perm(CONFIRM_INVOLVEMENT, can_confirm_involvement)
rules.add_perm(ANSWER_INVOLVEMENT, can_answer_involvement)
rules.add_perm(VIEW_VISIBLE_PROJECT, can_view_visible_project)
rules.add_perm(ADD_PROJECT, can_create_project)
rules.add_perm(CHANGE_PROJECT, can_edit_project)
rules.add_perm(DELETE_PROJECT, is_administrator)
rules.add_perm(IMPORT_PROJECTS, can_import_projects)


def _change_refusal(project) -> str:
    if project is None:
        return _("You may not do this.")
    # project: the project, or its symbol as stored (an import's bulk check has the symbols, not the objects)
    return _("You may not change project %(symbol)s.") % {"symbol": getattr(project, "symbol", project)}


register_refusal(CHANGE_PROJECT, _change_refusal)
register_refusal(REPORT_INVOLVEMENT, lambda _obj: _("You may report only on cells of your own constituent group."))
register_refusal(CONFIRM_INVOLVEMENT, lambda _obj: _("You may not confirm this cell."))
register_refusal(ANSWER_INVOLVEMENT, lambda _obj: _("Only the Office's staff who may change the project answer a "
                                                    "constituent's report."))
register_refusal(ADD_PROJECT, lambda _obj: _("You may not register projects."))
register_refusal(IMPORT_PROJECTS, lambda _obj: _("You may not import projects."))


def editable_projects_filter(user) -> Q:
    """The same rule as can_edit_project, as a queryset filter (for lists and bulk checks)."""
    if not is_signed_in(user):
        return Q(pk__in=[])
    if is_administrator(user):
        return Q()
    in_units = Q(responsible_unit_id__in=scope_unit_ids(user)) | Q(backstopping_unit_id__in=scope_unit_ids(user))
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


def visible_projects_filter(user, *, project: str = "pk") -> Q:
    """The projects `user` may see, as a condition: every project for the Office's staff; for a constituent those
    whose countries include their organisation's country, and those where the organisation is a partner or named
    in a tripartite cell. The one rule behind the constituent's pages and API (404 outside). `project` is the field
    of the model queried holding the project's id ("project_id" on a project's records)."""
    from projects.models import AssistanceRequest, AutonomyAgreement, Project, ProjectPartner, TripartiteInvolvement

    if not is_signed_in(user):
        return Q(pk__in=[])
    if not is_constituent(user):
        return Q()
    organisation = constituent_organisation(user)
    if organisation is None:
        return Q(pk__in=[])
    condition = Q(Exists(ProjectPartner.objects.filter(organisation=organisation, project_id=OuterRef(project)))) | Q(
        Exists(TripartiteInvolvement.objects.filter(actual_organisation=organisation, project_id=OuterRef(project))))
    if organisation.country_id is not None:
        condition |= Q(Exists(Project.countries.through.objects.filter(country_id=organisation.country_id,
                                                                       project_id=OuterRef(project))))
    # The project its request led to, and an autonomous programme it gave its word on (issue 18.4-5).
    condition |= Q(Exists(AssistanceRequest.objects.filter(organisation=organisation, project_id=OuterRef(project))))
    condition |= Q(Exists(AutonomyAgreement.objects.filter(organisation=organisation, project_id=OuterRef(project))))
    return condition


def visible_projects(user, queryset: QuerySet, *, project: str = "pk") -> QuerySet:
    return queryset.filter(visible_projects_filter(user, project=project))


# Requests for assistance (issue 18.4): a constituent reads and submits their organisation's; the Office's staff
# read every request, and officers, managers and administrators review them (and link the project each led to).
VIEW_REQUESTS = "projects.view_requests"
SUBMIT_REQUEST = "projects.submit_request"
DECIDE_REQUEST = "projects.decide_request"


@rules.predicate
def has_constituent_organisation(user) -> bool:
    return constituent_organisation(user) is not None


@rules.predicate
def is_requests_organisation(user, assistance_request) -> bool:
    if assistance_request is None:
        return True
    organisation = constituent_organisation(user)
    return organisation is not None and assistance_request.organisation_id == organisation.pk


can_view_requests = is_staff_member | (is_constituent & has_constituent_organisation & is_requests_organisation)
can_submit_request = is_constituent & has_constituent_organisation
can_decide_request = is_administrator | is_officer | is_manager

rules.add_perm(VIEW_REQUESTS, can_view_requests)
rules.add_perm(SUBMIT_REQUEST, can_submit_request)
rules.add_perm(DECIDE_REQUEST, can_decide_request)
register_refusal(SUBMIT_REQUEST, lambda _obj: _("Only a constituent organisation's users submit requests."))
register_refusal(DECIDE_REQUEST, lambda _obj: _("Only programme officers, managers and administrators review "
                                                "requests."))


def visible_requests_filter(user) -> Q:
    """The requests `user` may read, as a condition: every one for the Office's staff, their organisation's for a
    constituent (another organisation's answers 404)."""
    if not is_signed_in(user):
        return Q(pk__in=[])
    if not is_constituent(user):
        return Q()
    organisation = constituent_organisation(user)
    return Q(organisation=organisation) if organisation is not None else Q(pk__in=[])


# A government's agreement to an autonomous programme (issue 18.5): a constituent of a government organisation of one
# of the project's countries records it, for their country.
RECORD_AUTONOMY = "projects.record_autonomy"


@rules.predicate
def is_government_of_projects_country(user, project) -> bool:
    from partners.models import OrganisationKind

    organisation = constituent_organisation(user)
    return (project is not None and organisation is not None and project.is_autonomous
            and organisation.kind == OrganisationKind.GOVERNMENT and organisation.country_id is not None
            and project.countries.filter(pk=organisation.country_id).exists())


rules.add_perm(RECORD_AUTONOMY, is_constituent & is_government_of_projects_country)
register_refusal(RECORD_AUTONOMY, lambda _obj: _("Only the government of one of the countries of a programme "
                                                 "requiring autonomy records its agreement."))
