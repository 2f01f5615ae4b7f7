"""Smoke check of a running TCMS: /healthz ok (database, broker, worker) and a task sent runs.

    python -m tcms.smoke --url http://127.0.0.1:8000 --timeout 120

Used by .ci/run after starting the embedded default; exits non-zero with the reason on failure.
"""

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path


def wait_healthy(url: str, deadline: float) -> dict:
    last = {}
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                last = json.loads(response.read())
                if last.get("status") == "ok":
                    return last
        except urllib.error.HTTPError as exc:
            last = json.loads(exc.read() or b"{}")
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = {"error": str(exc)}
        time.sleep(1)
    raise SystemExit(f"/healthz not ok in time: {last}")


def send_probe(deadline: float) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tcms.settings")
    import django

    django.setup()
    from core.tasks import probe

    token = uuid.uuid4().hex
    target = Path(tempfile.gettempdir()) / f"tcms-probe-{token}"
    probe.delay(token, str(target))
    while time.monotonic() < deadline:
        if target.exists() and target.read_text() == token:
            target.unlink()
            return
        time.sleep(0.5)
    raise SystemExit("the probe task sent to the worker did not run in time")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args(argv)
    deadline = time.monotonic() + args.timeout
    health = wait_healthy(args.url.rstrip("/"), deadline)
    print("healthz:", json.dumps(health))
    send_probe(deadline)
    print("probe task: ran on the worker")
    with urllib.request.urlopen(f"{args.url.rstrip('/')}/accounts/login/", timeout=5) as response:
        if response.status != 200 or b"TCMS" not in response.read():
            raise SystemExit("login page did not answer")
    print("login page: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
