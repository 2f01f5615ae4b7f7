"""python manage.py load_reference: the reference data of fixtures/ (idempotent: a second run changes nothing)."""

from django.core.management.base import BaseCommand

from projects.services import load_reference


class Command(BaseCommand):
    help = "Load the programme framework, regions, countries, Conventions, sources of funds, types of input, units."

    def handle(self, *args, verbosity=1, **options):
        summary = load_reference()
        if verbosity < 1:
            return
        if not summary.changed:
            self.stdout.write("Reference data already up to date.")
            return
        for label, counts in (("created", summary.created), ("updated", summary.updated)):
            for name, count in sorted(counts.items()):
                self.stdout.write(f"  {name}: {count} {label}")
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
