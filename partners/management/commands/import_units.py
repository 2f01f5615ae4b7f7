"""python manage.py import_units FILE [--dry-run]: field offices and MDTs from CSV or XLSX.

The file's columns are in the README ("Units and accounts").
Run by an operator on the server, as a system actor (no user)."""

from django.core.management.base import BaseCommand, CommandError

from core.uploads import command_file
from partners.services import units_import


class Command(BaseCommand):
    help = ("Create or update units from a CSV or XLSX file (columns code, name, kind, parent, region, countries); "
            "all rows or none; running it again changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, writing nothing")

    def handle(self, *args, file, dry_run, **options):
        path = command_file(file)
        result = units_import(source=path, filename=path.name, dry_run=dry_run)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} error(s): nothing imported.")
        verb = "would be" if dry_run else "were"
        self.stdout.write(f"{result.rows_total} rows: {result.count('create')} units {verb} created, "
                          f"{result.count('update')} updated, {result.count('unchanged')} unchanged.")
        if dry_run:
            self.stdout.write("Dry run: nothing written.")
        elif not result.count("create") and not result.count("update"):
            self.stdout.write("Nothing to change: the units are already as the file says.")
        else:
            self.stdout.write(self.style.SUCCESS("Import done."))
