"""The constituents' workspace (issue 18.2): what a person of a government, employers' or workers' organisation sees.

- `ConstituentConfinementMiddleware`: a constituent opens only the pages named in CONSTITUENT_PAGES (their home,
  the workspace's project page, the report and confirm pages of a cell, their profile and password); every other
  page answers 403, whatever it checks itself, so a page added later stays closed to them until it is listed here.
  The API's viewsets decide with their own permissions (projects.view_visible_project for what they may read);
  its other URLs are refused but the root and the schema.
- `constituent_home`: their projects and the cells awaiting them (home's panel);
- `project`: one project as a constituent reads it: title, objectives, status, dates, partners, the tripartite
  matrix (where they report and confirm), results and indicators, evaluation summaries and validated lessons,
  and the delivery rate of the year. Not: alerts and slippage notes, allocations and expenditure lines, staff
  comments, users' e-mail addresses, other organisations' pending reports. A project they may not see is 404.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from core import clock
from delivery.selectors import year_delivery_rate
from evaluation.models import EvaluationStatus
from evaluation.selectors import project_results
from partners.selectors import constituent_organisation
from projects import selectors as project_selectors
from projects.models import Confirmation, Project, TripartiteInvolvement
from projects.permissions import VIEW_VISIBLE_PROJECT, is_constituent, visible_projects

# The pages a constituent may open (URL names); the API is governed by its own permissions.
CONSTITUENT_PAGES = frozenset({
    "home", "constituent_project", "projects:involvement_report", "projects:involvement_confirm", "profile",
    "password_change", "password_change_done", "api_token", "login", "logout", "set_language", "favicon",
    "healthz", "readyz",
    # their organisation's requests for assistance, and a government's word on an autonomous programme
    "projects:my_requests", "projects:request_create", "projects:request_detail", "projects:autonomy",
})
API_PREFIX = "/api/"
# Under /api/, the viewsets decide with their permissions; of the other API URLs only the root and the schema
# (which hold no data) open to a constituent: not the IATI files, which publish the whole portfolio.
CONSTITUENT_API_PAGES = frozenset({"api-root", "api-schema", "api-swagger", "api-redoc"})


class ConstituentConfinementMiddleware:
    """Deny by default: a signed-in constituent gets 403 on any page not in CONSTITUENT_PAGES."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not is_constituent(user):
            return None
        match = request.resolver_match
        if request.path.startswith(API_PREFIX):
            if getattr(view_func, "actions", None) is not None or (match and match.view_name in CONSTITUENT_API_PAGES):
                return None
            raise PermissionDenied
        if match is None or match.view_name not in CONSTITUENT_PAGES:
            raise PermissionDenied
        return None


def constituent_home(user) -> dict:
    """Home's panel for a constituent: their organisation, their projects, and the cells waiting for them (an
    Office's record of their group to confirm, or the Office's answer to their report)."""
    organisation = constituent_organisation(user)
    projects = visible_projects(user, project_selectors.project_queryset()).order_by("symbol")
    waiting = []
    if organisation is not None:
        waiting = list(visible_projects(user, TripartiteInvolvement.objects.filter(
            group=organisation.kind, actual_organisation__in=[organisation.pk, None], actual_date__isnull=False,
            confirmation__in=(Confirmation.RECORDED, Confirmation.DISPUTED)), project="project_id")
            .select_related("project").order_by("project__symbol", "stage"))
    return {"organisation": organisation, "constituent_projects": projects, "waiting_cells": waiting}


@login_required
def project(request, pk: int):
    if not request.user.has_perm(VIEW_VISIBLE_PROJECT):
        raise PermissionDenied
    try:
        project = project_selectors.project_detail(pk=pk)
    except Project.DoesNotExist:
        raise Http404
    if not visible_projects(request.user, Project.objects.filter(pk=project.pk)).exists():
        raise Http404
    today = clock.today()
    delivery = year_delivery_rate(project, as_of=today)
    evaluations = [evaluation for evaluation in project.evaluations.order_by("planned_date", "pk")
                   if evaluation.status == EvaluationStatus.COMPLETED and evaluation.summary]
    return render(request, "home/constituent_project.html", {
        "project": project, "organisation": constituent_organisation(request.user),
        "matrix": project_selectors.tripartite_matrix(project, user=request.user),
        "next": request.get_full_path(),
        "results": project_results(project, as_of=today),
        "evaluations": evaluations,
        "lessons": project.lessons.filter(is_validated=True).order_by("title"),
        "delivery_year": delivery[0] if delivery else None,
        "delivery_rate": delivery[1] if delivery else None,
    })
