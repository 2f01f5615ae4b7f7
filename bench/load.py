"""Load: python -m bench.load --users 50 --seconds 60  (gunicorn + PostgreSQL on 127.0.0.1).

Uses its own database, tcms_bench_load, on the PostgreSQL server of DATABASE_URL (created, migrated and seeded
with `seed_demo --projects 1000` on first use; kept for later runs). Starts gunicorn on a free port, signs in
--users simulated people (the demo officer, manager, evaluator, secretariat and admin, in turn) and lets each
loop for --seconds over a mix of: home, delivery dashboard, project list (with a filter or a page), project detail,
alert list, API reads (/api/v1/projects/ and one project), and writes (about 5 %: acknowledging an alert through
the page's form, which a second acknowledgement refuses with 400 — counted as `refused_writes`, not an error).
Each simulated person pauses between clicks, as someone reading a page does (--think-min/--think-max seconds, drawn
uniformly; 1–3 s by default, Locust's customary `between(1, 3)`); `--think-max 0` makes them click without pause,
a stress test of throughput rather than a model of 50 people.
Prints one JSON object: requests, errors (5xx, other unexpected statuses, timeouts, connection failures), p50_ms,
p95_ms, p99_ms, requests_per_second (all without the one sign-in per user, shown under "login") and p95 per kind.
"""

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import requests

from bench.common import bench_database_url, ensure_database, free_port, percentile

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "tcms_bench_load"
DEMO_PASSWORD = "tcms-demo-2026"
DEMO_USERS = ["officer", "manager", "evaluator", "secretariat", "admin"]
REQUEST_TIMEOUT = 30
MAX_REQUESTS_PER_USER = 100_000  # a bound besides time
SIGN_IN_TIMEOUT = 120


def _manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=1800)


def prepare(env: dict, projects: int) -> None:
    _manage(env, "migrate", "--noinput")
    _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    _manage(env, "compile_translations", "--verbosity", "0")
    _manage(env, "load_reference")
    _manage(env, "seed_users")
    _manage(env, "seed_demo", "--projects", str(projects), "--seed", "1", "--if-empty")


