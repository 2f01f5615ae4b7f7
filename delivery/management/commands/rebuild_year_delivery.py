"""python manage.py rebuild_year_delivery [--year Y ...]

Recomputes the ProjectYearDelivery rollup (what the delivery dashboard reads) from Allocation and ProjectMonthSpend:
after loading data outside the import services, or to repair it. Imports keep it up to date on their own.
"""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from delivery.models import ProjectYearDelivery
from delivery.services import rebuild_year_delivery


class Command(BaseCommand):
    help = "Recompute the year rollup of delivery (allocation and monthly spend per project and year) from scratch."

    def add_arguments(self, parser):
        parser.add_argument("--year", dest="years", type=int, action="append",
                            help="Only this year (repeatable); default: every year.")

    def handle(self, *args, years, **options):
        started = time.perf_counter()
        rows = rebuild_year_delivery(years=years)
        if connection.vendor == "postgresql":
            # Fresh statistics, or the planner keeps the estimates of the table before the rebuild.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(ProjectYearDelivery._meta.db_table)}")
        self.stdout.write(f"{rows} project-year rows rebuilt in {time.perf_counter() - started:.1f} s.")
