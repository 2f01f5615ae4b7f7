"""REST API under load: python -m bench.api  (PostgreSQL from DATABASE_URL; SQLite refused).

The database named in DATABASE_URL is replaced by `tcms_bench_api`, so the benchmark never touches a working
database. Unless it already holds the demo portfolio (kept between runs; --reseed forces a new seed) it is
dropped, created, migrated and seeded with `seed_demo --projects N` (about 1,000 projects by default).

Then gunicorn serves the application with 2 sync workers on 127.0.0.1 (a free port), and, in the same run and
interleaved so both see the same load, it times:
- the API listing 100 projects (`GET /api/v1/projects/?page_size=100`, token authentication: one summary
  row per project with its country codes; partners and tripartite cells are on the detail);
- a plain Django view returning a constant (bench/baseline_wsgi.py wraps the application and answers
  /bench/baseline/ itself, so the baseline goes through the same gunicorn and Django request cycle, middleware
  included, but does no work).
Each is driven by `--clients` concurrent keep-alive clients for `--seconds` seconds (at most `--requests`
requests). Prints one JSON object: list_p50_ms, list_p95_ms, list_rps, baseline_p50_ms, baseline_rps, and the
run's parameters.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.common import bench_database_url, free_port, log, prepare_database, set_seed_mark

BENCH_DATABASE = "tcms_bench_api"
ROOT = Path(__file__).resolve().parent.parent
LIST_PATH = "/api/v1/projects/?page_size=100"
BASELINE_PATH = "/bench/baseline/"
SEEDED_MARK = "bench.api seeded with {} projects"


def _prepare(url: str, *, projects: int, reseed: bool, env: dict) -> None:
    """Keep a database seeded with N projects; else a new one, migrated and seeded by seed_demo."""
    mark = SEEDED_MARK.format(projects)
    if not prepare_database(url, mark=mark, reseed=reseed):
        log(f"{BENCH_DATABASE}: already seeded with {projects} projects")
        return
    manage = [sys.executable, str(ROOT / "manage.py")]
    started = time.perf_counter()
    subprocess.run([*manage, "migrate", "--verbosity", "0"], check=True, env=env, cwd=ROOT)
    subprocess.run([*manage, "seed_demo", "--projects", str(projects), "--seed", "1"], check=True, env=env, cwd=ROOT,
                   stdout=sys.stderr)
    set_seed_mark(url, mark)
    log(f"migrated and seeded in {time.perf_counter() - started:.0f} s")


def _token(env: dict) -> str:
    # Keys are stored hashed: each run makes a new token (replacing the previous run's).
    code = ("from accounts.models import Role, User\n"
            "from accounts.services import api_token_create\n"
            "user, _ = User.objects.get_or_create(username='bench-api', defaults={'role': Role.OFFICER})\n"
            "print(api_token_create(user=user)[1])\n")
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "shell", "-c", code], check=True, env=env,
                            cwd=ROOT, capture_output=True, text=True)
    return result.stdout.strip().splitlines()[-1]


def _wait_until_up(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit code {process.returncode})")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", BASELINE_PATH)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


def _drive(port: int, path: str, headers: dict, *, clients: int, seconds: float, limit: int) -> dict:
    """`clients` threads with a keep-alive connection each, requesting `path` until the time or count runs out."""
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop_at:
            with lock:
                if len(latencies) + len(failures) >= limit:
                    return
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                (latencies if response.status == 200 else failures).append(
                    elapsed if response.status == 200 else response.status)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures or not latencies:
        raise SystemExit(f"{path}: {len(failures)} failed requests (statuses {sorted(set(failures))[:5]})")
    ordered = sorted(latencies)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
            "rps": round(len(ordered) / wall, 1), "requests": len(ordered)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4: 2 per worker)")
    parser.add_argument("--seconds", type=float, default=10.0, help="time per measured round")
    parser.add_argument("--requests", type=int, default=3000, help="at most this many requests per round")
    parser.add_argument("--rounds", type=int, default=2, help="list and baseline rounds, interleaved")
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    url = bench_database_url(BENCH_DATABASE, "bench.api")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tcms.settings", "LOG_LEVEL": "WARNING",
           "DEBUG": "0"}
    _prepare(url, projects=args.projects, reseed=args.reseed, env=env)
    token = _token(env)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bench.baseline_wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--keep-alive", "30"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        _wait_until_up(port, server)
        api_headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        check = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        check.request("GET", LIST_PATH, headers=api_headers)
        first = json.loads(check.getresponse().read())
        _drive(port, LIST_PATH, api_headers, clients=args.clients, seconds=1, limit=50)  # warm both workers
        _drive(port, BASELINE_PATH, {}, clients=args.clients, seconds=1, limit=50)
        rounds = {"list": [], "baseline": []}
        for _ in range(args.rounds):
            rounds["list"].append(_drive(port, LIST_PATH, api_headers, clients=args.clients, seconds=args.seconds,
                                         limit=args.requests))
            rounds["baseline"].append(_drive(port, BASELINE_PATH, {}, clients=args.clients, seconds=args.seconds,
                                             limit=args.requests))
    finally:
        server.terminate()
        server.wait(timeout=30)

    def merged(name: str, key: str) -> float:
        return round(statistics.median(r[key] for r in rounds[name]), 2)

    print(json.dumps({
        "list_p50_ms": merged("list", "p50_ms"), "list_p95_ms": merged("list", "p95_ms"),
        "list_rps": merged("list", "rps"), "baseline_p50_ms": merged("baseline", "p50_ms"),
        "baseline_rps": merged("baseline", "rps"), "list_rows": len(first["results"]),
        "projects_total": first["count"], "list_requests": sum(r["requests"] for r in rounds["list"]),
        "baseline_requests": sum(r["requests"] for r in rounds["baseline"]), "workers": 2,
        "clients": args.clients, "seconds_per_round": args.seconds, "rounds": args.rounds,
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }))


if __name__ == "__main__":
    main()