def start_gunicorn(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tcms.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread", "--timeout", "60",
         # Longer than the longest pause between clicks: a connection the server closes just as the client reuses
         # it fails (browsers retry that silently; requests does not).
         "--keep-alive", "10",
         "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=5).status_code == 200:
                return process
        except requests.RequestException:
            time.sleep(0.3)
    process.terminate()
    sys.exit("gunicorn did not start in 60 s")


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.refused_writes = 0

    def record(self, kind: str, ms: float, error: str | None = None):
        with self.lock:
            self.timings[kind].append(ms)
            if error:
                self.errors.append(f"{kind}: {error}")


class Clock:
    """The timed phase starts once every user has signed in: 50 password checks at once are not browsing."""

    def __init__(self, users: int):
        self.ready = threading.Semaphore(0)
        self.users = users
        self.go = threading.Event()
        self.stop_at = float("inf")

    def signed_in(self):
        self.ready.release()

    def start(self, seconds: float) -> float:
        deadline = time.monotonic() + SIGN_IN_TIMEOUT
        for _ in range(self.users):
            if not self.ready.acquire(timeout=max(0.0, deadline - time.monotonic())):
                break
        started = time.monotonic()
        self.stop_at = started + seconds
        self.go.set()
        return started


class User(threading.Thread):
    def __init__(self, index: int, base: str, clock: "Clock", results: Results, ids: dict,
                 think: tuple[float, float] = (0.0, 0.0)):
        super().__init__(daemon=True)
        self.think = think
        self.rng = random.Random(index)
        self.username = DEMO_USERS[index % len(DEMO_USERS)]
        self.base, self.clock, self.results, self.ids = base, clock, results, ids
        self.session = requests.Session()

    def _call(self, kind: str, method: str, path: str, *, data=None, ok=(200,)) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self.session.request(method, self.base + path, data=data, timeout=REQUEST_TIMEOUT,
                                             allow_redirects=False)
        except requests.RequestException as exc:
            self.results.record(kind, (time.perf_counter() - started) * 1000, exc.__class__.__name__)
            return None
        ms = (time.perf_counter() - started) * 1000
        if kind == "write" and response.status_code == 400:
            with self.results.lock:
                self.results.refused_writes += 1
            self.results.record(kind, ms)
        elif response.status_code in ok:
            self.results.record(kind, ms)
        else:
            self.results.record(kind, ms, f"{method} {path} → {response.status_code}")
        return response

    def sign_in(self) -> bool:
        page = self._call("login", "GET", "/accounts/login/")
        if page is None:
            return False
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        response = self._call("login", "POST", "/accounts/login/", ok=(302,), data={
            "csrfmiddlewaretoken": token.group(1) if token else "", "username": self.username,
            "password": DEMO_PASSWORD})
        return response is not None and response.status_code == 302

    @property
    def stop_at(self) -> float:
        return self.clock.stop_at

    def run(self):
        signed_in = self.sign_in()
        self.clock.signed_in()
        if not signed_in or not self.clock.go.wait(timeout=SIGN_IN_TIMEOUT + 10):
            return
        projects, alerts = self.ids["projects"], self.ids["alerts"]
        # People do not all arrive in the same second: the first click comes after a first pause.
        self._pause()
        for _ in range(MAX_REQUESTS_PER_USER):
            if time.monotonic() >= self.stop_at:
                return
            self._click(projects, alerts)
            self._pause()

    def _pause(self):
        low, high = self.think
        if high > 0:
            time.sleep(max(0.0, min(self.rng.uniform(low, high), self.stop_at - time.monotonic())))

    def _click(self, projects: list[int], alerts: list[int]):
        roll = self.rng.random()
        if roll < 0.15:
            self._call("dashboard", "GET", "/delivery/")
        elif roll < 0.30:
            query = self.rng.choice(["", "?page=2", "?status=ONGOING", "?q=employment", "?sort=-planned_end"])
            self._call("project_list", "GET", "/projects/" + query)
        elif roll < 0.50:
            self._call("project_detail", "GET", f"/projects/{self.rng.choice(projects)}/")
        elif roll < 0.60:
            self._call("home", "GET", "/")
        elif roll < 0.70:
            self._call("alert_list", "GET", "/alerts/")
        elif roll < 0.85:
            self._call("api_list", "GET", f"/api/v1/projects/?page={self.rng.randint(1, 10)}")
        elif roll < 0.95:
            self._call("api_detail", "GET", f"/api/v1/projects/{self.rng.choice(projects)}/")
        else:
            self._write(alerts)

    def _write(self, alerts: list[int]):
        if not alerts or self.username not in ("admin", "manager", "officer"):
            self._call("alert_detail", "GET", f"/alerts/{self.rng.choice(alerts)}/" if alerts else "/alerts/")
            return
        pk = self.rng.choice(alerts)
        token = self.session.cookies.get("csrftoken", "")
        self._call("write", "POST", f"/alerts/{pk}/acknowledge/", ok=(302, 403),
                   data={"csrfmiddlewaretoken": token})


def _ids(env: dict) -> dict:
    import psycopg

    parts = urlsplit(env["DATABASE_URL"])
    with psycopg.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password,
                         dbname=DATABASE) as conn:
        projects = [r[0] for r in conn.execute("SELECT id FROM projects_project ORDER BY id LIMIT 2000")]
        alerts = [r[0] for r in conn.execute("SELECT id FROM alerts_alert ORDER BY id LIMIT 2000")]
    return {"projects": projects, "alerts": alerts}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--projects", type=int, default=1000, help="demo projects seeded on first use")
    parser.add_argument("--workers", type=int, default=max(2, min(8, (os.cpu_count() or 2))))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--think-min", type=float, default=1.0, help="shortest pause between a user's clicks (s)")
    parser.add_argument("--think-max", type=float, default=3.0, help="longest pause; 0 = no pause (stress)")
    args = parser.parse_args(argv)

    url = bench_database_url(DATABASE, "bench.load")
    ensure_database(url)
    var_dir = Path(os.environ.get("TCMS_BENCH_VAR_DIR", "/tmp/tcms-bench-load"))
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "TCMS_VAR_DIR": str(var_dir), "LOG_LEVEL": "WARNING",
           "CELERY_TASK_ALWAYS_EAGER": "", "ALLOWED_HOSTS": "127.0.0.1,localhost", "DB_CONN_MAX_AGE": "60",
           # 50 simulated people sign in from one address; the lock-out counts failures only, but stay safe.
           "AXES_ENABLED": "0"}
    prepare(env, args.projects)
    ids = _ids(env)
    port = free_port()
    server = start_gunicorn(env, port, args.workers, args.threads)
    results = Results()
    try:
        think = (min(args.think_min, args.think_max), args.think_max)
        clock = Clock(args.users)
        users = [User(i, f"http://127.0.0.1:{port}", clock, results, ids, think) for i in range(args.users)]
        for user in users:
            user.start()
        started = clock.start(args.seconds)
        for user in users:
            user.join(timeout=args.seconds + REQUEST_TIMEOUT + 30)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    # Signing in (once per user, a deliberately slow password hash) is reported apart from the browsing figures.
    every = [ms for kind, values in results.timings.items() if kind != "login" for ms in values]
    print(json.dumps({
        "users": args.users, "seconds": round(elapsed, 1), "projects": len(ids["projects"]),
        "gunicorn": f"{args.workers} workers × {args.threads} threads",
        "think_time_s": [min(args.think_min, args.think_max), args.think_max],
        "requests": len(every), "errors": len(results.errors), "refused_writes": results.refused_writes,
        "requests_per_second": round(len(every) / elapsed, 1) if elapsed else 0,
        "p50_ms": round(statistics.median(every), 1) if every else 0.0,
        "p95_ms": percentile(every, 0.95), "p99_ms": percentile(every, 0.99),
        "p95_ms_by_kind": {kind: percentile(values, 0.95) for kind, values in sorted(results.timings.items())},
        "requests_by_kind": {kind: len(values) for kind, values in sorted(results.timings.items())},
        "error_samples": results.errors[:10],
    }))
    return 0 if not results.errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
