"""Reads about constituents' requests and governments' agreements to autonomy (issue 18.4-5), and what a
constituent or an officer is waiting for (the digests' news, issue 18.6)."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from partners.models import OrganisationKind
from partners.selectors import constituent_organisation
from projects.models import (
    AssistanceRequest,
    AutonomyAgreement,
    Confirmation,
    InvolvementStage,
    Project,
    ProjectStatus,
    RequestStatus,
    TripartiteInvolvement,
)
from projects.permissions import editable_projects_filter, visible_projects_filter, visible_requests_filter

# How far ahead a constituent's digest announces contemplated involvement.
UPCOMING_DAYS = 60


def demand_driven(*, project: str = "pk") -> Q:
    """The condition on a project "answers a constituent request" (demand-driven): an accepted request is linked to
    it. The one definition behind the register's filter, `delivery_table --by demand_driven`, the annual report's
    table and the project's page. `project` is the field holding the project's id ("project_id" on a rollup)."""
    return Q(Exists(AssistanceRequest.objects.filter(status=RequestStatus.ACCEPTED, project_id=OuterRef(project))))


def requests_for(user) -> QuerySet:
    """The requests `user` may read (projects.permissions.visible_requests_filter), with what a list shows."""
    return (AssistanceRequest.objects.filter(visible_requests_filter(user))
            .select_related("organisation", "country", "strategic_objective", "project"))


def answered_requests(project: Project) -> list[AssistanceRequest]:
    """The accepted requests the project answers (empty: not demand-driven)."""
    return list(project.answered_requests.filter(status=RequestStatus.ACCEPTED).select_related("organisation"))


# ---------------------------------------------------------------- autonomy


def autonomy_missing_countries() -> dict[int, list[str]]:
    """Ongoing projects requiring autonomy → ISO3 codes of their countries whose government has not (or not yet)
    agreed (AUTONOMY_NOT_AGREED). A project without countries asks no government."""
    agreed = AutonomyAgreement.objects.filter(agrees=True, project_id=OuterRef("project_id"),
                                              country_id=OuterRef("country_id"))
    rows = (Project.countries.through.objects
            .filter(project__is_autonomous=True, project__status=ProjectStatus.ONGOING)
            .filter(~Q(Exists(agreed))).values_list("project_id", "country__iso3"))
    missing: dict[int, list[str]] = {}
    for project_id, iso3 in rows:
        missing.setdefault(project_id, []).append(iso3)
    return {project_id: sorted(codes) for project_id, codes in missing.items()}


def autonomy_status(project: Project) -> list[dict]:
    """For an autonomous project, each of its countries and its government's word (None: not recorded yet)."""
    agreements = {agreement.country_id: agreement for agreement in
                  project.autonomy_agreements.select_related("organisation", "recorded_by")}
    return [{"country": country, "agreement": agreements.get(country.pk)}
            for country in project.countries.order_by("name")]


# ---------------------------------------------------------------- what people are waiting for (digests)


def _group_cells(organisation) -> QuerySet:
    """The cells of the organisation's constituent group naming it or no organisation (projects.permissions'
    is_cells_constituent), on projects not closed."""
    return (TripartiteInvolvement.objects.filter(group=organisation.kind)
            .filter(Q(actual_organisation__isnull=True) | Q(actual_organisation=organisation))
            .exclude(project__status__in=(ProjectStatus.FINANCIALLY_CLOSED, ProjectStatus.CANCELLED)))


def cells_awaiting_confirmation(user) -> QuerySet:
    """Cells of the constituent's group where the Office recorded an involvement that they have not confirmed yet
    (recorded), or answered their report without accepting it (disputed with the Office's comment)."""
    organisation = constituent_organisation(user)
    if organisation is None or organisation.kind not in (OrganisationKind.GOVERNMENT, OrganisationKind.EMPLOYERS,
                                                        OrganisationKind.WORKERS):
        return TripartiteInvolvement.objects.none()
    awaiting = (Q(confirmation=Confirmation.RECORDED, actual_date__isnull=False)
                | (Q(confirmation=Confirmation.DISPUTED) & ~Q(officer_comment="")))
    return (_group_cells(organisation).filter(awaiting).filter(visible_projects_filter(user, project="project_id"))
            .select_related("project").order_by("project__symbol", "stage"))


def stage_due_on(stage: str, start: dt.date, planned_end: dt.date) -> dt.date:
    """When a stage of a project is due: formulation and approval by its start, evaluation by its planned end, the
    others (implementation, management, monitoring) by mid-life. The one reading of a stage's date (TRIPARTITE_GAP,
    the constituents' digests)."""
    if stage in (InvolvementStage.FORMULATION, InvolvementStage.APPROVAL):
        return start
    if stage == InvolvementStage.EVALUATION:
        return planned_end
    return start + (planned_end - start) / 2


def upcoming_involvement(user, *, today: dt.date) -> list[tuple[dt.date, TripartiteInvolvement]]:
    """Contemplated involvement of the constituent's group not yet done whose stage is due (stage_due_on) within
    UPCOMING_DAYS of `today`, as (due date, cell), soonest first."""
    organisation = constituent_organisation(user)
    if organisation is None:
        return []
    cells = (_group_cells(organisation).filter(contemplated=True, actual_date__isnull=True)
             .exclude(project__status=ProjectStatus.OPERATIONALLY_CLOSED)
             .filter(visible_projects_filter(user, project="project_id")).select_related("project"))
    horizon = today + dt.timedelta(days=UPCOMING_DAYS)
    upcoming = []
    for cell in cells:
        project = cell.project
        start = project.actual_start or project.planned_start
        if start is None or project.planned_end is None:
            continue
        due = stage_due_on(cell.stage, start, project.planned_end)
        if today <= due <= horizon:
            upcoming.append((due, cell))
    return sorted(upcoming, key=lambda pair: (pair[0], pair[1].project.symbol, pair[1].stage))


def report_answers(user, *, start: dt.datetime, end: dt.datetime) -> QuerySet:
    """The constituent organisation's reports the Office confirmed or answered in [start, end)."""
    organisation = constituent_organisation(user)
    if organisation is None:
        return TripartiteInvolvement.objects.none()
    answered = (Q(confirmation=Confirmation.CONFIRMED, confirmed_at__gte=start, confirmed_at__lt=end)
                | Q(Exists(TripartiteInvolvement.history.model.objects.filter(
                    id=OuterRef("pk"), history_date__gte=start, history_date__lt=end,
                    confirmation=Confirmation.DISPUTED).exclude(officer_comment=""))))
    return (TripartiteInvolvement.objects.filter(reported_by__constituent_account__organisation=organisation)
            .filter(answered).filter(visible_projects_filter(user, project="project_id"))
            .select_related("project").order_by("project__symbol", "stage"))


def request_answers(user, *, start: dt.datetime, end: dt.datetime) -> QuerySet:
    """The constituent organisation's requests the Office answered in [start, end)."""
    organisation = constituent_organisation(user)
    if organisation is None:
        return AssistanceRequest.objects.none()
    return (AssistanceRequest.objects.filter(organisation=organisation, answered_at__gte=start, answered_at__lt=end)
            .select_related("project").order_by("title"))


def reports_awaiting_officer(user) -> QuerySet:
    """Constituents' reports (cells in state reported) on the projects the user may change: theirs to confirm or
    answer."""
    return (TripartiteInvolvement.objects.filter(confirmation=Confirmation.REPORTED)
            .filter(Q(project__in=Project.objects.filter(editable_projects_filter(user)).values("pk")))
            .select_related("project", "actual_organisation").order_by("project__symbol", "stage"))
