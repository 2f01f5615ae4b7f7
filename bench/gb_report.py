"""Governing Body report at scale: python -m bench.gb_report --projects N  (PostgreSQL from DATABASE_URL).

The database named in DATABASE_URL is replaced by `tcms_bench_gb`, so the benchmark never touches a working
database. Unless it already holds N projects (kept between runs; --reseed forces a new seed) it is dropped,
created, migrated and seeded with the seed_demo steps (home.demo.demo_steps: register, delivery, results, …) for
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
import time

from bench.common import bench_database_url, django_setup, log, peak_rss_mb, prepare_database, run_child

BENCH_DATABASE = "tcms_bench_gb"
FORMATS = ("pdf", "docx", "xlsx", "csv")
SEEDED_MARK = "bench.gb_report seeded with {} projects"














def _seed(projects: int) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from home.demo import demo_steps
    from projects.services import load_reference

    load_reference()
    timings = {}
    for name, step in demo_steps():
        started = time.perf_counter()
        step(seed=1, projects=projects, log=log)
        timings[name] = round(time.perf_counter() - started, 1)
        log(f"{name} in {timings[name]} s")
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
    print(json.dumps({"seconds": round(time.perf_counter() - started, 2), "peak_mb": peak_rss_mb(),
                      "file_kb": round(os.path.getsize(out) / 1024, 1), "checksum": checksum}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--out", default="var/bench-gb-report", help="file name without extension")
    parser.add_argument("--child", choices=FORMATS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = bench_database_url(BENCH_DATABASE, "bench.gb_report")
    if args.child:
        django_setup(url)
        _build_child(args.child, args.out)
        return
    must_seed = prepare_database(url, mark=SEEDED_MARK.format(args.projects), reseed=args.reseed)
    django_setup(url)
    seeding = _seed(args.projects) if must_seed else {"seeded": False}
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    figures, checksums = {}, set()
    for fmt in FORMATS:
        child = run_child("bench.gb_report", "--child", fmt, "--out", f"{args.out}.{fmt}")
        log(f"{fmt}: {child}")
        figures[f"{fmt}_s"], figures[f"{fmt}_peak_mb"] = child["seconds"], child["peak_mb"]
        figures[f"{fmt}_file_kb"] = child["file_kb"]
        checksums.add(child["checksum"])
    print(json.dumps({"projects": args.projects, **figures, "same_checksum": len(checksums) == 1,
                      "load_average": [round(v, 2) for v in os.getloadavg()], "cpus": os.cpu_count(),
                      "memory": "peak RSS of the building process (VmHWM)", **seeding}))


if __name__ == "__main__":
    main()
