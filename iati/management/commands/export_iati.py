"""python manage.py export_iati [--status S …] [--since YYYY-MM-DD] --out FILE"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from iati.export import NOTHING_MATCHES, write_activities_xml
from iati.filters import IatiActivityFilterSet
from projects.models import Project, ProjectStatus


class Command(BaseCommand):
    help = "Write the portfolio as an IATI 2.03 activity file (streamed: memory stays flat)."

    def add_arguments(self, parser):
        parser.add_argument("--status", action="append", default=[], choices=ProjectStatus.values,
                            help="Only projects with this status (repeatable).")
        parser.add_argument("--since", help="Only projects updated on or after this date (YYYY-MM-DD).")
        parser.add_argument("--out", required=True, help="The XML file to write.")

    def handle(self, *args, status, since, out, **options):
        query = QueryDict(mutable=True)
        query.setlist("status", status)
        if since:
            query["since"] = since
        filterset = IatiActivityFilterSet(query, queryset=Project.objects.all())
        if not filterset.is_valid():
            problems = "; ".join(f"--{field}: {' '.join(errors)}" for field, errors in filterset.errors.items())
            raise CommandError(problems)
        if not filterset.qs.exists():
            raise CommandError(f"{NOTHING_MATCHES} Nothing written.")
        started = time.perf_counter()
        path = Path(out)
        partial = path.with_name(path.name + ".partial")
        # Written beside the target and renamed at the end: a failed run never leaves half a file under its name.
        with partial.open("wb") as handle:
            count = write_activities_xml(handle, filterset.qs)
        partial.replace(path)
        self.stdout.write(f"{count} activities written to {path} in {time.perf_counter() - started:.1f} s")
