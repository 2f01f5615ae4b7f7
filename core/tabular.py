"""Reading the CSV and XLSX files people bring, with errors that name row and column.

Rules shared by every import: a header row; column order free; missing columns and extra columns refused
with a message; UTF-8 (a byte-order mark is accepted); XLSX: the first sheet; dates ISO YYYY-MM-DD;
periods YYYY-MM; amounts with a dot as decimal separator. Row numbers are those a spreadsheet shows
(the header is row 1).

Reading is bounded, so that a small file cannot make the process expand it without limit (settings, README
"Security"): at most TCMS_MAX_IMPORT_ROWS rows after the header, TCMS_MAX_IMPORT_COLUMNS columns and
TCMS_MAX_CELL_CHARS characters a cell; an XLSX is refused before anything is unpacked when its parts declare
more than TCMS_MAX_XLSX_UNCOMPRESSED_BYTES together, TCMS_MAX_XLSX_PART_BYTES one, or are compressed more than
TCMS_MAX_XLSX_COMPRESSION_RATIO times, and its first sheet is counted (rows, cells a row) before openpyxl parses
it. Every cell is checked for the characters TCMS refuses (tcms/text.py). Messages quote the file's text
through `excerpt`, never whole.
"""

import csv
import datetime as dt
import io
import itertools
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.text import first_forbidden_character, forbidden_character_message
from core.zips import open_zip

XLSX_MAGIC = b"PK\x03\x04"
# The parts every workbook has; the first sheet is found through them.
XLSX_REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
XLSX_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
# How much of the file's own text a message quotes.
EXCERPT_CHARS = 60
# Reading stops after this many errors: the first ones are enough to correct a file.
MAX_REPORTED_ERRORS = 1000
# Parts of less than this are not held to the compression ratio (small XML compresses well and is harmless).
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
# The workbook and its relationships are read whole to find the first sheet; they are small in any real file.
MAX_WORKBOOK_PART_BYTES = 4 * 1024 * 1024


def excerpt(value, limit: int = EXCERPT_CHARS) -> str:
    """`value` as text, cut to `limit` characters with an ellipsis: how any message quotes what a file holds."""
    text = str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass(frozen=True)
class Limits:
    rows: int
    columns: int
    cell_chars: int
    xlsx_bytes: int
    xlsx_part_bytes: int
    xlsx_ratio: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(rows=settings.TCMS_MAX_IMPORT_ROWS, columns=settings.TCMS_MAX_IMPORT_COLUMNS,
                   cell_chars=settings.TCMS_MAX_CELL_CHARS, xlsx_bytes=settings.TCMS_MAX_XLSX_UNCOMPRESSED_BYTES,
                   xlsx_part_bytes=settings.TCMS_MAX_XLSX_PART_BYTES,
                   xlsx_ratio=settings.TCMS_MAX_XLSX_COMPRESSION_RATIO)


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


def _refuse(message: str, row: int | None = None, column: str | None = None) -> TableError:
    return TableError([RowError(row, column, message)])


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


@dataclass
class TableImportResult:
    """What importing one file of a kind of record did, or would do (a dry run): the counts, or the errors that
    refused it whole. The financial and the project-record imports share it."""

    kind: str
    file_name: str
    dry_run: bool
    rows_total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    refused: bool = False  # some rows are of projects the user may not change

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        prefix = _("Dry run, nothing written: ") if self.dry_run else ""
        return prefix + _("%(total)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.") % {
            "total": self.rows_total, "created": self.created, "updated": self.updated, "unchanged": self.unchanged}


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


# ---------------------------------------------------------------- XLSX: the zip, then the first sheet


def _not_a_workbook(reason: str = "") -> TableError:
    return _refuse(_("The file is not a readable XLSX workbook (%(error)s).") % {"error": excerpt(reason)})


