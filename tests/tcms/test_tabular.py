import datetime as dt
import io
import time
from decimal import Decimal

import pytest
from openpyxl import Workbook

from core.tabular import (
    CellError,
    TableError,
    excerpt,
    parse_date,
    parse_decimal,
    parse_int,
    parse_period,
    read_table,
    with_progress,
)
from core.text import forbidden_character_message
from tests import hostile_files


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_csv_with_bom_and_free_column_order():
    table = read_table("\ufeffb,A\n2,1\n\n3,4\n".encode(), required=["a", "b"])
    assert table.columns == ["b", "a"]
    assert table.rows == [(2, {"b": "2", "a": "1"}), (4, {"b": "3", "a": "4"})]


def test_xlsx_first_sheet_with_dates_and_numbers():
    data = _xlsx([["period", "amount", "day"], ["2000-03", 1500.0, dt.datetime(2000, 3, 4)]])
    table = read_table(data, required=["period", "amount", "day"])
    assert table.rows == [(2, {"period": "2000-03", "amount": "1500", "day": "2000-03-04"})]


def test_missing_and_extra_columns_are_named():
    with pytest.raises(TableError) as info:
        read_table(b"a,zzz\n1,2\n", required=["a", "b"])
    messages = [str(e) for e in info.value.errors]
    assert any("Missing column(s): b" in m for m in messages)
    assert any("Unknown column(s): zzz" in m for m in messages)


def test_not_utf8_refused():
    with pytest.raises(TableError, match="not UTF-8"):
        read_table("a\ncaf\xe9\n".encode("latin-1"), required=["a"])


def test_broken_xlsx_refused():
    with pytest.raises(TableError, match="not a readable XLSX"):
        read_table(b"PK\x03\x04garbage", required=["a"])


def test_empty_file_refused():
    with pytest.raises(TableError, match="empty"):
        read_table(b"", required=["a"])


def test_parsers():
    assert parse_date("2000-02-29") == dt.date(2000, 2, 29)
    assert parse_period("1999-12") == dt.date(1999, 12, 1)
    assert parse_decimal("1234.5") == Decimal("1234.50")
    for bad in ("2001-02-29", "29/02/2000"):
        with pytest.raises(CellError):
            parse_date(bad)
    for bad in ("1999-13", "1999-1", "x"):
        with pytest.raises(CellError):
            parse_period(bad)
    for bad in ("1,234.00", "12a", ""):
        with pytest.raises(CellError):
            parse_decimal(bad)
    with pytest.raises(CellError, match="negative"):
        parse_decimal("-1", allow_negative=False)


def test_parsers_refuse_year_zero_other_scripts_and_trailing_newline():
    for bad in ("0000-01", "\u0662\u0660\u0660\u0660-01", "2000-01\n"):
        with pytest.raises(CellError):
            parse_period(bad)
    for bad in ("\u0661\u0662", "12\n"):
        with pytest.raises(CellError):
            parse_decimal(bad)
    with pytest.raises(CellError):
        parse_date("2000-01-01\n")


# ---------------------------------------------------------------- bounded reading: a small file cannot expand freely


def _refused(data: bytes, filename: str, required=("symbol",), **kwargs) -> list:
    with pytest.raises(TableError) as info:
        read_table(data, required=required, filename=filename, **kwargs)
    return info.value.errors


def test_the_bomb_is_refused_before_anything_is_unpacked():
    bomb = hostile_files.bomb_xlsx()
    started = time.perf_counter()
    errors = _refused(bomb, "bomb.xlsx")
    assert time.perf_counter() - started < 2
    assert "too large once unpacked" in errors[0].message


@pytest.mark.parametrize("build, name", [(hostile_files.many_rows_csv, "rows.csv"),
                                         (hostile_files.many_rows_xlsx, "rows.xlsx")])
