import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from alerts import services
from core import clock


class Command(BaseCommand):
    help = "Evaluate the enabled early-warning rules over the whole portfolio: raise, escalate and resolve alerts."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of",
                            help="The as-of date, YYYY-MM-DD (default: today, i.e. TCMS_TODAY when it is set).")

    def handle(self, *args, as_of=None, **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else clock.today()
        except ValueError:
            raise CommandError(f"--as-of: “{as_of}” is not a date (YYYY-MM-DD).")
        result = services.scan(as_of=day)
        self.stdout.write(json.dumps(result.as_dict()))
