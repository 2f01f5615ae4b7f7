"""Import memory against file size: python -m bench.import_memory  (PostgreSQL from DATABASE_URL; SQLite refused).

Does the memory of an import grow with its file? The database named in DATABASE_URL is replaced by
`tcms_bench_import`, seeded once (kept between runs; --reseed forces a new seed) with the demo register of
--projects projects and the EUR and CHF rates of 1999-2003. Expenditure files of each --rows size are written (CSV,
and XLSX with --xlsx) with distinct lines over the projects' bookable months, types of input and currencies, and each
is imported through delivery.services.financial_import from its path, as the import job and `import_financials` do,
in a fresh child process so that each measure is its own:
- `check`: the dry run (what the job's check step runs: every row parsed, looked up, checked, its plan kept for the
  preview, capped as the page keeps it);
- `apply`: the real import (every line written with its rollups; rolled back afterwards, so runs stay comparable).
For each: `peak_tracemalloc_mb`, the most Python memory held at once during the import (tracemalloc, started after
a warm-up import of ten rows), `peak_rss_mb` / `baseline_rss_mb` (VmHWM / RSS before the import), the seconds and
the outcome. The baseline, in the same run: `rows_held_mb`, the Python memory the file's rows take once read into
a list (what an import that holds its rows, as this one did before it streamed, holds at least). Ratios:
`growth` is the peak at the largest size over the peak at the smallest (the rows grow --rows[-1]/--rows[0] times),
`held_over_peak` the rows held over the import's peak at the largest size. Prints one JSON object.
"""

import argparse
import datetime as dt
import json
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench.common import bench_database_url, django_setup, log, peak_rss_mb, prepare_database, run_child

BENCH_DATABASE = "tcms_bench_import"
SEEDED_MARK = "bench.import_memory seeded with {} projects"
COLUMNS = ["project_symbol", "period", "input_type", "currency", "amount"]
# The months the seeded rates cover that the demo projects may book (bench.delivery's import uses them too).
FIRST_MONTH, MONTHS = dt.date(2002, 2, 1), 23


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return round(int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1048576, 1)


def _seed(projects: int) -> None:
    from django.core.management import call_command

    from delivery.models import ExchangeRate
    from projects.demo import seed_register

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    seed_register(seed=1, projects=projects, log=log)
    ExchangeRate.objects.bulk_create(
        [ExchangeRate(currency=currency, period=dt.date(year, month, 1), units_per_usd=rate + month / 200)
         for currency, rate in (("EUR", 0.92), ("CHF", 1.55)) for year in range(1999, 2004) for month in range(1, 13)],
        ignore_conflicts=True)
    log(f"seeded in {time.perf_counter() - started:.1f} s")


def _lines(rows: int) -> list[list[str]]:
    """`rows` distinct expenditure lines (project, month, type of input, currency) the seeded projects may book."""
    from delivery.import_checks import project_periods
    from projects.models import InputType, Project

    codes = list(InputType.objects.order_by("sort_order", "code").values_list("code", flat=True))
    projects = list(Project.objects.order_by("id").values_list("id", "symbol"))
    bookable = project_periods([pid for pid, _symbol in projects], 2000)
    lines = []
    for offset in range(MONTHS):
        months = FIRST_MONTH.year * 12 + FIRST_MONTH.month - 1 + offset
        day = dt.date(months // 12, months % 12 + 1, 1)
        for index, (pid, symbol) in enumerate(projects):
            if not bookable[pid][0] <= day <= bookable[pid][1]:
                continue
            for code in codes:
                for currency in ("USD", "EUR"):
                    if len(lines) == rows:
                        return lines
                    amount = f"{(index * 37 + len(lines)) % 9000 + 100}.50"
                    lines.append([symbol, f"{day:%Y-%m}", code, currency, amount])
    raise SystemExit(f"The seeded projects book only {len(lines)} distinct lines; seed more (--projects).")


def _write(lines: list[list[str]], path: Path) -> None:
    if path.suffix == ".csv":
        import csv

        with path.open("w", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(lines)
        return
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(COLUMNS)
    for line in lines:
        sheet.append(line)
    workbook.save(path)


def _child(step: str, path: str) -> dict:
    from django.db import transaction

    from core.tabular import read_table
    from delivery.services import LAYOUTS, financial_import

    warm_up = Path(path).with_name("warm-up.csv")
    _write(_lines(10), warm_up)
    financial_import(kind="expenditure", source=warm_up, dry_run=True)  # modules, translations, caches loaded
    baseline = _current_rss_mb()
    tracemalloc.start()
    started = time.perf_counter()
    if step == "held":
        rows = list(read_table(Path(path), required=LAYOUTS["expenditure"]).rows)
        outcome = {"rows": len(rows)}
    else:
        with transaction.atomic():
            result = financial_import(kind="expenditure", source=Path(path), dry_run=step == "check")
            transaction.set_rollback(True)
        outcome = {"ok": result.ok, "rows": result.rows_total, "created": result.created,
                   "first_error": str(result.errors[0]) if result.errors else ""}
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {**outcome, "seconds": round(seconds, 2), "peak_tracemalloc_mb": round(peak / 1048576, 2),
            "baseline_rss_mb": baseline, "peak_rss_mb": peak_rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--rows", default="10000,100000", help="the file sizes, in rows (comma-separated)")
    parser.add_argument("--xlsx", action="store_true", help="also import the files as XLSX")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("STEP", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = bench_database_url(BENCH_DATABASE, "bench.import_memory")
    if args.child:
        django_setup(url)
        print(json.dumps(_child(*args.child)))
        return
    must_seed = prepare_database(url, mark=SEEDED_MARK.format(args.projects), reseed=args.reseed)
    django_setup(url)
    if must_seed:
        _seed(args.projects)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute(f'COMMENT ON DATABASE "{BENCH_DATABASE}" IS %s', [SEEDED_MARK.format(args.projects)])
    else:
        log(f"{args.projects} projects already seeded: kept")
    sizes = [int(rows) for rows in args.rows.split(",")]
    formats = [".csv", ".xlsx"] if args.xlsx else [".csv"]
    results = {"projects": args.projects}
    with tempfile.TemporaryDirectory() as folder:
        for suffix in formats:
            by_size = {}
            for rows in sizes:
                path = Path(folder, f"expenditure-{rows}{suffix}")
                _write(_lines(rows), path)
                figures = {"file_mb": round(path.stat().st_size / 1048576, 2)}
                for step in ("held", "check", "apply"):
                    figures[step] = run_child("bench.import_memory", "--child", step, str(path))
                    log(f"{path.name} {step}: {figures[step]}")
                by_size[rows] = figures
            small, large = by_size[sizes[0]], by_size[sizes[-1]]
            results[suffix.lstrip(".")] = {
                **{f"{rows}_rows": {"file_mb": figures["file_mb"],
                                    "rows_held_mb": figures["held"]["peak_tracemalloc_mb"],
                                    "check": figures["check"], "apply": figures["apply"]}
                   for rows, figures in by_size.items()},
                "rows_ratio": round(sizes[-1] / sizes[0], 1),
                "growth": {step: round(large[step]["peak_tracemalloc_mb"] / small[step]["peak_tracemalloc_mb"], 2)
                           for step in ("held", "check", "apply")},
                "held_over_peak": {step: round(large["held"]["peak_tracemalloc_mb"]
                                               / large[step]["peak_tracemalloc_mb"], 1)
                                   for step in ("check", "apply")},
            }
    results["load_average"] = [round(load, 2) for load in os.getloadavg()]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
