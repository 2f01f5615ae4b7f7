"""python manage.py backup --out FILE: the whole database and the uploaded files in one .tar.gz.

The archive holds data.json (Django's dumpdata of every table, by primary key, so it restores exactly), private/
(uploaded and generated files: PRIVATE_ROOT), media/ (MEDIA_ROOT, if it holds anything) and manifest.json (when,
which migrations, row counts). Restore it with `python manage.py restore FILE` into the same version of TCMS. For
large PostgreSQL databases pg_dump is faster; this format also moves data between SQLite and PostgreSQL.
"""

import io
import json
import tarfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

# Not worth restoring: sign-in sessions, sign-in attempt logs, worker heartbeats.
EXCLUDED = ["sessions.Session", "axes.AccessAttempt", "axes.AccessAttemptExpiration", "axes.AccessLog",
            "axes.AccessFailureLog", "tcms.WorkerHeartbeat"]


def row_counts() -> dict[str, int]:
    excluded = set(EXCLUDED)
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()
            if model._meta.label not in excluded and not model._meta.proxy and model._meta.managed}


def applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


class Command(BaseCommand):
    help = "Write the database and uploaded files to one .tar.gz archive (restore it with `restore`)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="the archive to write, e.g. tcms-2026-11-27.tar.gz")

    def handle(self, *args, out, **options):
        target = Path(out)
        if target.exists():
            raise CommandError(f"{target} exists; choose another name (a backup never overwrites one).")
        data = io.StringIO()
        # One snapshot: on PostgreSQL a repeatable-read transaction sees every table at the same moment.
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            call_command("dumpdata", exclude=EXCLUDED, indent=None, stdout=data, verbosity=0)
            counts = row_counts()
            migrations = applied_migrations()
        manifest = {"created_at": timezone.now().isoformat(), "database": connection.vendor,
                    "migrations": migrations, "counts": counts}
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=1).encode())
            _add_bytes(archive, "data.json", data.getvalue().encode())
            for folder, name in ((settings.PRIVATE_ROOT, "private"), (settings.MEDIA_ROOT, "media")):
                if Path(folder).is_dir():
                    archive.add(Path(folder), arcname=name)
        partial.rename(target)  # a backup interrupted half-way never looks complete
        self.stdout.write(f"{target}: {sum(counts.values())} rows in {len(counts)} tables")
