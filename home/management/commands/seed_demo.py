"""python manage.py seed_demo --projects N --seed S [--if-empty]: a deterministic, realistic demo portfolio."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from home.demo import demo_steps
from projects.models import Project


class Command(BaseCommand):
    help = "Create a deterministic demo portfolio (same seed, same data)."

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=300)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when projects already exist")

    def handle(self, *args, projects, seed, if_empty, **options):
        if if_empty and Project.objects.exists():
            self.stdout.write("Projects exist already: demo data left as it is.")
            return
        call_command("load_reference", verbosity=0)
        started = time.monotonic()
        for name, step in demo_steps():
            step_started = time.monotonic()
            step(seed=seed, projects=projects, log=self.stdout.write)
            self.stdout.write(f"  {name}: {time.monotonic() - step_started:.1f}s")
        self.stdout.write(self.style.SUCCESS(f"Demo data for {projects} projects (seed {seed}) in "
                                             f"{time.monotonic() - started:.1f}s."))
