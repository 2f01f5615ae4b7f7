from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from tcms import selectors


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
def home(request):
    return render(request, "home.html")