def check_xlsx_archive(archive: zipfile.ZipFile, limits: Limits | None = None) -> None:
    """Refuse (TableError) a workbook that lacks its required parts, or whose parts would unpack to more than the
    limits allow. Only the sizes the zip declares are read: zipfile never unpacks more than a part declares."""
    limits = limits or Limits.from_settings()
    names = set(archive.namelist())
    missing = [part for part in XLSX_REQUIRED_PARTS if part not in names]
    if missing:
        raise _not_a_workbook(_("it has no %(part)s") % {"part": missing[0]})
    total = 0
    for info in archive.infolist():
        total += info.file_size
        part = excerpt(info.filename)
        if info.file_size > limits.xlsx_part_bytes:
            raise _refuse(_("The workbook is too large once unpacked: its part %(part)s alone holds %(size)s; the "
                            "limit is %(limit)s.") % {"part": part, "size": filesizeformat(info.file_size),
                                                      "limit": filesizeformat(limits.xlsx_part_bytes)})
        if info.file_size > RATIO_CHECKED_FROM_BYTES and info.file_size > limits.xlsx_ratio * max(
                info.compress_size, 1):
            raise _refuse(_("The workbook's part %(part)s is compressed %(ratio)s times, more than a spreadsheet "
                            "ever is (at most %(limit)s times): it is refused as a possible zip bomb.") % {
                "part": part, "ratio": info.file_size // max(info.compress_size, 1), "limit": limits.xlsx_ratio})
    if total > limits.xlsx_bytes:
        raise _refuse(_("The workbook is too large once unpacked (%(size)s); the limit is %(limit)s.") % {
            "size": filesizeformat(total), "limit": filesizeformat(limits.xlsx_bytes)})


def open_xlsx(handle, limits: Limits | None = None) -> zipfile.ZipFile:
    """The zip of an XLSX file (a seekable binary file), checked by check_xlsx_archive; TableError otherwise."""
    try:
        archive = open_zip(handle)
    except zipfile.BadZipFile as exc:
        raise _not_a_workbook(exc.__class__.__name__)
    try:
        check_xlsx_archive(archive, limits)
    except TableError:
        archive.close()
        raise
    return archive


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _small_part(archive: zipfile.ZipFile, name: str):
    from defusedxml.ElementTree import fromstring

    info = archive.getinfo(name)
    if info.file_size > MAX_WORKBOOK_PART_BYTES:
        raise _not_a_workbook(_("its part %(part)s is too large") % {"part": name})
    return fromstring(archive.read(name))


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    """The part holding the workbook's first sheet (the one imported), as the workbook's relationships name it."""
    try:
        workbook = _small_part(archive, "xl/workbook.xml")
        sheet = next((e for e in workbook.iter() if _local_name(e.tag) == "sheet"), None)
        if sheet is None:
            raise _not_a_workbook(_("it has no sheet"))
        relation = next((v for k, v in sheet.attrib.items() if k.startswith("{") and _local_name(k) == "id"), None)
        relations = _small_part(archive, XLSX_WORKBOOK_RELS)
        target = next((e.get("Target") for e in relations.iter()
                       if _local_name(e.tag) == "Relationship" and e.get("Id") == relation), None)
    except TableError:
        raise
    except Exception as exc:  # a missing part, broken XML, a DTD (defusedxml): not a workbook we read
        raise _not_a_workbook(exc.__class__.__name__)
    if not target:
        raise _not_a_workbook(_("its first sheet cannot be found"))
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    if path not in set(archive.namelist()):
        raise _not_a_workbook(_("its first sheet cannot be found"))
    return path


# The start of a row or cell element, with or without a namespace prefix. Text cannot hold "<", so every match
# is an element (comments or CDATA could only add matches, which errs on the side of refusing).
_ROW_OR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c)[\s/>]")
_SCAN_CHUNK = 1024 * 1024
# A tag start closer than this to a chunk's end is carried over to the next chunk.
_SCAN_CARRY = 256


def _count_sheet(archive: zipfile.ZipFile, path: str, limits: Limits) -> None:
    """Count the rows and the cells of each row of the sheet's XML as it streams out of the zip, before openpyxl
    builds anything; refuse past the row or column limit. (openpyxl would parse a whole row, however wide, and
    pad missing rows, however many, before the reader could count them.)"""
    rows = cells = 0
    carry = b""
    with archive.open(path) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            buffer = carry + chunk
            cut = buffer.rfind(b"<")
            if cut < len(buffer) - _SCAN_CARRY:
                cut = len(buffer)
            for match in _ROW_OR_CELL.finditer(buffer, 0, cut):
                if match[1] == b"row":
                    rows += 1
                    cells = 0
                    if rows - 1 > limits.rows:
                        raise _too_many_rows(rows, limits)
                else:
                    cells += 1
                    if cells > limits.columns:
                        raise _too_many_columns(rows, limits)
            carry = buffer[cut:]


def _too_many_rows(row: int, limits: Limits) -> TableError:
    return _refuse(_("The file has more than %(limit)s rows after the header; split it into smaller files.") % {
        "limit": limits.rows}, row=row)


def _too_many_columns(row: int, limits: Limits) -> TableError:
    return _refuse(_("The row has more than %(limit)s columns.") % {"limit": limits.columns}, row=row)


def _xlsx_rows(data: bytes, limits: Limits) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    with open_xlsx(io.BytesIO(data), limits) as archive:
        sheet_path = _first_sheet_path(archive)
        try:
            _count_sheet(archive, sheet_path, limits)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, ValueError) as exc:
            raise _not_a_workbook(exc.__class__.__name__)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise _not_a_workbook(exc.__class__.__name__)
    try:
        sheet = workbook.worksheets[0]
        # Rows as long as their cells, not padded to the size the sheet declares (which the file may inflate).
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # a part that breaks while streaming (bad XML, bad CRC)
                raise _not_a_workbook(exc.__class__.__name__)
            yield [_cell_text(v) for v in values]
    finally:
        workbook.close()


