"""Hostile files for the upload tests and bench/upload_bomb.py, written part by part from generators so that a file
that expands to hundreds of megabytes is built without holding them (and in about a second).

`xlsx(...)` writes a minimal but valid workbook (openpyxl reads it) from chunks of the first sheet's XML and,
optionally, of its shared strings.
"""

import functools
import io
import zipfile
from collections.abc import Iterable, Iterator

MB = 1024 * 1024
SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
{shared_strings}</Types>"""  # noqa: E501
SHARED_STRINGS_TYPE = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                       'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>\n')
PACKAGE_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_RELS_NS}">
<Relationship Id="rId1" Type="{RELATIONSHIPS_NS}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{SPREADSHEET_NS}" xmlns:r="{RELATIONSHIPS_NS}">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_RELS_NS}">
<Relationship Id="rId1" Type="{RELATIONSHIPS_NS}/worksheet" Target="worksheets/sheet1.xml"/>
{{shared_strings}}</Relationships>"""
SHARED_STRINGS_RELATION = (f'<Relationship Id="rId2" Type="{RELATIONSHIPS_NS}/sharedStrings" '
                           'Target="sharedStrings.xml"/>\n')


def _write(archive: zipfile.ZipFile, name: str, chunks: Iterable[str | bytes]) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as part:
        for chunk in chunks:
            part.write(chunk.encode() if isinstance(chunk, str) else chunk)


def xlsx(sheet_rows: Iterable[str], shared_strings: Iterable[str | bytes] | None = None) -> bytes:
    """A workbook whose first sheet's <sheetData> is the concatenation of `sheet_rows` (XML text), with a
    sharedStrings part made of `shared_strings` (the XML inside <sst>) if given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        shared = shared_strings is not None
        _write(archive, "[Content_Types].xml", [CONTENT_TYPES.format(shared_strings=SHARED_STRINGS_TYPE * shared)])
        _write(archive, "_rels/.rels", [PACKAGE_RELS])
        _write(archive, "xl/workbook.xml", [WORKBOOK])
        _write(archive, "xl/_rels/workbook.xml.rels", [
            WORKBOOK_RELS.format(shared_strings=SHARED_STRINGS_RELATION * shared)])
        _write(archive, "xl/worksheets/sheet1.xml", [
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{SPREADSHEET_NS}">'
            "<sheetData>", *sheet_rows, "</sheetData></worksheet>"])
        if shared_strings is not None:
            _write(archive, "xl/sharedStrings.xml", [
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{SPREADSHEET_NS}">',
                *shared_strings, "</sst>"])
    return buffer.getvalue()


def inline_row(number: int, values: Iterable[str]) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in values)
    return f'<row r="{number}">{cells}</row>'


@functools.cache
def bomb_xlsx(expanded_bytes: int = 300 * MB) -> bytes:
    """The attacker's probe: a valid XLSX of ~300 KB whose one shared string expands to `expanded_bytes`; the sheet
    has a header cell that is that string. Built once a process (compressing 300 MB takes a few seconds)."""
    block = b"A" * MB

    def text() -> Iterator[bytes]:
        yield b"<si><t>"
        for _ in range(expanded_bytes // MB):
            yield block
        yield b"</t></si>"

    return xlsx(['<row r="1"><c r="A1" t="s"><v>0</v></c></row>'], shared_strings=text())


def many_rows_xlsx(rows: int, header: Iterable[str] = ("symbol",), value: str = "X") -> bytes:
    """A workbook with a header and `rows` rows of one inline-string cell each."""
    def sheet() -> Iterator[str]:
        yield inline_row(1, header)
        row = f'<c t="inlineStr"><is><t>{value}</t></is></c></row>'
        for number in range(2, rows + 2):
            yield f'<row r="{number}">' + row

    return xlsx(sheet())


def many_rows_csv(rows: int, header: str = "symbol", value: str = "X") -> bytes:
    return (header + "\n" + (value + "\n") * rows).encode()


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def docx() -> bytes:
    """A minimal Word document (python-docx opens it)."""
    import docx as python_docx

    buffer = io.BytesIO()
    document = python_docx.Document()
    document.add_paragraph("Final evaluation report")
    document.save(buffer)
    return buffer.getvalue()
