"""python manage.py import_projects FILE [--dry-run]: the project register from CSV or XLSX (columns: README).

Run by an operator on the server, so as a system actor (no user): the per-project edit rule that the import page
applies to each row is not asked here (projects/services.py)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.uploads import TABLE, read_checked_file
from projects.services import project_import


class Command(BaseCommand):
    help = "Import projects from a CSV or XLSX file; all rows or none; re-importing a symbol updates the project."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, writing nothing")

    def handle(self, *args, file, dry_run, **options):
        try:
            data, name = read_checked_file(file, TABLE)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages))
        result = project_import(source=data, filename=name, dry_run=dry_run)
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
