"""python manage.py restore FILE [--replace]: put back what `backup` saved (see backup.py)."""

import json
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from core.management.commands.backup import applied_migrations
from core.private_files import private_file_names, relocate_files

# What tells a database in use from a freshly migrated one.
IN_USE = ("projects.Project", "accounts.User")


class Command(BaseCommand):
    help = "Restore a backup archive into this (migrated) database, replacing its content, and the uploaded files."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--replace", action="store_true",
                            help="allow replacing a database that already holds projects or users")

    def handle(self, *args, archive, replace, **options):
        from django.apps import apps

        source = Path(archive)
        if not source.is_file():
            raise CommandError(f"{source} does not exist.")
        with tempfile.TemporaryDirectory() as scratch, tarfile.open(source, "r:gz") as tar:
            tar.extractall(scratch, filter="data")  # refuses absolute paths and "..": a hostile archive stays put
            folder = Path(scratch)
            try:
                manifest = json.loads((folder / "manifest.json").read_text())
            except FileNotFoundError:
                raise CommandError(f"{source} is not a TCMS backup (no manifest.json).")
            missing = sorted(set(manifest["migrations"]) - set(applied_migrations()))
            if missing:
                raise CommandError("Run `python manage.py migrate` first; this database lacks migrations the backup "
                                   f"was taken with: {', '.join(missing[:10])}")
            in_use = [label for label in IN_USE if apps.get_model(label)._default_manager.exists()]
            if in_use and not replace:
                raise CommandError("This database already holds data; add --replace to overwrite it with the backup.")
            fixture = folder / "data.json"
            # The backup holds the audit trail as it was: loading must not add history rows of its own.
            with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False):
                # Empty every table (also rows that migrations seed), then load the backup with its own keys.
                call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
                call_command("loaddata", str(fixture), verbosity=0)
            for name, target in (("private", settings.PRIVATE_ROOT), ("media", settings.MEDIA_ROOT)):
                if (folder / name).is_dir():
                    shutil.copytree(folder / name, Path(target), dirs_exist_ok=True)
            # A backup taken before the files were private holds them under media/.
            relocate_files(private_file_names(apps), source=settings.MEDIA_ROOT, target=settings.PRIVATE_ROOT)
        total = sum(manifest["counts"].values())
        self.stdout.write(f"restored {total} rows from {source} (taken {manifest['created_at']})")
