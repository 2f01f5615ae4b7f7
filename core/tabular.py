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

Reading streams: a file is read from its path or open file a row at a time (CSV through a text stream, XLSX
through openpyxl's read-only mode), never whole into memory; `read_table` checks every row once, keeping none,
and its rows are then read again, lazily, by the import that goes through them.
"""

import csv
import datetime as dt
import hashlib
import io
import itertools
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
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
# Errors and plan rows of a preview kept for the page (its counts cover every row).
PREVIEW_ROWS = 1000
# Rows gone through together by an import: its lookups are one query a chunk, whatever the file's length.
ROW_CHUNK = 2000
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
    rows: "TableRows | list[tuple[int, dict[str, str]]]" = field(default_factory=list)


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


def _xlsx_rows(handle, limits: Limits) -> Iterator[list[str]]:
    """The rows of the first sheet of the XLSX in `handle` (seekable), one at a time (openpyxl read_only)."""
    from openpyxl import load_workbook

    with open_xlsx(handle, limits) as archive:
        sheet_path = _first_sheet_path(archive)
        try:
            _count_sheet(archive, sheet_path, limits)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, ValueError) as exc:
            raise _not_a_workbook(exc.__class__.__name__)
    handle.seek(0)
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
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


# Bytes read from the file at a time (CSV text, checksums).
READ_CHUNK = 256 * 1024
_BOM = b"\xef\xbb\xbf"


class _CountedBytes(io.BufferedIOBase):
    """The binary file under a CSV's text: counts the bytes handed on, so that a decoding error can say where it is
    in the file, and refuses a NUL as soon as it is read (a NUL is never part of a real table: it marks a binary
    file, and PostgreSQL cannot store it in text)."""

    def __init__(self, handle):
        super().__init__()
        self.handle = handle
        self.offset = 0

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size if size and size > 0 else READ_CHUNK)
        if not isinstance(chunk, bytes):
            chunk = bytes(chunk)
        if (nul := chunk.find(b"\x00")) >= 0:
            raise TableError([RowError(None, None, _("The file contains NUL characters (byte %(position)s): it is not "
                                                     "a CSV text file.") % {"position": self.offset + nul})])
        self.offset += len(chunk)
        return chunk

    read = read1


def _csv_text(counted: _CountedBytes) -> io.TextIOWrapper:
    text = io.TextIOWrapper(counted, encoding="utf-8-sig", newline="")
    text._CHUNK_SIZE = READ_CHUNK  # fewer, larger reads than the default 8 KiB
    return text


def _more_rows_than_allowed(handle, limits: Limits) -> bool:
    """Whether a CSV file has more rows than the limit, found before any row is built: its line breaks are counted
    (bytes), then, only if there are more than the limit, its rows (CSV, which may hold line breaks in a cell) up to
    the first past it. A file that cannot be read is left to the reading to report."""
    handle.seek(0)
    breaks = 0
    while chunk := handle.read(READ_CHUNK):
        breaks += chunk.count(b"\n")
    if breaks <= limits.rows:
        return False
    handle.seek(0)
    text = _csv_text(_CountedBytes(handle))
    try:
        counted = sum(1 for _row in itertools.islice(csv.reader(text), limits.rows + 2))
    except (csv.Error, UnicodeDecodeError, TableError):
        return False
    finally:
        text.detach()
    return counted > limits.rows + 1


def _csv_rows(handle, limits: Limits, *, count_first: bool = False) -> Iterator[list[str]]:
    """The rows of the CSV file in `handle` (UTF-8, a byte-order mark accepted), read as a text stream one row at a
    time. A file with more rows than the limit is refused at the first row past it, alone (`count_first`: before
    any row is read)."""
    if count_first and _more_rows_than_allowed(handle, limits):
        raise _too_many_rows(limits.rows + 2, limits)
    handle.seek(0)
    starts_with_bom = handle.read(len(_BOM)) == _BOM
    handle.seek(0)
    counted = _CountedBytes(handle)
    text = _csv_text(counted)
    try:
        for number, row in enumerate(csv.reader(text), start=1):
            if number > limits.rows + 1:
                raise _too_many_rows(limits.rows + 2, limits)
            yield row
    except UnicodeDecodeError as exc:
        # exc.object is what the decoder was given: the bytes held back from the previous read, then the last one.
        # The position counts from after the byte-order mark, as the file's text does.
        position = counted.offset - len(exc.object) + exc.start - (len(_BOM) if starts_with_bom else 0)
        raise TableError([RowError(None, None, _("The file is not UTF-8 text (byte %(position)s).") % {
            "position": position})])
    finally:
        text.detach()  # the caller's file stays open


def source_name(source) -> str:
    """The file name of a path or an open/uploaded file; bytes have none."""
    if isinstance(source, (str, Path)):
        return Path(source).name
    if isinstance(source, (bytes, bytearray, memoryview)):
        return ""
    return Path(getattr(source, "name", "") or "").name


@contextmanager
def open_source(source) -> Iterator:
    """`source` as a seekable binary file at its start: bytes are wrapped, a path is opened (and closed after), an
    open or uploaded file is used as it is (and left open)."""
    if isinstance(source, (str, Path)):
        with open(source, "rb") as handle:
            yield handle
    elif isinstance(source, (bytes, bytearray, memoryview)):
        yield io.BytesIO(source)
    else:
        source.seek(0)
        yield source


def file_sha256(source) -> str:
    """The SHA-256 of a source's content (hex), read in chunks."""
    with open_source(source) as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


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


def _file_rows(handle, filename: str, limits: Limits, *, checking: bool = False) -> Iterator[list[str]]:
    head = handle.read(len(XLSX_MAGIC))
    if head.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        return _xlsx_rows(handle, limits)
    return _csv_rows(handle, limits, count_first=checking)


def _header(rows: Iterator[list[str]], required: list[str], allowed: set[str], limits: Limits) -> list[str]:
    """The columns named by the first row; TableError if they are not those required and allowed."""
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
    return columns


def _records(rows: Iterator[list[str]], columns: list[str], limits: Limits,
             errors: list[RowError]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) of each row after the header that is not blank; a row's problems are appended to
    `errors` (the row is then left out), and reading stops at a problem that makes the rest unreadable."""
    width = len(columns)
    try:
        for number, values in enumerate(rows, start=2):
            if len(errors) >= MAX_REPORTED_ERRORS:
                errors.append(RowError(number, None, _("Too many errors: the file was read up to this row.")))
                return
            if number - 1 > limits.rows:
                errors.append(_too_many_rows(number, limits).errors[0])
                return
            if len(values) > limits.columns:
                errors.append(_too_many_columns(number, limits).errors[0])
                return
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
                    first_forbidden_character("\t".join(values)) is not None):
                cell_errors = _cell_errors(number, record.items(), limits)
                if cell_errors:
                    errors.extend(cell_errors)
                    continue
            yield number, record
    except csv.Error as exc:
        errors.append(RowError(None, None, excerpt(str(exc))))


class TableRows:
    """The rows of a checked table file, (row number, {column: text}), read from the file again each time they are
    gone through, one at a time: the memory they take does not grow with the file. len() is their number, counted
    when the file was checked. A file of the caller's (not a path or bytes) is read by one pass at a time."""

    def __init__(self, source, *, filename: str, columns: list[str], limits: Limits, count: int):
        self.source, self.filename, self.columns, self.limits, self.count = source, filename, columns, limits, count
        self._reading = False

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        shared = not isinstance(self.source, (str, Path, bytes, bytearray, memoryview))
        if shared and self._reading:
            raise RuntimeError("The rows of this file are already being read.")
        self._reading = True
        try:
            with open_source(self.source) as handle:
                rows = _file_rows(handle, self.filename, self.limits)
                try:
                    next(rows, None)  # the header, checked already
                    errors: list[RowError] = []
                    yield from _records(rows, self.columns, self.limits, errors)
                    if errors:  # the file changed since it was checked
                        raise TableError(errors)
                finally:
                    rows.close()
        finally:
            self._reading = False

    def __eq__(self, other) -> bool:
        if isinstance(other, (TableRows, list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"<TableRows {self.filename or 'file'}: {self.count} rows>"


def read_table(source, *, required: Iterable[str], optional: Iterable[str] = (), filename: str = "") -> Table:
    """Check a CSV or XLSX file (bytes, a path, or an open/uploaded seekable file) and answer its columns and its
    rows ({column: text}): TableError naming row and column for anything wrong. The check reads the whole file once,
    a row at a time, keeping none; `table.rows` then reads it again, lazily, each time they are gone through."""
    filename = filename or source_name(source)
    limits = Limits.from_settings()
    required = [c.lower() for c in required]
    allowed = set(required) | {c.lower() for c in optional}
    errors: list[RowError] = []
    with open_source(source) as handle:
        rows = _file_rows(handle, filename, limits, checking=True)
        try:
            columns = _header(rows, required, allowed, limits)
            count = sum(1 for _row in _records(rows, columns, limits, errors))
        finally:
            rows.close()
    if errors:
        raise TableError(errors)
    return Table(columns=columns, rows=TableRows(source, filename=filename, columns=columns, limits=limits,
                                                 count=count))


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


def row_chunks(rows: Iterable, size: int | None = None) -> Iterator[list]:
    """`rows` as lists of at most `size` (ROW_CHUNK), read as they are needed."""
    size = size or ROW_CHUNK
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


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
