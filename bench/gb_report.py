"""Governing Body report at scale: python -m bench.gb_report --projects N  (PostgreSQL from DATABASE_URL).

The database named in DATABASE_URL is replaced by `tcms_bench_gb`, so the benchmark never touches a working
database. Unless it already holds N projects (kept between runs; --reseed forces a new seed) it is dropped,
created, migrated and seeded with the seed_demo steps (tcms.demo.demo_steps: register, delivery, results, …) for
N projects.

Then the annual report for the demo year (2001, as of the demo's today 2001-10-31) is built in each format (pdf,
docx, xlsx, csv) with reports.services.generate — the function behind the Celery task and export_gb_report —
each in a fresh child process, so the time and peak memory are that format's own: the time covers computing the
tables and writing the file; peak memory is the child's VmHWM (peak resident set size from /proc/self/status,
Django and its imports included). Prints one JSON object with `<format>_s` and `<format>_peak_mb` per format,
the load average and whether all formats carried the same data checksum.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

BENCH_DATABASE = "tcms_bench_gb"
FORMATS = ("pdf", "docx", "xlsx", "csv")
SEEDED_MARK = "bench.gb_report seeded with {} projects"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench.gb_report needs PostgreSQL: set DATABASE_URL=postgres://user:password@host:port/any "
              f"(the database {BENCH_DATABASE} is used).", file=sys.stderr)
        sys.exit(2)
    return urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DATABASE}"))


def _seed_mark(url: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(url) as connection:
            return connection.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                                      "WHERE datname = current_database()").fetchone()[0]
    except psycopg.Error:
        return None


def _prepare_database(url: str, *, projects: int, reseed: bool) -> bool:
    """Keep a database already seeded with N projects; else start from a new, empty one. Returns whether it must
    be seeded."""
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
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)


def _peak_rss_mb() -> float:
    """VmHWM: the peak RSS of this process image (ru_maxrss would carry the seeding parent's peak over fork)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmHWM in /proc/self/status")


def _seed(projects: int) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from projects.services import load_reference
    from tcms.demo import demo_steps

    load_reference()
    timings = {}
    for name, step in demo_steps():
        started = time.perf_counter()
        step(seed=1, projects=projects, log=_log)
        timings[name] = round(time.perf_counter() - started, 1)
        _log(f"{name} in {timings[name]} s")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(f'COMMENT ON DATABASE "{BENCH_DATABASE}" IS %s', [SEEDED_MARK.format(projects)])
    return {"seed_seconds": timings}


def _build_child(fmt: str, out: str) -> None:
    """Runs in the child process: build the annual report in `fmt` and print its figures."""
    from projects.demo import DEMO_AS_OF
    from reports.services import generate

    started = time.perf_counter()
    with open(out, "wb") as handle:
        checksum = generate(kind="annual", fmt=fmt, language="en", out=handle, year=DEMO_AS_OF.year,
                            as_of=DEMO_AS_OF)
    print(json.dumps({"seconds": round(time.perf_counter() - started, 2), "peak_mb": _peak_rss_mb(),
                      "file_kb": round(os.path.getsize(out) / 1024, 1), "checksum": checksum}))


def _run_child(fmt: str, out: str) -> dict:
    result = subprocess.run([sys.executable, "-m", "bench.gb_report", "--child", fmt, "--out", out],
                            capture_output=True, text=True, check=False)
    if result.returncode:
        _log(result.stderr)
        raise SystemExit(result.returncode)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--out", default="var/bench-gb-report", help="file name without extension")
    parser.add_argument("--child", choices=FORMATS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = _bench_database_url()
    if args.child:
        _setup(url)
        _build_child(args.child, args.out)
        return
    must_seed = _prepare_database(url, projects=args.projects, reseed=args.reseed)
    _setup(url)
    seeding = _seed(args.projects) if must_seed else {"seeded": False}
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    figures, checksums = {}, set()
    for fmt in FORMATS:
        child = _run_child(fmt, f"{args.out}.{fmt}")
        _log(f"{fmt}: {child}")
        figures[f"{fmt}_s"], figures[f"{fmt}_peak_mb"] = child["seconds"], child["peak_mb"]
        figures[f"{fmt}_file_kb"] = child["file_kb"]
        checksums.add(child["checksum"])
    print(json.dumps({"projects": args.projects, **figures, "same_checksum": len(checksums) == 1,
                      "load_average": [round(v, 2) for v in os.getloadavg()], "cpus": os.cpu_count(),
                      "memory": "peak RSS of the building process (VmHWM)", **seeding}))


if __name__ == "__main__":
    main()
