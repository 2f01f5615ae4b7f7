"""Health and readiness checks for load balancers and orchestrators; the pages of an import job (core/imports.py);
/favicon.ico."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core import imports, selectors
from core.models import ImportJob


def favicon(request):
    """Browsers ask /favicon.ico of what has no page to name its icon (a download, an API answer)."""
    return redirect(static("img/favicon.ico"), permanent=True)


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
