"""Upload limits, spreadsheet formula injection in exports, and XML read without external entities."""

import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core.security import spreadsheet_safe, spreadsheet_safe_row
from core.tabular import TableError, read_table
from core.uploads import validate_table_upload

ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------------------------------- uploads


def _xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(["symbol"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_csv_and_xlsx_within_the_limit_are_accepted(settings):
    validate_table_upload(SimpleUploadedFile("projects.csv", b"symbol\nA/1\n"))
    validate_table_upload(SimpleUploadedFile("Projects.XLSX", _xlsx_bytes()))


def test_too_large_upload_is_refused_with_the_limit(settings):
    settings.TCMS_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationError) as caught:
        validate_table_upload(SimpleUploadedFile("big.csv", b"a\n" + b"x" * 2048))
    assert caught.value.code == "file_too_large" and "1.0\xa0KB" in caught.value.messages[0]


@pytest.mark.parametrize(("name", "content", "code"), [
    ("report.pdf", b"%PDF-1.7", "file_type"),
    ("macro.xlsm", b"PK\x03\x04...", "file_type"),
    ("noext", b"symbol\n", "file_type"),
    ("fake.xlsx", b"symbol,title\n", "file_type"),
    ("zip.csv", b"PK\x03\x04rest", "file_type"),
    ("binary.csv", b"sym\x00bol", "file_type"),
    ("empty.csv", b"", "empty_file"),
])
def test_wrong_type_is_refused(name, content, code):
    with pytest.raises(ValidationError) as caught:
        validate_table_upload(SimpleUploadedFile(name, content))
    assert caught.value.code == code


def test_validation_leaves_the_file_readable_from_the_start():
    upload = SimpleUploadedFile("projects.csv", b"symbol\nA/1\n")
    validate_table_upload(upload)
    assert upload.read() == b"symbol\nA/1\n"


# ----------------------------------------------------------------------------------- formula injection


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+1)", "'@SUM(1+1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1", "'\r=1"),
    ("  =1+1", "'  =1+1"),
    ("\uff1d1+1", "'\uff1d1+1"),  # full-width equals sign, read as "=" by some spreadsheets
    ("-12.50", "-12.50"),
    ("+3", "+3"),
    ("1e-5", "1e-5"),
    ("Decent work in Dakar", "Decent work in Dakar"),
    ("a=b", "a=b"),
    ("", ""),
])
def test_spreadsheet_safe_text(value, expected):
    assert spreadsheet_safe(value) == expected


def test_spreadsheet_safe_keeps_numbers_dates_and_none():
    import datetime as dt
    from decimal import Decimal

    row = [Decimal("-5.25"), -3, 1.5, None, dt.date(2001, 1, 1), True, "=1"]
    assert spreadsheet_safe_row(row) == [Decimal("-5.25"), -3, 1.5, None, dt.date(2001, 1, 1), True, "'=1"]


# Every module that writes CSV or XLSX for people to open in a spreadsheet, and whether it already passes its cells
# through core.security.spreadsheet_safe. Found by scanning the code (test_every_export_is_listed), so a new export
# must be listed; entries marked False are exports that still need converting: the
# test fails as soon as one of them starts using the helper, so the list is kept true.
EXPORT_MODULES = {
    "core/downloads.py": True,             # delivery dashboard and project register CSV/XLSX; import templates
    "delivery/api.py": False,              # not an export: JSON rows turned into CSV for the import service, verbatim
    "reports/builders/xlsx.py": True,      # Governing Body report workbook
    "reports/builders/csvzip.py": True,    # Governing Body report CSV bundle
    "iati/views.py": True,                 # IATI vocabulary CSVs
    "delivery/management/commands/delivery_table.py": True,
    "alerts/management/commands/list_alerts.py": True,
    "projects/services/importing.py": True,  # the import template's example row (spreadsheet_safe_row)
}
_WRITER = re.compile(r"csv\.writer\(|Workbook\(|xlsxwriter\.Workbook")


def _export_modules() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "tests/", "var/", "node_modules/", "bench/")) or "/migrations/" in relative:
            continue
        if relative in ("core/tabular.py", "core/security.py"):
            continue
        if _WRITER.search(path.read_text(encoding="utf-8")):
            found.add(relative)
    return found


def test_every_export_is_listed():
    assert _export_modules() == set(EXPORT_MODULES)


@pytest.mark.parametrize("module", sorted(EXPORT_MODULES))
def test_export_uses_spreadsheet_safe(module):
    text = (ROOT / module).read_text(encoding="utf-8")
    uses = bool(re.search(r"from core\.security import[^\n]*spreadsheet_safe", text))
    assert uses == EXPORT_MODULES[module], f"{module}: update EXPORT_MODULES ({'now safe' if uses else 'not safe'})"


# ------------------------------------------------------------------------------------------------- XML

XXE = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
       b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
       b'<c r="A1" t="inlineStr"><is><t>&secret;</t></is></c></row></sheetData></worksheet>')


def _workbook_with_sheet_xml(sheet_xml: bytes) -> bytes:
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(_xlsx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            target.writestr(item, data)
    return out.getvalue()


def test_openpyxl_reads_xlsx_through_defusedxml():
    from openpyxl import xml

    assert xml.DEFUSEDXML, "defusedxml must be installed: openpyxl then refuses entity declarations"


def test_xlsx_with_external_entity_is_refused_cleanly():
    with pytest.raises(TableError) as caught:
        read_table(_workbook_with_sheet_xml(XXE), required=["symbol"])
    assert "root:" not in str(caught.value)


def test_no_xml_is_parsed_unsafely_in_application_code():
    """XML the application reads must go through defusedxml (or lxml with resolve_entities=False)."""
    unsafe = re.compile(r"xml\.etree\.ElementTree\.(parse|fromstring)|minidom\.parse|etree\.(parse|fromstring|XML)\(|"
                        r"xml\.sax\.(parse|make_parser)")
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "tests/", "var/", "node_modules/")):
            continue
        text = path.read_text(encoding="utf-8")
        if unsafe.search(text) and "resolve_entities=False" not in text:
            offenders.append(relative)
    assert offenders == []
