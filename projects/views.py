"""Register pages: the list, a project's page and the import. Views parse the request and render; reads come
from projects/selectors.py, writes from projects/services.py, permissions from projects/permissions.py."""

import uuid
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects import selectors, services
from projects.filters import ProjectFilterSet
from projects.models import Project

PAGE_SIZE = 50
PENDING_SESSION_KEY = "projects_pending_import"
SORT_COLUMNS = [
    ("symbol", gettext_lazy("Symbol")), ("title", gettext_lazy("Title")), ("status", gettext_lazy("Status")),
    ("planned_start", gettext_lazy("Start")), ("planned_end", gettext_lazy("End")),
    ("region", gettext_lazy("Region")), ("funding_source", gettext_lazy("Source")),
    ("responsible_unit", gettext_lazy("Unit")),
]
SORT_FIELDS = {"symbol": "symbol", "title": "title", "status": "status", "planned_start": "planned_start",
               "planned_end": "planned_end", "region": "region__sort_order", "funding_source": "funding_source__code",
               "responsible_unit": "responsible_unit__code"}


def _require(request, permission: str, obj=None):
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


@login_required
def project_list(request):
    _require(request, "projects.view_project")
    mine = request.GET.get("scope") == "mine"
    base = selectors.my_projects(request.user) if mine else selectors.project_queryset()
    filterset = ProjectFilterSet(request.GET or None, queryset=base, request=request)
    queryset = filterset.qs if filterset.is_bound else base
    sort = request.GET.get("sort", "symbol")
    key = SORT_FIELDS.get(sort.lstrip("-"), "symbol")
    queryset = queryset.order_by(("-" if sort.startswith("-") else "") + key, "symbol")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    for name in ("page", "sort"):
        query.pop(name, None)
    return render(request, "projects/project_list.html", {
        "filter": filterset if filterset.is_bound else ProjectFilterSet(queryset=base, request=request),
        "page": page, "sort": sort, "sort_columns": SORT_COLUMNS, "query": query.urlencode(), "mine": mine,
        "can_import": request.user.has_perm("projects.import_projects"),
    })


@login_required
def project_detail(request, pk: int):
    _require(request, "projects.view_project")
    try:
        project = selectors.project_detail(pk=pk)
    except Project.DoesNotExist:
        raise Http404
    return render(request, "projects/project_detail.html", {
        "project": project,
        "matrix": selectors.tripartite_matrix(project),
        "history": selectors.project_history(project),
        "can_edit": request.user.has_perm("projects.change_project", project),
    })


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (CSV or XLSX)"))


def _pending_path(request) -> str | None:
    return request.session.get(PENDING_SESSION_KEY, {}).get("path")


@login_required
def project_import(request):
    """Upload → dry-run preview (errors, or what would be created/updated) → confirm → import."""
    _require(request, "projects.import_projects")
    form = ImportForm()
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.get(PENDING_SESSION_KEY)
        if not pending or not default_storage.exists(pending["path"]):
            messages.error(request, _("The uploaded file has expired: upload it again."))
            return redirect("projects:import")
        with default_storage.open(pending["path"], "rb") as handle:
            data = handle.read()
        result = services.project_import(source=data, filename=pending["name"], user=request.user)
        default_storage.delete(pending["path"])
        del request.session[PENDING_SESSION_KEY]
        if result.ok:
            messages.success(request, _("%(file)s imported: %(created)s created, %(updated)s updated, "
                                        "%(unchanged)s unchanged.") % {
                "file": result.file_name, "created": result.count("create"), "updated": result.count("update"),
                "unchanged": result.count("unchanged")})
            if result.donors_created:
                messages.info(request, _("Donor organisations created: %(donors)s.") % {
                    "donors": ", ".join(result.donors_created)})
            return redirect("projects:list")
        return render(request, "projects/project_import.html", {"form": form, "result": result})
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            result = services.project_import(source=data, filename=upload.name, dry_run=True)
            if result.ok:
                old = _pending_path(request)
                if old and default_storage.exists(old):
                    default_storage.delete(old)
                path = default_storage.save(f"imports/projects/{uuid.uuid4().hex}{Path(upload.name).suffix}",
                                            ContentFile(data))
                request.session[PENDING_SESSION_KEY] = {"path": path, "name": upload.name}
            return render(request, "projects/project_import.html", {"form": form, "result": result})
    return render(request, "projects/project_import.html", {"form": form, "result": None})


@login_required
def import_template(request):
    response = HttpResponse(services.import_template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="projects-template.csv"'
    return response
