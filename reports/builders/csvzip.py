"""A zip of CSV files, one per table (UTF-8 with BOM so spreadsheet programs read accents), plus about.csv with
the report's title, period and data checksum. Values are unrounded; text cells a spreadsheet would run as a
formula (starting with = + - @, tab or carriage return) are prefixed with an apostrophe. Entries carry a fixed
date so the same figures give the same bytes."""

import csv
import io
import re
import zipfile
from decimal import Decimal

from core.security import spreadsheet_safe
from reports.builders import cover_lines
from reports.selectors import GbReport

FIXED_DATE = (2000, 1, 1, 0, 0, 0)


def neutralise(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return spreadsheet_safe(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def file_name(sheet: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", sheet.lower()).strip("_") + ".csv"


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def build(report: GbReport, out, *, plan=None) -> None:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)

        add("about.csv", _csv([[report.title], *[[line] for line in cover_lines(report)]]))
        for table in report.tables:
            add(file_name(table.sheet), _csv([table.headers, *table.rows, *([table.total] if table.total else [])]))
