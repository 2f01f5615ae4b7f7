from django.core.management.base import BaseCommand

from core import outbox


class Command(BaseCommand):
    help = "Send to the broker the tasks kept in the outbox while it was down (beat also does it every minute)."

    def handle(self, *args, **options):
        result = outbox.relay_outbox()
        self.stdout.write(f"sent {result['sent']}, still pending {result['pending']}")
        if result["failed"]:
            self.stderr.write("the broker is still unavailable")
            raise SystemExit(1)
