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
import time

from bench.common import bench_database_url, django_setup, log, peak_rss_mb, prepare_database, run_child

BENCH_DATABASE = "tcms_bench_iati"






SEEDED_MARK = "bench.iati seeded with {} projects"










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
        step(seed=1, projects=projects, log=log)
        timings[name] = round(time.perf_counter() - started, 1)
        log(f"{name} seeded in {timings[name]} s")
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
                      "peak_mb": peak_rss_mb(), "baseline_mb": baseline,
                      "file_mb": round(os.path.getsize(out) / 1048576, 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--out", default="var/bench-iati-activities.xml")
    parser.add_argument("--child-export", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = bench_database_url(BENCH_DATABASE, "bench.iati")
    if args.child_export:
        django_setup(url)
        _export_child(args.child_export, args.out)
        return
    must_seed = prepare_database(url, mark=SEEDED_MARK.format(args.projects), reseed=args.reseed)
    django_setup(url)
    seeding = _seed(args.projects) if must_seed else {"seeded": False}
    if not must_seed:
        log(f"{args.projects} projects already seeded: kept")
    tenth = max(1, args.projects // 10)
    small = run_child("bench.iati", "--child-export", str(tenth), "--out", args.out)
    log(f"{tenth} activities: {small}")
    full = run_child("bench.iati", "--child-export", str(args.projects), "--out", args.out)
    print(json.dumps({**full, "projects": args.projects, "out": args.out,
                      "memory": "peak RSS of the exporting process (VmHWM)", "at_tenth": small, **seeding}))


if __name__ == "__main__":
    main()