def test_a_million_rows_are_refused_at_the_row_limit_quickly(settings, build, name):
    data = build(1_000_000)
    started = time.perf_counter()
    errors = _refused(data, name)
    assert time.perf_counter() - started < 5
    assert [(e.row, e.column) for e in errors] == [(settings.TCMS_MAX_IMPORT_ROWS + 2, None)]
    assert f"more than {settings.TCMS_MAX_IMPORT_ROWS} rows" in errors[0].message


def test_rows_up_to_the_limit_are_read(settings):
    settings.TCMS_MAX_IMPORT_ROWS = 50
    assert len(read_table(hostile_files.many_rows_csv(50), required=["symbol"]).rows) == 50
    assert len(read_table(hostile_files.many_rows_xlsx(50), required=["symbol"]).rows) == 50
    assert _refused(hostile_files.many_rows_xlsx(51), "rows.xlsx")[0].row == 52


def test_a_sheet_that_skips_to_its_last_row_is_refused_without_padding_a_million_rows(settings):
    sheet = [hostile_files.inline_row(1, ["symbol"]), hostile_files.inline_row(1_048_576, ["X"])]
    started = time.perf_counter()
    errors = _refused(hostile_files.xlsx(sheet), "gap.xlsx")
    assert time.perf_counter() - started < 5
    assert errors[0].row == settings.TCMS_MAX_IMPORT_ROWS + 2


def test_too_many_columns_are_refused_naming_the_row(settings):
    settings.TCMS_MAX_IMPORT_COLUMNS = 5
    errors = _refused(b"symbol\n" + b"A" + b"," * 10 + b"\n", "wide.csv")
    assert (errors[0].row, "more than 5 columns" in errors[0].message) == (2, True)
    errors = _refused(hostile_files.xlsx([hostile_files.inline_row(1, ["symbol"]),
                                          hostile_files.inline_row(2, ["X"] * 6)]), "wide.xlsx")
    assert (errors[0].row, "more than 5 columns" in errors[0].message) == (2, True)
    # one cell far to the right: openpyxl would pad the row to it
    far = '<row r="2"><c r="XFD2" t="inlineStr"><is><t>X</t></is></c></row>'
    errors = _refused(hostile_files.xlsx([hostile_files.inline_row(1, ["symbol"]), far]), "far.xlsx")
    assert (errors[0].row, "more than 5 columns" in errors[0].message) == (2, True)
    assert _refused(("," * 10 + "symbol\n").encode(), "wide-header.csv")[0].row == 1


def test_a_cell_longer_than_the_limit_is_refused_naming_row_and_column(settings):
    settings.TCMS_MAX_CELL_CHARS = 100
    errors = _refused(("symbol,title\nA," + "t" * 101 + "\n").encode(), "long.csv", required=["symbol", "title"])
    assert [(e.row, e.column) for e in errors] == [(2, "title")]
    assert "101 characters" in errors[0].message and "t" * 50 not in errors[0].message


def test_a_control_character_in_a_cell_is_refused_naming_row_and_column():
    errors = _refused(b"symbol,title\nA/1,fine\nA/2,vertical\x0btab\n", "cells.csv", required=["symbol", "title"])
    assert [(e.row, e.column) for e in errors] == [(3, "title")]
    assert errors[0].message == forbidden_character_message(8, "\x0b")
    # XML cannot hold it at all: a workbook carrying one is not a readable workbook (and nothing else breaks)
    sheet = [hostile_files.inline_row(1, ["symbol", "title"]), hostile_files.inline_row(2, ["A/2", "vertical\x0btab"])]
    assert "not a readable XLSX" in _refused(hostile_files.xlsx(sheet), "cells.xlsx")[0].message


def test_a_header_of_ten_thousand_characters_is_not_echoed():
    header = "h" * 10_000
    errors = _refused(f"symbol,{header}\nA,B\n".encode(), "long-header.csv")
    message = " ".join(str(e) for e in errors)
    assert "Unknown column(s)" in message and "h" * 59 + "…" in message and "h" * 61 not in message


