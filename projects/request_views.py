"""The constituents' requests for assistance (a constituent's "my requests" and form; the Office's review list,
a request's page and the decision form) and a government's agreement to an autonomous programme (issue 18.4-5).
Reads from projects.constituent_selectors, writes through projects.services, permissions from
projects/permissions.py."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core.filter_form import filter_fields
from core.service_views import ServiceFormView
from projects import services
from projects.constituent_selectors import autonomy_status, requests_for
from projects.models import Project
from projects.permissions import (
    DECIDE_REQUEST,
    RECORD_AUTONOMY,
    SUBMIT_REQUEST,
    VIEW_PROJECT,
    VIEW_REQUESTS,
    VIEW_VISIBLE_PROJECT,
    visible_projects,
)
from projects.request_forms import AutonomyForm, DecisionForm, RequestFilterSet, RequestForm

PAGE_SIZE = 50
SORT_COLUMNS = [("submitted_at", gettext_lazy("Submitted")), ("title", gettext_lazy("Title")),
                ("organisation", gettext_lazy("Organisation")), ("country", gettext_lazy("Country")),
                ("status", gettext_lazy("Status"))]
SORT_FIELDS = {"submitted_at": "submitted_at", "title": "title", "organisation": "organisation__name",
               "country": "country__name", "status": "status"}


def _require(request, permission: str, obj=None):
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def _sorted(request, queryset):
    sort = request.GET.get("sort", "-submitted_at")
    if sort.lstrip("-") not in SORT_FIELDS:
        sort = "-submitted_at"
    return queryset.order_by(("-" if sort.startswith("-") else "") + SORT_FIELDS[sort.lstrip("-")], "-id"), sort


@login_required
def request_list(request):
    """The Office's review list: every request, with filters, sorting and pagination."""
    _require(request, VIEW_PROJECT)  # the Office's staff (a constituent has "my requests")
    data = request.GET.copy()
    for name in ("page", "sort"):
        data.pop(name, None)
    filterset = RequestFilterSet(data or None, queryset=requests_for(request.user), request=request)
    queryset, sort = _sorted(request, filterset.qs if filterset.is_bound else requests_for(request.user))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    for name in ("page", "sort"):
        query.pop(name, None)
    return render(request, "projects/requests/list.html", {
        "page": page, "sort": sort, "sort_columns": SORT_COLUMNS, "query": query.urlencode(),
        "filter_fields": filter_fields(filterset.form, cache_key="assistance-requests"),
        "filtered": filterset.is_bound})


@require_GET
@login_required
def my_requests(request):
    """A constituent's requests: their organisation's, newest first."""
    _require(request, SUBMIT_REQUEST)
    queryset, sort = _sorted(request, requests_for(request.user))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "projects/requests/mine.html", {"page": page, "sort": sort})


def _visible_request(request, pk: int):
    """The request if the user may read it; 404 otherwise (another organisation's)."""
    _require(request, VIEW_REQUESTS)
    return get_object_or_404(requests_for(request.user), pk=pk)


@login_required
def request_detail(request, pk: int):
    assistance_request = _visible_request(request, pk)
    can_decide = request.user.has_perm(DECIDE_REQUEST, assistance_request)
    history = assistance_request.history.select_related("history_user").order_by("-history_date", "-history_id")
    return render(request, "projects/requests/detail.html", {
        "assistance_request": assistance_request, "history": history,
        "decision_form": DecisionForm() if can_decide else None})


class RequestCreate(ServiceFormView):
    form_class = RequestForm
    template_name = "projects/requests/form.html"
    permission = SUBMIT_REQUEST
    success_message = gettext_lazy("Your request has been sent to the Office.")

    def call_service(self, form):
        return services.request_submit(user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("projects:request_detail", args=[self.saved.pk])


class RequestDecide(ServiceFormView):
    form_class = DecisionForm
    template_name = "projects/requests/decide.html"
    permission = DECIDE_REQUEST
    success_message = gettext_lazy("Decision recorded; the constituent will read it in their digest.")

    def get_object(self):
        return _visible_request(self.request, self.kwargs["pk"])

    def permission_object(self):
        return self.object

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "assistance_request": self.object}

    def call_service(self, form):
        return services.request_decide(assistance_request=self.object, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("projects:request_detail", args=[self.object.pk])


class ProjectAutonomy(ServiceFormView):
    """A programme requiring autonomy: each of its countries and its government's word; the government of one of
    them records its own (the form is shown to it only)."""

    form_class = AutonomyForm
    template_name = "projects/requests/autonomy.html"
    success_message = gettext_lazy("The government's word is recorded.")

    def get_object(self):
        if not self.request.user.has_perm(VIEW_VISIBLE_PROJECT):
            raise PermissionDenied
        project = get_object_or_404(visible_projects(self.request.user, Project.objects.all()),
                                    pk=self.kwargs["pk"])
        if not project.is_autonomous:
            raise Http404
        return project

    def post(self, request, *args, **kwargs):
        _require(request, RECORD_AUTONOMY, self.object)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        may_record = self.request.user.has_perm(RECORD_AUTONOMY, self.object)
        return {**super().get_context_data(**kwargs), "project": self.object, "may_record": may_record,
                "countries": autonomy_status(self.object)}

    def call_service(self, form):
        return services.autonomy_agreement_record(project=self.object, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("projects:autonomy", args=[self.object.pk])
