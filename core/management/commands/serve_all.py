"""Start the web server, a Celery worker and Celery beat together; Ctrl-C stops all three.

The embedded default of `make run`: each is a real process (no eager mode), sharing the SQLite
file and the filesystem broker under var/.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and Celery beat until interrupted."

    def add_arguments(self, parser):
        parser.add_argument("--address", default="127.0.0.1:8000")
        parser.add_argument("--concurrency", type=int, default=2)

    def handle(self, *args, address, concurrency, **options):
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        beat_schedule = settings.CELERY_BEAT_SCHEDULE_FILENAME
        commands = {
            "web": [python, manage, "runserver", address, "--noreload"],
            "worker": [python, "-m", "celery", "-A", "tcms", "worker", "-l", "INFO",
                       "--concurrency", str(concurrency), "-n", "worker@%h"],
            "beat": [python, "-m", "celery", "-A", "tcms", "beat", "-l", "INFO", "-s", beat_schedule],
        }
        processes: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for name, command in commands.items():
            # Own process groups, so that one Ctrl-C is handled here once and each child is stopped cleanly.
            processes[name] = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, start_new_session=True)
        self.stdout.write(self.style.SUCCESS(
            f"TCMS is running at http://{address}/  (Ctrl-C stops web, worker and beat)"))
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"{name} exited with code {process.returncode}; stopping the others.")
                        stopping = True
                        break
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 20
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
            self.stdout.write("Stopped web, worker and beat.")
