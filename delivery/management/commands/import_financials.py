"""python manage.py import_financials KIND FILE [--dry-run] — the same service as the upload page.

A dry run lists what each row would do (create, replace with the old value, unchanged), the first PLAN_ROWS rows
unless --verbosity 2 asks for all. The file is read from its path a row at a time, never whole.

Run by an operator on the server, so as a system actor (user=None): the rows' projects and the rates are not asked
about, as they are for a user of the page (delivery/services.py)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.uploads import TABLE, check_file
from delivery.services import FINANCIAL_KINDS, financial_import

PLAN_ROWS = 200


class Command(BaseCommand):
    help = "Import allocations, expenditure, exchange rates or approvals from a CSV or XLSX file (all-or-nothing)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=FINANCIAL_KINDS)
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and show the counts; write nothing.")

    def handle(self, *args, kind, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            checked = check_file(path, TABLE)
        except (OSError, ValidationError) as exc:
            raise CommandError(f"{path.name}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
        result = financial_import(kind=kind, source=checked, filename=checked.name, user=None, dry_run=dry_run,
                                  plan_rows=None if options["verbosity"] >= 2 else PLAN_ROWS)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} error(s) in {path.name}: nothing was imported.")
        for plan in result.plans:
            changes = "; ".join(plan["changes"])
            self.stdout.write(f"row {plan['row']}: {plan['key']}: {plan['action']} {changes}".rstrip())
        if len(result.plans) < result.plans_total:
            self.stdout.write(f"… and {result.plans_total - len(result.plans)} more rows (--verbosity 2 lists them "
                              "all).")
        self.stdout.write(result.summary())
