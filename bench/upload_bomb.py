"""Hostile uploads: python -m bench.upload_bomb  (no database needed).

The attacker's probe (issue "unbounded XLSX expansion"): a 307 KB XLSX whose one shared string unpacks to 300 MB
took the web process from 117 MB to 1.8 GB; 1,000,000 rows in 11.5 MB took 67 s and 794 MB. This benchmark builds
those files (tests/hostile_files.py, the same the tests use), writes them to a temporary folder and hands each to
a fresh child process, so that the memory peak is that file's own:
- `bomb_gate`: the upload gate a page runs on the uploaded file (core.uploads.check_upload), which is what the web
  process does before answering;
- `bomb_reader`, `rows_csv_reader`, `rows_xlsx_reader`: the table reader the import's background check runs
  (core.tabular.read_table), on the bomb and on a million rows of CSV and of XLSX;
- `expenditure_xlsx_reader`: for comparison, a genuine file the limits must keep possible: 100,000 expenditure
  rows written by openpyxl (an XLSX of ~2.4 MB unpacking to ~30 MB), gate and reader, accepted.
For each: whether it was refused, the message (cut), the time, the child's RSS before (`baseline_mb`, Django and
its imports loaded) and its peak (`peak_mb`: VmHWM from /proc/self/status). Prints one JSON object.
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from bench.common import log, peak_rss_mb, run_child

CASES = {
    "bomb_gate": ("bomb.xlsx", "gate"),
    "bomb_reader": ("bomb.xlsx", "reader"),
    "rows_csv_reader": ("rows.csv", "reader"),
    "rows_xlsx_reader": ("rows.xlsx", "reader"),
    "expenditure_xlsx_reader": ("expenditure.xlsx", "gate+reader"),
}
EXPENDITURE_COLUMNS = ["project_symbol", "period", "input_type", "currency", "amount"]
ROWS = 1_000_000


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return round(int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024, 1)


def _child(step: str, path: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tcms.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    import openpyxl  # noqa: F401  (loaded before the baseline, as in a running process)
    from django.core.exceptions import ValidationError
    from django.core.files import File

    from core.tabular import TableError, read_table
    from core.uploads import TABLE, check_upload

    baseline = _current_rss_mb()
    started = time.perf_counter()
    refused, message, rows = False, "", 0
    with open(path, "rb") as handle:
        try:
            if "gate" in step:
                check_upload(File(handle, name=Path(path).name), TABLE)
            if "reader" in step:
                required = EXPENDITURE_COLUMNS if "expenditure" in path else ["symbol"]
                rows = len(read_table(handle.read(), required=required, filename=Path(path).name).rows)
        except ValidationError as exc:
            refused, message = True, " ".join(exc.messages)
        except TableError as exc:
            refused, message = True, str(exc.errors[0])
    return {"refused": refused, "message": message[:160], "rows_read": rows,
            "seconds": round(time.perf_counter() - started, 3),
            "baseline_mb": baseline, "peak_mb": peak_rss_mb()}


def _expenditure_xlsx(rows: int) -> bytes:
    import io

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(EXPENDITURE_COLUMNS)
    for n in range(rows):
        sheet.append([f"RLA/12/{n % 50:02d}/USA", f"2026-{n % 12 + 1:02d}", ("EXPERTS", "TRAINING")[n % 2],
                      ("EUR", "USD", "CHF")[n % 3], f"{n % 99991}.{n % 100:02d}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", nargs=2, metavar=("STEP", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(*args.child)))
        return

    from tests import hostile_files

    with tempfile.TemporaryDirectory() as folder:
        files = {"bomb.xlsx": hostile_files.bomb_xlsx(), "rows.csv": hostile_files.many_rows_csv(ROWS),
                 "rows.xlsx": hostile_files.many_rows_xlsx(ROWS), "expenditure.xlsx": _expenditure_xlsx(100_000)}
        sizes = {}
        for name, content in files.items():
            Path(folder, name).write_bytes(content)
            sizes[name] = len(content)
        log(f"files written: {sizes}")
        results = {"file_bytes": sizes}
        for case, (name, step) in CASES.items():
            results[case] = run_child("bench.upload_bomb", "--child", step, str(Path(folder, name)))
            log(f"{case}: {results[case]}")
    results["load_average"] = [round(load, 2) for load in os.getloadavg()]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
