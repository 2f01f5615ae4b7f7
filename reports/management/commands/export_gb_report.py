import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reports import services
from reports.models import ImplementationPlan, ReportFormat


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from error


class Command(BaseCommand):
    help = ("Build a Governing Body report synchronously (the same builders as the reports page): the annual "
            "report (--year), the mid-term report (--start and --end) or an implementation plan (--plan).")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int)
        parser.add_argument("--start", type=_date, help="mid-term report: first day of the period (YYYY-MM-DD)")
        parser.add_argument("--end", type=_date, help="mid-term report: last day of the period (YYYY-MM-DD)")
        parser.add_argument("--plan", type=int, help="implementation plan id")
        parser.add_argument("--as-of", type=_date, dest="as_of", help="count data up to this date (YYYY-MM-DD)")
        parser.add_argument("--format", required=True, choices=ReportFormat.values)
        parser.add_argument("--lang", default="en", choices=[code for code, _name in settings.LANGUAGES])
        parser.add_argument("--out", required=True, help="file to write")

    def handle(self, *args, year, start, end, plan, as_of, format, lang, out, **options):
        chosen = [name for name, given in (("--year", year), ("--start/--end", start or end), ("--plan", plan))
                  if given]
        if len(chosen) != 1:
            raise CommandError("Give exactly one of --year, --start and --end, or --plan.")
        kind, plan_object = "annual", None
        if start or end:
            if not (start and end):
                raise CommandError("The mid-term report needs both --start and --end.")
            if end < start:
                raise CommandError("--end is before --start.")
            kind = "midterm"
        if plan:
            kind = "plan"
            plan_object = ImplementationPlan.objects.filter(pk=plan).first()
            if plan_object is None:
                raise CommandError(f"No implementation plan {plan}.")
        with open(out, "wb") as handle:
            checksum = services.generate(kind=kind, fmt=format, language=lang, out=handle, year=year,
                                         period_start=start, period_end=end, as_of=as_of, plan=plan_object)
        self.stdout.write(f"{out} written; data checksum {checksum}")