def _csv_rows(data: bytes, limits: Limits) -> tuple[Iterator[list[str]], bool]:
    """The rows of a CSV file, and whether any of its text holds a character TCMS refuses (one search for the
    whole text, so that the rows need to be searched one by one only then). A file with more lines than the row
    limit has its rows counted first, so that it is refused before any row is built."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError([RowError(None, None, _("The file is not UTF-8 text (byte %(position)s).") % {
            "position": exc.start})])
    if "\x00" in text:
        # A NUL is never part of a real table (it marks a binary file), and PostgreSQL cannot store it in text.
        raise TableError([RowError(None, None, _("The file contains NUL characters (byte %(position)s): it is not a "
                                                 "CSV text file.") % {"position": data.index(b"\x00")})])
    if text.count("\n") > limits.rows:
        try:
            counted = sum(1 for _row in itertools.islice(csv.reader(io.StringIO(text, newline="")), limits.rows + 2))
        except csv.Error:
            counted = 0  # the reading below reports it
        if counted > limits.rows + 1:
            raise _too_many_rows(limits.rows + 2, limits)
    return csv.reader(io.StringIO(text, newline="")), first_forbidden_character(text) is not None


def read_source(source) -> tuple[bytes, str]:
    """(content, file name) of bytes, a path or an open/uploaded file (read from its start); bytes have no name."""
    if isinstance(source, (str, Path)):
        return Path(source).read_bytes(), Path(source).name
    if isinstance(source, bytes):
        return source, ""
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read(), Path(getattr(source, "name", "") or "").name


def _cell_errors(number: int, cells: Iterable[tuple[str | None, str]], limits: Limits) -> list[RowError]:
    """A cell longer than the limit, or holding a character TCMS refuses, each as an error naming row and column."""
    errors = []
    for column, value in cells:
        if len(value) > limits.cell_chars:
            errors.append(RowError(number, column, _("The cell holds %(length)s characters; the limit is "
                                                     "%(limit)s.") % {"length": len(value),
                                                                       "limit": limits.cell_chars}))
        elif (found := first_forbidden_character(value)) is not None:
            errors.append(RowError(number, column, forbidden_character_message(*found)))
    return errors


def read_table(source, *, required: Iterable[str], optional: Iterable[str] = (), filename: str = "") -> Table:
    """Read a CSV or XLSX file (bytes, a path or an uploaded file) into rows of {column: text}."""
    data, source_name = read_source(source)
    filename = filename or source_name
    limits = Limits.from_settings()
    required = [c.lower() for c in required]
    allowed = set(required) | {c.lower() for c in optional}
    is_xlsx = data.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx")
    rows, search_characters = (_xlsx_rows(data, limits), True) if is_xlsx else _csv_rows(data, limits)
    try:
        header = next(rows, None)
    except csv.Error as exc:
        raise TableError([RowError(1, None, excerpt(str(exc)))])
    if not header or not any(_normalise_header(h) for h in header):
        raise TableError([RowError(None, None, _("The file is empty: it needs a header row."))])
    if len(header) > limits.columns:
        raise _too_many_columns(1, limits)
    header_errors = _cell_errors(1, [(None, str(h)) for h in header], limits)
    if header_errors:
        raise TableError(header_errors)
    columns = [_normalise_header(h) for h in header]
    errors = []
    missing = [c for c in required if c not in columns]
    if missing:
        errors.append(RowError(1, None, _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}))
    extra = [c for c in columns if c and c not in allowed]
    if extra:
        errors.append(RowError(1, None, _("Unknown column(s): %(columns)s. Allowed: %(allowed)s.") % {
            "columns": ", ".join(excerpt(c) for c in extra), "allowed": ", ".join(sorted(allowed))}))
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicated:
        errors.append(RowError(1, None, _("Column(s) given twice: %(columns)s.") % {
            "columns": ", ".join(excerpt(c) for c in duplicated)}))
    if errors:
        raise TableError(errors)
    table = Table(columns=columns)
    width = len(columns)
    try:
        for number, values in enumerate(rows, start=2):
            if len(errors) >= MAX_REPORTED_ERRORS:
                errors.append(RowError(number, None, _("Too many errors: the file was read up to this row.")))
                break
            if number - 1 > limits.rows:
                errors.append(_too_many_rows(number, limits).errors[0])
                break
            if len(values) > limits.columns:
                errors.append(_too_many_columns(number, limits).errors[0])
                break
            joined = "".join(values)
            if not joined.strip():
                continue
            if len(values) > width and "".join(values[width:]).strip():
                errors.append(RowError(number, None, _("More values than columns.")))
                continue
            if len(values) < width:
                values = values + [""] * (width - len(values))
            record = {c: v.strip() for c, v in zip(columns, values, strict=False) if c}
            # The usual row is checked whole (its longest cell, one search); only a suspect one cell by cell.
            if (len(joined) > limits.cell_chars and max(map(len, values)) > limits.cell_chars) or (
                    search_characters and first_forbidden_character("\t".join(values)) is not None):
                cell_errors = _cell_errors(number, record.items(), limits)
                if cell_errors:
                    errors.extend(cell_errors)
                    continue
            table.rows.append((number, record))
    except csv.Error as exc:
        errors.append(RowError(None, None, excerpt(str(exc))))
    if errors:
        raise TableError(errors)
    return table


class _ReportingRows:
    """Rows that call progress(done, total) about a hundred times while they are gone through (each time)."""

    def __init__(self, rows: Sequence, progress: Callable[[int, int], None]):
        self.rows, self.progress = rows, progress

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        total = len(self.rows)
        step = max(1, total // 100)
        for done, row in enumerate(self.rows, start=1):
            yield row
            if done % step == 0 or done == total:
                self.progress(done, total)


def with_progress(rows: Sequence, progress: Callable[[int, int], None] | None):
    """`rows` as they are, or (given a progress callback) reporting how many of them have been gone through."""
    return rows if progress is None else _ReportingRows(rows, progress)


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
        raise CellError(_("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": excerpt(value)})
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CellError(_("“%(value)s” is not a real date.") % {"value": excerpt(value)})


def parse_period(value: str) -> dt.date:
    """YYYY-MM → the first day of that month."""
    match = _PERIOD_RE.fullmatch(value or "")
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        raise CellError(_("“%(value)s” is not a period in the form YYYY-MM.") % {"value": excerpt(value)})
    return dt.date(int(match[1]), int(match[2]), 1)


def parse_decimal(value: str, *, allow_negative: bool = True, max_digits: int = 16, places: int = 2) -> Decimal:
    if not value:
        raise CellError(_("An amount is required."))
    if "," in value:
        raise CellError(_("“%(value)s”: use a dot as decimal separator and no thousands separator.") % {
            "value": excerpt(value)})
    if not _DECIMAL_RE.fullmatch(value):
        raise CellError(_("“%(value)s” is not a number.") % {"value": excerpt(value)})
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": excerpt(value)})
    if not allow_negative and number < 0:
        raise CellError(_("“%(value)s”: the amount cannot be negative.") % {"value": excerpt(value)})
    integer_digits = max(number.adjusted() + 1, 1)  # not len(str(int(...))): Python refuses > 4300 digits
    if integer_digits > max_digits - places:
        raise CellError(_("“%(value)s” is too large.") % {"value": excerpt(value)})
    return number.quantize(Decimal(1).scaleb(-places))


def parse_int(value: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    if not re.fullmatch(r"-?[0-9]+", value or ""):
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": excerpt(value)})
    # Past 18 digits a number is out of any range used here (and Python refuses int() of > 4300 digits).
    number = int(value) if len(value.lstrip("-")) <= 18 else None
    if number is None or (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise CellError(_("%(value)s is out of range (%(minimum)s–%(maximum)s).") % {
            "value": excerpt(value), "minimum": minimum, "maximum": maximum})
    return number


def parse_choice(value: str, choices: Iterable[str]) -> str:
    options = list(choices)
    normalised = (value or "").strip().upper()
    if normalised not in options:
        raise CellError(_("“%(value)s” is not one of %(options)s.") % {"value": excerpt(value),
                                                                           "options": ", ".join(options)})
    return normalised
