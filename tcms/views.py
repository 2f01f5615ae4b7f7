from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Role
from alerts.models import AlertState
from alerts.selectors import alert_queryset
from delivery.selectors import default_period, delivery_dashboard
from evaluation.selectors import evaluation_plan
from projects.models import ProjectStatus
from projects.selectors import my_projects
from tcms import imports, selectors
from tcms.models import ImportJob


@never_cache
def healthz(request):
    """State of the database, the broker and the worker, as JSON; 503 when one is down."""
    checks = {
        "database": selectors.database_status(),
        "broker": selectors.broker_status(),
        "worker": selectors.worker_status(),
    }
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if ok else "degraded", **checks}, status=200 if ok else 503)


@never_cache
def readyz(request):
    """Ready to serve: database reachable, broker reachable, every migration applied."""
    checks = {
        "database": selectors.database_status(),
        "broker": selectors.broker_status(),
        "migrations": selectors.migrations_status(),
    }
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if ok else "not ready", **checks}, status=200 if ok else 503)


HOME_LIST_SIZE = 10


def _unit_alerts(project_ids):
    return (alert_queryset().filter(project__in=project_ids).exclude(state=AlertState.RESOLVED)
            .order_by("-severity", "-raised_on", "project__symbol")[:HOME_LIST_SIZE])


def _officer_home(user) -> dict:
    projects = my_projects(user)
    return {"my_projects": projects[:HOME_LIST_SIZE], "my_project_count": projects.count(),
            "alerts": _unit_alerts(projects.values("pk"))}


def _manager_home(user) -> dict:
    projects = my_projects(user)
    units = list(user.unit_memberships.values_list("unit_id", flat=True))
    year, as_of = default_period(timezone.localdate())
    board = delivery_dashboard(year=year, as_of=as_of, filters={"unit": units} if units else None)
    by_status = dict(projects.order_by().values_list("status").annotate(n=Count("pk")))
    return {"portfolio": [(label, by_status.get(code, 0)) for code, label in ProjectStatus.choices
                          if by_status.get(code)],
            "my_project_count": sum(by_status.values()), "board": board, "units_filtered": bool(units),
            "alerts": _unit_alerts(projects.values("pk"))}


def _evaluation_home(user) -> dict:
    return {"plan": evaluation_plan(as_of=timezone.localdate())}


HOME_PANELS = {
    Role.OFFICER: ("projects/home/officer.html", _officer_home),
    Role.MANAGER: ("projects/home/manager.html", _manager_home),
    Role.EVALUATION: ("projects/home/evaluation.html", _evaluation_home),
    Role.SECRETARIAT: ("projects/home/secretariat.html", None),
    Role.ADMIN: ("projects/home/admin.html", None),
}


@login_required
def home(request):
    """What each role starts from: officers their projects and alerts, managers their portfolio and delivery."""
    user = request.user
    role = Role.ADMIN if user.is_superuser else user.role
    panel, build = HOME_PANELS.get(role, (None, None))
    context = {"home_panel": panel, **(build(user) if build else {})}
    return render(request, "home.html", context)


# ---------------------------------------------------------------- import jobs (tcms/imports.py)


@login_required
def import_job(request, pk: int):
    """An import's page: progress while it is checked or applied (polled by HTMX; a refresh link without
    JavaScript), then its preview with the confirmation, then its result. Its owner and administrators see it;
    anyone else gets 404."""
    job = get_object_or_404(imports.jobs_visible_to(request.user), pk=pk)
    context = {"job": job, "kind": imports.import_kind(job.kind), "is_owner": job.owner_id == request.user.pk}
    template = "imports/_job_status.html" if request.headers.get("HX-Request") == "true" else "imports/job.html"
    return render(request, template, context)


def _own_job(request, pk: int):
    return get_object_or_404(ImportJob, pk=pk, owner=request.user)


@login_required
@require_POST
def import_job_confirm(request, pk: int):
    job = _own_job(request, pk)
    try:
        imports.job_confirm(job=job, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("import_job", pk=job.pk)


@login_required
@require_POST
def import_job_cancel(request, pk: int):
    job = _own_job(request, pk)
    try:
        imports.job_cancel(job=job, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("import_job", pk=job.pk)
    messages.info(request, _("Import cancelled; the file was deleted."))
    return redirect(imports.import_kind(job.kind).upload_url)
