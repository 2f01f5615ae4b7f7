"""The IATI codelists we publish codes from, as committed CSV files (code,name); sources in SOURCES.md."""

import csv
from functools import cache
from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent


@cache
def codes(name: str) -> frozenset[str]:
    with (DIRECTORY / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return frozenset(row["code"] for row in csv.DictReader(handle))
