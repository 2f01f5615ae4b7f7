"""Reading the CSV and XLSX files people bring (DESIGN.md section 5), with errors that name row and column.

Rules shared by every import: a header row; column order free; missing columns and extra columns refused
with a message; UTF-8 (a byte-order mark is accepted); XLSX: the first sheet; dates ISO YYYY-MM-DD;
periods YYYY-MM; amounts with a dot as decimal separator. Row numbers are those a spreadsheet shows
(the header is row 1).
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str | None
    message: str

    def __str__(self):
        where = []
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("column “%(column)s”") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class CellError(ValueError):
    """A bad value in one cell; the reader adds row and column."""


class TableError(Exception):
    def __init__(self, errors: Iterable[RowError]):
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _normalise_header(value) -> str:
    return str(value if value is not None else "").strip().lstrip("\ufeff").strip().lower()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise TableError([RowError(None, None, _("The file is not a readable XLSX workbook (%(error)s).") % {
            "error": exc.__class__.__name__})])
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError([RowError(None, None, _("The file is not UTF-8 text (byte %(position)s).") % {
            "position": exc.start})])
    if "\x00" in text:
        # A NUL is never part of a real table (it marks a binary file), and PostgreSQL cannot store it in text.
        raise TableError([RowError(None, None, _("The file contains NUL characters (byte %(position)s): it is not a "
                                                 "CSV text file.") % {"position": data.index(b"\x00")})])
    yield from csv.reader(io.StringIO(text, newline=""))


def read_source(source) -> tuple[bytes, str]:
    """(content, file name) of bytes, a path or an open/uploaded file (read from its start); bytes have no name."""
    if isinstance(source, (str, Path)):
        return Path(source).read_bytes(), Path(source).name
    if isinstance(source, bytes):
        return source, ""
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read(), Path(getattr(source, "name", "") or "").name


def read_table(source, *, required: Iterable[str], optional: Iterable[str] = (), filename: str = "") -> Table:
    """Read a CSV or XLSX file (bytes, a path or an uploaded file) into rows of {column: text}."""
    data, source_name = read_source(source)
    filename = filename or source_name
    required = [c.lower() for c in required]
    allowed = set(required) | {c.lower() for c in optional}
    is_xlsx = data.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx")
    rows = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    try:
        header = next(rows, None)
    except csv.Error as exc:
        raise TableError([RowError(1, None, str(exc))])
    if not header or not any(_normalise_header(h) for h in header):
        raise TableError([RowError(None, None, _("The file is empty: it needs a header row."))])
    columns = [_normalise_header(h) for h in header]
    errors = []
    missing = [c for c in required if c not in columns]
    if missing:
        errors.append(RowError(1, None, _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}))
    extra = [c for c in columns if c and c not in allowed]
    if extra:
        errors.append(RowError(1, None, _("Unknown column(s): %(columns)s. Allowed: %(allowed)s.") % {
            "columns": ", ".join(extra), "allowed": ", ".join(sorted(allowed))}))
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicated:
        errors.append(RowError(1, None, _("Column(s) given twice: %(columns)s.") % {"columns": ", ".join(duplicated)}))
    if errors:
        raise TableError(errors)
    table = Table(columns=columns)
    try:
        for number, values in enumerate(rows, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(columns) and any(v.strip() for v in values[len(columns):]):
                errors.append(RowError(number, None, _("More values than columns.")))
                continue
            record = {c: (values[i].strip() if i < len(values) else "") for i, c in enumerate(columns) if c}
            table.rows.append((number, record))
    except csv.Error as exc:
        errors.append(RowError(None, None, str(exc)))
    if errors:
        raise TableError(errors)
    return table


# ---------------------------------------------------------------- cell parsers (raise CellError)

# ASCII digits only (\d would also admit other scripts' digits) and no trailing newline ($ would).
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PERIOD_RE = re.compile(r"([0-9]{4})-([0-9]{2})")
_DECIMAL_RE = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def parse_date(value: str, *, required: bool = True) -> dt.date | None:
    if not value:
        if required:
            raise CellError(_("A date is required (YYYY-MM-DD)."))
        return None
    if not _DATE_RE.fullmatch(value):
        raise CellError(_("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": value})
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CellError(_("“%(value)s” is not a real date.") % {"value": value})


def parse_period(value: str) -> dt.date:
    """YYYY-MM → the first day of that month."""
    match = _PERIOD_RE.fullmatch(value or "")
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        raise CellError(_("“%(value)s” is not a period in the form YYYY-MM.") % {"value": value})
    return dt.date(int(match[1]), int(match[2]), 1)


def parse_decimal(value: str, *, allow_negative: bool = True, max_digits: int = 16, places: int = 2) -> Decimal:
    if not value:
        raise CellError(_("An amount is required."))
    if "," in value:
        raise CellError(_("“%(value)s”: use a dot as decimal separator and no thousands separator.") % {"value": value})
    if not _DECIMAL_RE.fullmatch(value):
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    if not allow_negative and number < 0:
        raise CellError(_("“%(value)s”: the amount cannot be negative.") % {"value": value})
    integer_digits = len(str(abs(int(number))))
    if integer_digits > max_digits - places:
        raise CellError(_("“%(value)s” is too large.") % {"value": value})
    return number.quantize(Decimal(1).scaleb(-places))


def parse_int(value: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    if not re.fullmatch(r"-?[0-9]+", value or ""):
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": value})
    number = int(value)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise CellError(_("%(value)s is out of range (%(minimum)s–%(maximum)s).") % {
            "value": number, "minimum": minimum, "maximum": maximum})
    return number


def parse_choice(value: str, choices: Iterable[str]) -> str:
    options = list(choices)
    normalised = (value or "").strip().upper()
    if normalised not in options:
        raise CellError(_("“%(value)s” is not one of %(options)s.") % {"value": value, "options": ", ".join(options)})
    return normalised
