"""Create one demo user per role (idempotent) and print their logins."""

from django.core.management.base import BaseCommand

from accounts.services import demo_users_ensure


class Command(BaseCommand):
    help = "Create (or reset) one demo user per role and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="tcms-demo-2026")

    def handle(self, *args, password, **options):
        users = demo_users_ensure(password=password)
        self.stdout.write(f"Demo logins (password: {password}):")
        for user in users:
            self.stdout.write(f"  {user.get_role_display():<28} {user.username}")
