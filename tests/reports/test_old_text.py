"""Text stored before TCMS refused control characters cannot break a report: every format builds, without them.

Found by an attacker's probe: a lesson holding a control character made the annual DOCX report fail.
"""

import csv
import datetime as dt
import io
import zipfile

import docx
import openpyxl
import pypdf
import pytest

from evaluation.models import Lesson
from partners.models import Organisation
from reports.models import ImplementationPlan, Milestone
from reports.services import generate

pytestmark = pytest.mark.django_db

FORMATS = ["pdf", "docx", "xlsx", "csv"]


def _text(fmt: str, data: bytes) -> str:
    """Every text of the file, as a reader would get it."""
    if fmt == "pdf":
        return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    if fmt == "docx":
        document = docx.Document(io.BytesIO(data))
        cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return "\n".join([*(p.text for p in document.paragraphs), *cells])
    if fmt == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(data))
        return "\n".join([workbook.properties.title, *(str(value) for sheet in workbook
                                                       for row in sheet.iter_rows(values_only=True)
                                                       for value in row if value is not None)])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(",".join(row) for name in archive.namelist()
                         for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


@pytest.fixture
def old_text(portfolio):
    """As the probe left it: written straight to the database, as if stored before the rule existed."""
    Lesson.objects.filter(title="Involve ministries early").update(title="Involve\x0b ministries early",
                                                                    text="Ministries\x01 that help deliver.")
    Organisation.objects.filter(name="Donor One").update(name="Donor\x01 One\x0b")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_annual_report_builds_in_every_format(old_text, fmt):
    out = io.BytesIO()
    generate(kind="annual", fmt=fmt, language="en", out=out, year=2001)
    text = _text(fmt, out.getvalue())
    assert "Donor One" in text
    if fmt in ("pdf", "docx"):  # the lessons are in the documents meant for reading
        assert "Involve ministries early" in " ".join(text.split())
        assert "Ministries that help deliver." in " ".join(text.split())
    assert "\x01" not in text and "\x0b" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_implementation_plan_builds_in_every_format(db, fmt):
    plan = ImplementationPlan.objects.create(title="Plan", start_date=dt.date(2001, 1, 1),
                                             end_date=dt.date(2002, 12, 31))
    Milestone.objects.create(plan=plan, title="Sign", owner="PARDEV", due_date=dt.date(2001, 6, 30))
    ImplementationPlan.objects.filter(pk=plan.pk).update(title="Plan\x0b 2001")
    Milestone.objects.filter(plan=plan).update(title="Sign\x01 the agreement", owner="PAR\x0bDEV")
    plan.refresh_from_db()
    out = io.BytesIO()
    generate(kind="plan", fmt=fmt, language="en", out=out, plan=plan)
    text = " ".join(_text(fmt, out.getvalue()).split())
    assert "Sign the agreement" in text and "Plan 2001" in text
