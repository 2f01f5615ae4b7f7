"""Start a real Celery worker in a subprocess for integration tests (bounded in time)."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings


@contextmanager
def running_worker(*, env: dict, log_path: Path, ready_timeout: float = 60):
    command = [sys.executable, "-m", "celery", "-A", "tcms", "worker", "-l", "INFO", "--pool", "solo",
               "-n", f"test-{os.getpid()}@%h", "--without-mingle", "--without-gossip"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env={**os.environ, **env},
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if "ready." in log_path.read_text():
                break
            if process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        else:
            raise RuntimeError(f"worker not ready in {ready_timeout}s:\n{log_path.read_text()[-3000:]}")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def wait_for_file(path: Path, content: str, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text() == content:
            return True
        time.sleep(0.1)
    return False
