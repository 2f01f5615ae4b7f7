import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from tcms.tabular import CellError, TableError, parse_date, parse_decimal, parse_period, read_table


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