def test_messages_quote_a_cell_by_an_excerpt():
    value = "9" * 5000
    for parse in (parse_date, parse_period, parse_decimal, lambda v: parse_int(v, minimum=0, maximum=2)):
        with pytest.raises(CellError) as info:
            parse(value)
        assert len(str(info.value)) < 200 and "…" in str(info.value)
    assert excerpt("short") == "short" and excerpt("x" * 100) == "x" * 59 + "…"


def test_progress_is_reported_while_rows_are_gone_through():
    calls = []
    rows = with_progress(list(range(250)), lambda done, total: calls.append((done, total)))
    assert list(rows) == list(range(250)) and list(rows) == list(range(250))  # each pass reports
    assert calls[0] == (2, 250) and calls[-1] == (250, 250) and len(calls) == 250
    assert with_progress([1], None) == [1]


# ---------------------------------------------------------------- streaming: read a row at a time, never whole


class CountingFile(io.BytesIO):
    """A file that counts the bytes read from it since `reset()`."""

    def reset(self):
        self.read_bytes = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.read_bytes = getattr(self, "read_bytes", 0) + len(chunk)
        return chunk


def _expenditure_rows(count: int) -> bytes:
    return ("project_symbol,period,amount\n" + "".join(f"P/{n},2026-01,{n}.00\n" for n in range(count))).encode()


def test_read_table_takes_a_stream_and_reads_its_rows_lazily():
    data = _expenditure_rows(50_000)  # ~1 MB
    stream = CountingFile(data)
    table = read_table(stream, required=["project_symbol", "period", "amount"], filename="lines.csv")
    assert len(table.rows) == 50_000  # checked: read once, whole, keeping no row
    stream.reset()
    rows = iter(table.rows)
    assert next(rows) == (2, {"project_symbol": "P/0", "period": "2026-01", "amount": "0.00"})
    assert 0 < stream.read_bytes < len(data) / 4  # the first row needs the file's first chunk only
    assert next(rows)[0] == 3
    rows.close()
    assert sum(1 for _row in table.rows) == 50_000  # read again from its start, each time they are gone through


def test_read_table_takes_a_path_and_an_xlsx_stream(tmp_path):
    path = tmp_path / "lines.csv"
    path.write_bytes(_expenditure_rows(3))
    assert [number for number, _record in read_table(path, required=["amount"], optional=["project_symbol",
                                                                                          "period"]).rows] == [2, 3, 4]
    workbook = io.BytesIO(_xlsx([["period", "amount"], ["2000-03", 1500.0], ["2000-04", 10.5]]))
    assert read_table(workbook, required=["period", "amount"], filename="lines.xlsx").rows == [
        (2, {"period": "2000-03", "amount": "1500"}), (3, {"period": "2000-04", "amount": "10.5"})]


def test_a_shared_stream_is_gone_through_by_one_pass_at_a_time():
    table = read_table(io.BytesIO(_expenditure_rows(3)), required=["amount"], optional=["project_symbol", "period"])
    first = iter(table.rows)
    next(first)
    with pytest.raises(RuntimeError, match="already being read"):
        next(iter(table.rows))
    first.close()
    assert len(list(table.rows)) == 3


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_decoding_error_far_into_a_stream_is_placed_as_before(bom):
    """The text is decoded a chunk at a time: the byte named is where the whole text's decoding would fail (counted
    after a byte-order mark, as the file's text is)."""
    data = bom + b"a\n" + b"x" * 300_000 + b"\xe9\n"
    with pytest.raises(TableError) as info:
        read_table(data, required=["a"])
    assert info.value.errors[0].message == f"The file is not UTF-8 text (byte {2 + 300_000})."
    with pytest.raises(TableError, match=r"NUL characters \(byte 300002\)"):
        read_table(b"a\n" + b"x" * 300_000 + b"\x00\n", required=["a"])


def test_file_sha256_reads_in_chunks_whatever_the_source(tmp_path):
    import hashlib

    from core.tabular import file_sha256

    data = _expenditure_rows(20_000)
    path = tmp_path / "lines.csv"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert file_sha256(data) == file_sha256(path) == file_sha256(io.BytesIO(data)) == expected
