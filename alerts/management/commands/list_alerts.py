import csv
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from alerts import selectors
from alerts.models import AlertState
from core.security import spreadsheet_safe_row


class Command(BaseCommand):
    help = "Print alerts as CSV: project_symbol,rule,severity,state,raised_on."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of",
                            help="Only the alerts of that date's period (year) raised on or before it (YYYY-MM-DD).")
        parser.add_argument("--state", choices=[state.lower() for state in AlertState.values],
                            help="Only alerts in this state.")
        parser.add_argument("--format", dest="output_format", choices=["csv"], default="csv")

    def handle(self, *args, as_of=None, state=None, output_format="csv", **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise CommandError(f"--as-of: “{as_of}” is not a date (YYYY-MM-DD).")
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["project_symbol", "rule", "severity", "state", "raised_on"])
        for row in selectors.alert_rows(as_of=day, state=state.upper() if state else None):
            writer.writerow(spreadsheet_safe_row(row))
