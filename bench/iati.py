"""IATI export at scale: python -m bench.iati --projects N  (PostgreSQL from DATABASE_URL; SQLite refused).

The database named in DATABASE_URL is replaced by `tcms_bench_iati`, so the benchmark never touches a working
database. Unless it already holds N projects (kept between runs; --reseed forces a new seed) it is dropped,
created, migrated and seeded with the demo steps (projects.demo.seed_register, delivery.demo.seed_delivery,
evaluation.demo.seed_results) for N projects.

Then the export runs twice, each time in a fresh child process so that its peak memory is its own (the seeding
process has grown large): for the first N/10 projects and for all N. Peak memory is the child's peak resident
set size (VmHWM from /proc/self/status), i.e. what the operating system really gave the process, Django and its
imports included; `baseline_mb` is the RSS right before exporting. Prints one JSON object.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

BENCH_DATABASE = "tcms_bench_iati"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench.iati needs PostgreSQL: set DATABASE_URL=postgres://user:password@host:port/any "
              f"(the database {BENCH_DATABASE} is used).", file=sys.stderr)
        sys.exit(2)
    return urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DATABASE}"))


SEEDED_MARK = "bench.iati seeded with {} projects"


def _seed_mark(url: str) -> str | None:
    """The comment a complete seed leaves on the database (a seed that failed half-way leaves none)."""
    import psycopg

    try:
        with psycopg.connect(url) as connection:
            return connection.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                                      "WHERE datname = current_database()").fetchone()[0]
    except psycopg.Error:
        return None


def _prepare_database(url: str, *, projects: int, reseed: bool) -> bool:
    """Keep a database already seeded with N projects; else start from a new, empty one (migrations may have
    changed since it was made). Returns whether it must be seeded."""
    import psycopg

    if not reseed and _seed_mark(url) == SEEDED_MARK.format(projects):
        return False
    maintenance = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}"')
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    return True


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tcms.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def _peak_rss_mb() -> float:
    """VmHWM, the peak RSS of this process image. Not getrusage's ru_maxrss: Linux carries the parent's peak
    over fork and exec into it, so a child of the (large) seeding process would report the parent's figure."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)  # kB
    raise RuntimeError("no VmHWM in /proc/self/status")


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 1048576, 1)


def _seed(projects: int) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from delivery.demo import seed_delivery
    from evaluation.demo import seed_results
    from projects.demo import seed_register
    from projects.services import load_reference

    load_reference()
    timings = {}
    for name, step in (("register", seed_register), ("delivery", seed_delivery), ("results", seed_results)):
        started = time.perf_counter()
        step(seed=1, projects=projects, log=_log)
        timings[name] = round(time.perf_counter() - started, 1)
        _log(f"{name} seeded in {timings[name]} s")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(f'COMMENT ON DATABASE "{BENCH_DATABASE}" IS %s', [SEEDED_MARK.format(projects)])
    return {"seeded": True, "seed_seconds": timings}


def _export_child(limit: int, out: str) -> None:
    """Runs in the child process: export the first `limit` projects and print the figures."""
    from iati.export import write_activities_xml
    from projects.models import Project

    ids = Project.objects.order_by("id").values_list("id", flat=True)
    last_id = ids[limit - 1]
    baseline = _current_rss_mb()
    started = time.perf_counter()
    with open(out, "wb") as handle:
        activities = write_activities_xml(handle, Project.objects.filter(id__lte=last_id))
    print(json.dumps({"activities": activities, "seconds": round(time.perf_counter() - started, 2),
                      "peak_mb": _peak_rss_mb(), "baseline_mb": baseline,
                      "file_mb": round(os.path.getsize(out) / 1048576, 1)}))


def _run_child(limit: int, out: str) -> dict:
    result = subprocess.run([sys.executable, "-m", "bench.iati", "--child-export", str(limit), "--out", out],
                            capture_output=True, text=True, check=False)
    if result.returncode:
        _log(result.stderr)
        raise SystemExit(result.returncode)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--out", default="var/bench-iati-activities.xml")
    parser.add_argument("--child-export", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = _bench_database_url()
    if args.child_export:
        _setup(url)
        _export_child(args.child_export, args.out)
        return
    must_seed = _prepare_database(url, projects=args.projects, reseed=args.reseed)
    _setup(url)
    seeding = _seed(args.projects) if must_seed else {"seeded": False}
    if not must_seed:
        _log(f"{args.projects} projects already seeded: kept")
    tenth = max(1, args.projects // 10)
    small = _run_child(tenth, args.out)
    _log(f"{tenth} activities: {small}")
    full = _run_child(args.projects, args.out)
    print(json.dumps({**full, "projects": args.projects, "out": args.out,
                      "memory": "peak RSS of the exporting process (VmHWM)", "at_tenth": small, **seeding}))


if __name__ == "__main__":
    main()
