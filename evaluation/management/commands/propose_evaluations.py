"""python manage.py propose_evaluations [--project SYMBOL] [--dry-run]: plan what the budget rules require."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import clock
from evaluation import selectors, services
from projects.models import Project


class Command(BaseCommand):
    help = "Create the planned evaluations that projects' budgets require and that are not planned yet (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--project", help="only this project (its symbol)")
        parser.add_argument("--dry-run", action="store_true", help="list what would be created, create nothing")

    def handle(self, *args, project=None, dry_run=False, **options):
        target = None
        if project:
            target = Project.objects.filter(symbol=project).first()
            if target is None:
                raise CommandError(f"No project with the symbol {project}.")
        with transaction.atomic():
            created = services.evaluation_plan_propose(project=target)
            for evaluation in created:
                self.stdout.write(f"  {evaluation.planned_date}  {evaluation.title}")
            if dry_run:
                transaction.set_rollback(True)
        verb = "would be created" if dry_run else "created"
        self.stdout.write(self.style.SUCCESS(f"{len(created)} planned evaluation(s) {verb}."))
        late = [row for row in selectors.evaluation_gaps(as_of=clock.today()) if row[1] == selectors.RED]
        if late:
            self.stdout.write(f"{len(late)} project(s) have overdue evaluations (see the evaluation plan).")
