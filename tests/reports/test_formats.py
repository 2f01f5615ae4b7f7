"""The files open and contain what they should, in English, French and Spanish."""

import csv
import io
import zipfile
from decimal import Decimal

import docx
import openpyxl
import pypdf
import pytest
from django.utils import translation

from reports.builders import build_report_file
from reports.builders.csvzip import neutralise
from reports.selectors import SHEETS, annual_report
from reports.services import generate

pytestmark = pytest.mark.django_db


def built(fmt: str, language: str = "en", **parameters) -> bytes:
    out = io.BytesIO()
    generate(kind="annual", fmt=fmt, language=language, out=out, year=2001, **parameters)
    return out.getvalue()


def flat(text: str) -> str:
    """Text extracted from a PDF with its line breaks (wrapped titles) turned into spaces."""
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return flat(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages))


def test_pdf_has_cover_contents_page_numbers_tables_and_charts(portfolio):
    data = built("pdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 4
    text = pdf_text(data)
    cover = flat(reader.pages[0].extract_text())
    assert "Technical cooperation programme of the ILO, 2001" in cover and "Data checksum" in cover
    contents = flat(reader.pages[1].extract_text())
    assert "Contents" in contents and "1. Expenditure by source of funds" in contents
    assert f"2 / {len(reader.pages)}" in contents  # page counters in the footer
    for title in ("Expenditure by region", "Expenditure in least developed countries", "Approvals of extra-budgetary",
                  "Gender-marker distribution", "Selected lessons learned", "Involve ministries early"):
        assert title in text
    assert "13.5" in text and "Multi-bilateral" in text  # 2001 total in US$ '000, one decimal
    links = [annotation.get_object() for annotation in reader.pages[1].get("/Annots", [])]
    assert len([a for a in links if a["/Subtype"] == "/Link"]) >= len(SHEETS)  # contents link to the sections
    assert "/Outlines" in reader.trailer["/Root"]  # bookmarks from the headings


def test_docx_uses_heading_styles_and_real_tables(portfolio):
    document = docx.Document(io.BytesIO(built("docx")))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "Contents"
    assert "1. Expenditure by source of funds" in headings and "Selected lessons learned" in headings
    assert document.paragraphs[1].style.name == "Title"
    assert len(document.tables) == len(SHEETS)
    first = document.tables[0]
    assert [c.text for c in first.rows[0].cells][:2] == ["Source of funds", "2000 (US$ '000)"]
    assert [c.text for c in first.rows[-1].cells][0] == "Total"
    assert [c.text for c in first.rows[-1].cells][3] == "13.5"


def test_xlsx_one_sheet_per_table_numbers_stored_as_numbers(portfolio):
    workbook = openpyxl.load_workbook(io.BytesIO(built("xlsx")))
    assert workbook.sheetnames == list(SHEETS.values())
    sheet = workbook["By source of funds"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Source of funds"
    assert rows[-1][0] == "Total"
    assert rows[-1][3] == pytest.approx(13.5) and isinstance(rows[-1][3], float)
    assert rows[2][0] == "Multi-bilateral" and rows[2][1] == pytest.approx(5.5)
    report = annual_report(year=2001)
    for table in report.tables:
        values = list(workbook[table.sheet].iter_rows(values_only=True))
        assert list(values[0]) == table.headers
        assert len(values) == 1 + len(table.rows) + 1
        assert values[-1][0] == "Total"
    ldc = list(workbook["LDCs"].iter_rows(values_only=True))
    assert ldc[-1][3] == pytest.approx(9)  # unrounded thousands


def test_csv_zip_one_file_per_table_unrounded_and_formula_safe(portfolio):
    archive = zipfile.ZipFile(io.BytesIO(built("csv")))
    names = archive.namelist()
    assert names[0] == "about.csv" and "by_source_of_funds.csv" in names and "ldcs.csv" in names
    assert len(names) == 1 + len(SHEETS)
    rows = list(csv.reader(io.StringIO(archive.read("by_source_of_funds.csv").decode("utf-8-sig"))))
    assert rows[0][0] == "Source of funds" and rows[-1][0] == "Total"
    assert Decimal(rows[-1][3]) == Decimal("13.5")
    assert neutralise("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")" and neutralise("-1+2") == "'-1+2"
    assert neutralise(Decimal("-1.50")) == "-1.5" and neutralise("Africa") == "Africa"


def test_csv_neutralises_a_formula_in_data(portfolio):
    from partners.models import Organisation
    Organisation.objects.filter(acronym="D2").update(name="=cmd|' /C calc'!A0", acronym="")
    archive = zipfile.ZipFile(io.BytesIO(built("csv")))
    text = archive.read("approvals_by_donor.csv").decode("utf-8-sig")
    assert "'=cmd" in text and "\n=cmd" not in text


@pytest.mark.parametrize(("language", "heading", "total_header"), [
    ("fr", "Dépenses par source de financement", "Variation (%)"),
    ("es", "Gastos por fuente de financiación", "Variación (%)"),
])
def test_french_and_spanish_headings(portfolio, language, heading, total_header):
    assert heading in pdf_text(built("pdf", language))
    document = docx.Document(io.BytesIO(built("docx", language)))
    assert f"1. {heading}" in [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    workbook = openpyxl.load_workbook(io.BytesIO(built("xlsx", language)))
    assert workbook.sheetnames == list(SHEETS.values())  # sheet names stay fixed for other tools
    assert total_header in next(workbook["By source of funds"].iter_rows(values_only=True))
    assert translation.get_language() == "en-us" or translation.get_language().startswith("en")


def test_same_parameters_same_csv_bytes(portfolio):
    assert built("csv") == built("csv")


def test_unknown_format_refused(portfolio):
    with pytest.raises(ValueError, match="Unknown report format"):
        build_report_file(annual_report(year=2001), fmt="odt", language="en", out=io.BytesIO())
