"""Delivery pages: the dashboard (with CSV/XLSX downloads), a project's delivery panel (the money tab) with its
approvals and their forms, the financial import.

Views only parse the request and render: figures come from delivery.selectors (defined in delivery/figures.py),
writes from delivery/services.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import require
from core import clock, formats
from core.downloads import table_download
from core.filter_form import filter_fields
from core.imports import job_create, upload_limits
from delivery import selectors, services
from delivery.filters import DeliveryFilterSet, DeliveryPeriodForm
from delivery.forms import ApprovalForm
from delivery.models import Approval, ImportKind
from projects.models import Project
from projects.permissions import CHANGE_PROJECT, VIEW_PROJECT

PAGE_SIZE = 50
EXPORT_HEADER = ["symbol", "title", "status", "allocation_usd", "expenditure_usd", "delivery_rate", "forecast_usd",
                 "at_risk"]
SORT_COLUMNS = [
    ("symbol", gettext_lazy("Project")), ("status", gettext_lazy("Status")),
    ("allocation", gettext_lazy("Allocation (US$)")), ("expenditure", gettext_lazy("Expenditure (US$)")),
    ("rate", gettext_lazy("Delivery rate")), ("forecast", gettext_lazy("Year-end forecast (US$)")),
]


def _rate_text(rate) -> str:
    return "" if rate is None else f"{rate:.4f}"


def _next_sort(sort: str, key: str) -> str:
    """The order a column's header links to: the active column's reverse, another column descending first."""
    return key if sort == f"-{key}" else f"-{key}"


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _chart_data(board: selectors.Dashboard) -> dict:
    def series(rows):
        return {"labels": [r.group_label for r in rows],
                "allocation": [float(r.allocation_usd) for r in rows],
                "expenditure": [float(r.expenditure_usd) for r in rows],
                "rate": [None if r.delivery_rate is None else formats.percent(r.delivery_rate) for r in rows]}

    return {
        "groups": {name: series(rows) for name, rows in board.groups.items()},
        "curve": {"labels": [formats.month(p.month) for p in board.curve],
                  "cumulative": [None if p.cumulative_usd is None else float(p.cumulative_usd) for p in board.curve],
                  "profile": [float(p.profile_usd) for p in board.curve]},
        "text": {"allocation": _("Allocation (US$)"), "expenditure": _("Expenditure (US$)"),
                 "cumulative": _("Cumulative expenditure (US$)"), "profile": _("Linear profile (US$)")},
    }


def _export(board: selectors.Dashboard, fmt: str) -> HttpResponse:
    rows = [[p.symbol, p.title, p.status, p.allocation_usd, p.expenditure_usd, _rate_text(p.delivery_rate),
             p.forecast_usd, "yes" if p.at_risk else ""] for p in board.projects]
    total = ["TOTAL", "", "", board.total.allocation_usd, board.total.expenditure_usd,
             _rate_text(board.total.delivery_rate), board.forecast_usd, str(board.at_risk)]
    return table_download([EXPORT_HEADER, *rows, total], name=f"delivery-{board.year}-as-of-{board.as_of:%Y-%m-%d}",
                          fmt=fmt, sheet=str(board.year))


@login_required
def dashboard(request):
    period_form = DeliveryPeriodForm(request.GET or None)
    filterset = DeliveryFilterSet(request.GET or None, queryset=Project.objects.none())
    year, as_of = period_form.period(clock.today(), selectors.default_period)
    sort = request.GET.get("sort", "rate")
    board = selectors.delivery_dashboard(year=year, as_of=as_of, filters=filterset.selector_filters(), sort=sort)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _export(board, fmt)
    page = Paginator(board.projects, PAGE_SIZE).get_page(request.GET.get("page"))
    sort_base = _query_without(request, "sort", "page", "format")
    columns = [{"key": key, "label": label, "active": sort.lstrip("-") == key,
                "descending": sort == f"-{key}",
                "query": f"{sort_base}&sort={_next_sort(sort, key)}".lstrip("&")}
               for key, label in SORT_COLUMNS]
    context = {
        "board": board, "year": year, "as_of": as_of, "period_form": period_form,
        "page": page, "columns": columns, "sort": sort, "chart_data": _chart_data(board),
        "page_query": _query_without(request, "page", "format"),
        "export_query": _query_without(request, "page", "format"),
    }
    if request.headers.get("HX-Request"):
        return render(request, "delivery/_results.html", context)
    context["filter_fields"] = filter_fields(filterset.form, cache_key="delivery-dashboard")
    return render(request, "delivery/dashboard.html", context)


@login_required
def project(request, pk):
    require(request.user, VIEW_PROJECT)  # the money tab's rule: whoever reads the project
    project = get_object_or_404(Project.objects.select_related("funding_source", "region"), pk=pk)
    approvals = selectors.project_approvals(project)
    period_form = DeliveryPeriodForm(request.GET or None)
    as_of = period_form.cleaned_data.get("as_of") if period_form.is_valid() else None
    panel = selectors.project_delivery(project=project, as_of=as_of)
    curve = {"labels": [formats.month(p.month) for p in panel.curve],
             "cumulative": [None if p.cumulative_usd is None else float(p.cumulative_usd) for p in panel.curve],
             "profile": [float(p.profile_usd) for p in panel.curve],
             "text": {"cumulative": _("Cumulative expenditure (US$)"), "profile": _("Linear profile (US$)")}}
    return render(request, "delivery/project.html", {
        "project": project, "panel": panel, "curve_data": curve, "period_form": period_form, "approvals": approvals,
        "allocations": selectors.allocation_revisions(project),
        "can_edit_approvals": request.user.has_perm(CHANGE_PROJECT, project)})


def _money_tab(project) -> str:
    return f"{reverse('projects:detail', args=[project.pk])}?tab=delivery"


def _approval_form_page(request, form, project, approval=None):
    return render(request, "delivery/approval_form.html", {"form": form, "project": project, "approval": approval})


@login_required
def approval_create(request, pk):
    project = get_object_or_404(Project, pk=pk)
    if not request.user.has_perm(CHANGE_PROJECT, project):
        raise PermissionDenied
    form = ApprovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.approval_create(project=project, user=request.user, **form.service_values())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Approval recorded."))
            return redirect(_money_tab(project))
    return _approval_form_page(request, form, project)


@login_required
def approval_edit(request, pk):
    approval = get_object_or_404(Approval.objects.select_related("project"), pk=pk)
    if not request.user.has_perm(CHANGE_PROJECT, approval.project):
        raise PermissionDenied
    form = ApprovalForm(request.POST or None, instance=approval)
    if request.method == "POST" and form.is_valid():
        try:
            services.approval_update(approval=approval, user=request.user, **form.service_values())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Approval saved."))
            return redirect(_money_tab(approval.project))
    return _approval_form_page(request, form, approval.project, approval)


@login_required
def approval_delete(request, pk):
    """GET asks for confirmation; POST deletes."""
    approval = get_object_or_404(Approval.objects.select_related("project", "donor"), pk=pk)
    if not request.user.has_perm(CHANGE_PROJECT, approval.project):
        raise PermissionDenied
    if request.method == "POST":
        services.approval_delete(approval=approval, user=request.user)
        messages.success(request, _("Approval deleted."))
        return redirect(_money_tab(approval.project))
    return render(request, "delivery/approval_delete.html", {"approval": approval, "project": approval.project})


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal as the form's errors, at the fields it names."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _require_import_permission(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    if not request.user.has_perm("delivery.import_financials"):
        raise PermissionDenied
    return None


def financial_import(request):
    """Upload: the file passes the upload gate, then is checked in the background; its job page shows the preview
    (errors with row, column and reason, or the counts), the confirmation and the result (tcms/imports.py)."""
    denied = _require_import_permission(request)
    if denied:
        return denied
    context = {"kinds": [(value, label, ", ".join(services.columns(value))) for value, label in ImportKind.choices
                         if value in services.LAYOUTS and services.may_import(request.user, value)],
               "limits": upload_limits(), "template_url": "delivery:template"}
    if request.method != "POST":
        return render(request, "delivery/import.html", context)
    kind = request.POST.get("kind")
    upload = request.FILES.get("file")
    context["kind"] = kind
    if kind in services.LAYOUTS and not services.may_import(request.user, kind):
        raise PermissionDenied
    if kind not in services.LAYOUTS or upload is None:
        messages.error(request, _("Choose the kind of file and the file to import."))
    else:
        try:
            job = job_create(kind=kind, upload=upload, user=request.user, language=request.LANGUAGE_CODE)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("import_job", pk=job.pk)
    return render(request, "delivery/import.html", context, status=400)


@login_required
def import_template(request, kind):
    if kind not in services.LAYOUTS:
        raise Http404
    return table_download(services.template_rows(kind), name=f"tcms-{kind}-template",
                          fmt="xlsx" if request.GET.get("format") == "xlsx" else "csv", sheet=kind)
