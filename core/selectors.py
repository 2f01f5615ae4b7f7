"""Health of the parts the application depends on, as read by /healthz."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.models import WorkerHeartbeat


def database_status() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any database failure is a health answer, not a crash
        return {"ok": False, "vendor": connection.vendor, "error": str(exc)[:200]}


def broker_status() -> dict:
    from core.celery_app import app

    url = app.conf.broker_url or ""
    transport = url.split("://", 1)[0]
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "transport": transport}
    except Exception as exc:
        return {"ok": False, "transport": transport, "error": str(exc)[:200]}


def worker_status() -> dict:
    # Beat sends a heartbeat task every TCMS_WORKER_HEARTBEAT_SECONDS; allow four missed beats.
    limit = timedelta(seconds=settings.TCMS_WORKER_HEARTBEAT_SECONDS * 4)
    try:
        latest = WorkerHeartbeat.objects.order_by("-seen_at").first()
    except Exception as exc:
        return {"ok": False, "error": str(exc)[:200]}
    if latest is None:
        return {"ok": False, "error": "no worker has reported yet"}
    age = (timezone.now() - latest.seen_at).total_seconds()
    return {"ok": age <= limit.total_seconds(), "hostname": latest.hostname, "last_seen_seconds": round(age, 1)}


def migrations_status() -> dict:
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return {"ok": False, "error": str(exc)[:200]}
    return {"ok": not pending, "pending": len(pending)}
