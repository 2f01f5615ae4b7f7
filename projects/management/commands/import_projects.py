"""python manage.py import_projects FILE [--dry-run]: the project register from CSV or XLSX (columns: README).
python manage.py import_projects experts|training|progress_reports FILE [--dry-run]: a kind of project record.

Run by an operator on the server, so as a system actor (no user): the per-project edit rule that the import page
applies to each row is not asked here (projects/services.py). The file is read from its path a row at a time."""

from argparse import SUPPRESS

from django.core.management.base import BaseCommand, CommandError

from core.uploads import command_file
from projects.services import RECORD_LAYOUTS, project_import, record_import


class Command(BaseCommand):
    help = ("Import projects (or, given a kind first, experts, training activities or progress reports) from a CSV or "
            "XLSX file; all rows or none; re-importing a symbol (or a record's key) updates it.")

    def add_arguments(self, parser):
        parser.add_argument("kind_or_file", metavar="[KIND] FILE",
                            help=f"the register's file, or a kind of record ({', '.join(RECORD_LAYOUTS)}) then "
                                 "its file")
        parser.add_argument("file", nargs="?", help=SUPPRESS)
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, writing nothing")

    def handle(self, *args, kind_or_file, file, dry_run, **options):
        if file is None:
            return self._import_register(kind_or_file, dry_run)
        if kind_or_file not in RECORD_LAYOUTS:
            raise CommandError(f"Unknown kind {kind_or_file!r}: one of {', '.join(RECORD_LAYOUTS)}")
        path = command_file(file)
        result = record_import(kind=kind_or_file, source=path, filename=path.name, dry_run=dry_run)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} error(s): nothing imported.")
        self.stdout.write(result.summary())
        return None

    def _import_register(self, file, dry_run):
        path = command_file(file)
        result = project_import(source=path, filename=path.name, dry_run=dry_run)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} error(s): nothing imported.")
        verb = "would be" if dry_run else "were"
        self.stdout.write(f"{result.rows_total} rows: {result.count('create')} projects {verb} created, "
                          f"{result.count('update')} updated, {result.count('unchanged')} unchanged.")
        for plan in result.plans:
            if plan.action == "update":
                self.stdout.write(f"  row {plan.row} {plan.symbol}: " + "; ".join(plan.changes))
        if result.donors_created:
            self.stdout.write(f"Donor organisations {verb} created: {', '.join(result.donors_created)}")
        if dry_run:
            self.stdout.write("Dry run: nothing written.")
        else:
            self.stdout.write(self.style.SUCCESS("Import done."))
