"""python manage.py delivery_table --year Y [--as-of DATE] --by DIMENSION [--format csv|table]

Prints delivery_by() of delivery/selectors.py: the same figures the dashboard and the API show. Where a project
counts in several rows (--by country, theme, principle, convention), the TOTAL counts it once and a line under it
says the rows overlap.
"""

import csv
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from core.security import spreadsheet_safe_row
from delivery.selectors import DIMENSIONS, delivery_by, delivery_total, overlap_note

HEADER = ["group", "allocation_usd", "expenditure_usd", "delivery_rate"]


def _rate(value) -> str:
    return "" if value is None else f"{value:.4f}"


class Command(BaseCommand):
    help = "Allocation, expenditure and delivery rate of a year, grouped by a dimension, then a TOTAL row."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD: only expenditure of months up to this date's.")
        parser.add_argument("--by", dest="dimension", required=True, choices=list(DIMENSIONS))
        parser.add_argument("--format", dest="fmt", choices=["csv", "table"], default="csv")

    def handle(self, *args, year, as_of, dimension, fmt, **options):
        try:
            as_of_date = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise CommandError(f"--as-of {as_of!r} is not a date YYYY-MM-DD")
        rows = delivery_by(dimension=dimension, year=year, as_of=as_of_date)
        lines = [[r.group_label, f"{r.allocation_usd:.2f}", f"{r.expenditure_usd:.2f}", _rate(r.delivery_rate)]
                 for r in rows]
        total = delivery_total(dimension=dimension, year=year, as_of=as_of_date, rows=rows)
        lines.append(["TOTAL", f"{total.allocation_usd:.2f}", f"{total.expenditure_usd:.2f}",
                      _rate(total.delivery_rate)])
        note = str(overlap_note(dimension))
        if fmt == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(HEADER)
            writer.writerows(spreadsheet_safe_row(line) for line in lines)
            if note:
                writer.writerow([note])
            return
        widths = [max(len(str(line[i])) for line in [HEADER, *lines]) for i in range(4)]
        for line in [HEADER, *lines]:
            self.stdout.write("  ".join(str(v).ljust(widths[0]) if i == 0 else str(v).rjust(widths[i])
                                        for i, v in enumerate(line)))
        if note:
            self.stdout.write(note)
