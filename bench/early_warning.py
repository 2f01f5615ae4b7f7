"""Early-warning scan at scale: python -m bench.early_warning --projects N  (PostgreSQL; database tcms_bench_ew).

Seeds N projects with the demo generators (home.demo: projects.demo.seed_register, delivery.demo.seed_delivery,
evaluation.demo.seed_results when present: allocations and monthly expenditure with the ProjectMonthSpend rollup,
tripartite involvement, progress reports, evaluations and indicators), then times one full scan (every enabled
rule, from no alerts) at the demo as-of date, and a second scan that must change nothing. Prints one JSON
object. The data is kept between runs when the database already holds N projects (--reseed forces a new seed).

DATABASE_URL names the server (user, password, host, port); the database is always tcms_bench_ew, created
when missing, so a benchmark never touches a working database.
"""

import argparse
import json
import os
import time

from bench.common import bench_database_url, django_setup, ensure_database, log

DATABASE = "tcms_bench_ew"
DEFAULT_SERVER = "postgres://tcms:tcms@127.0.0.1:54329/tcms"


def _seed(projects: int, seed: int) -> float:
    from django.core.management import call_command

    from home.demo import demo_steps

    call_command("flush", interactive=False, verbosity=0)
    _reseed_rules()  # flush empties every table, the rows of the data migrations too
    started = time.perf_counter()
    call_command("load_reference", verbosity=0)
    for name, step in demo_steps():  # projects.demo.seed_register, delivery.demo.seed_delivery, evaluation's
        log(f"  {name}")
        step(seed=seed, projects=projects, log=log)
    return time.perf_counter() - started


def _reseed_rules() -> None:
    from importlib import import_module

    from django.apps import apps

    import_module("alerts.migrations.0002_default_rules_and_reasons").seed(apps, None)
    # Without the required-evaluation rules the demo plans no evaluation and EVALUATION_OVERDUE has nothing to do.
    import_module("evaluation.migrations.0002_default_required_evaluation_rules").create_default_rules(apps, None)


def _timed_scan(as_of):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alerts.services import scan

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = scan(as_of=as_of, notify=False)
        elapsed = time.perf_counter() - started
    return result, elapsed, len(captured.captured_queries)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args(argv)

    os.environ.setdefault("DATABASE_URL", DEFAULT_SERVER)
    url = bench_database_url(DATABASE, "bench.early_warning")
    if ensure_database(url):
        log(f"created database {DATABASE}")
    django_setup(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db.models import Count

    from alerts.models import Alert
    from delivery.models import ProjectMonthSpend
    from projects.demo import DEMO_AS_OF
    from projects.models import Project

    seed_s = None
    if args.reseed or Project.objects.count() != args.projects:
        log(f"seeding {args.projects} projects …")
        seed_s = round(_seed(args.projects, args.seed), 1)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    Alert.objects.all().delete()

    first, scan_s, scan_queries = _timed_scan(DEMO_AS_OF)
    second, rescan_s, rescan_queries = _timed_scan(DEMO_AS_OF)
    by_rule = dict(Alert.objects.values_list("rule__code").annotate(n=Count("id")).order_by("rule__code"))
    by_severity = dict(Alert.objects.values_list("severity").annotate(n=Count("id")).order_by("severity"))
    print(json.dumps({
        "projects": Project.objects.count(),
        "month_spend_rows": ProjectMonthSpend.objects.count(),
        "as_of": DEMO_AS_OF.isoformat(),
        "scan_s": round(scan_s, 3),
        "scan_queries": scan_queries,
        "alerts": first.raised,
        "alerts_by_rule": by_rule,
        "alerts_by_severity": by_severity,
        "rule_s": first.rule_seconds,
        "second_scan_s": round(rescan_s, 3),
        "second_scan_queries": rescan_queries,
        "second_scan_changes": second.changed,
        "seed_s": seed_s,
        "database": DATABASE,
    }))


if __name__ == "__main__":
    main()
