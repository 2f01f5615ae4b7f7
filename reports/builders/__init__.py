"""Lay a GbReport out as PDF, DOCX, XLSX or a zip of CSV files. Builders compute nothing: the figures come from
reports.selectors; presentation rounding (PDF, DOCX) happens here, XLSX and CSV keep the unrounded values.

Every builder is called inside translation.override(language) by `build_report_file`, so headings, table titles
and number formats follow the report's language, and on a copy of the report without the characters XML cannot
hold (`xml_safe_report`), so that text stored before TCMS refused them (a lesson, a donor's name) cannot break a
DOCX, an XLSX or a PDF.
"""

import dataclasses
from decimal import Decimal
from typing import BinaryIO

from django.utils import formats, translation
from django.utils.translation import gettext as _

from core.text import xml_safe
from reports.selectors import COUNT, MONEY, NUMBER, PERCENT, GbReport, money_unit

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "application/zip",
}
EXTENSIONS = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "csv": "zip"}


def display(value, kind: str) -> str:
    """A cell as shown to a reader: money and numbers with one decimal, percentages with one decimal, counts whole,
    in the active language's number format; "—" for no value (e.g. a % change on nothing)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if kind == COUNT:
        return formats.number_format(int(value), decimal_pos=0, use_l10n=True, force_grouping=True)
    if kind in (MONEY, NUMBER, PERCENT):
        return formats.number_format(Decimal(value), decimal_pos=1, use_l10n=True, force_grouping=True)
    return str(value)


def cover_lines(report: GbReport) -> list[str]:
    """What the cover (and the first lines of each format) says about the report's data."""
    lines = [_("Period: %(period)s (%(start)s to %(end)s)") % {
        "period": report.period.label, "start": formats.date_format(report.period.start, "DATE_FORMAT"),
        "end": formats.date_format(report.period.end, "DATE_FORMAT")}]
    if report.kind != "plan":
        lines.append(_("Compared with: %(period)s") % {"period": report.previous.label})
        lines.append(_("Data as of: %(date)s") % {"date": formats.date_format(report.as_of, "DATE_FORMAT")}
                     if report.as_of else _("Data as of: end of the period"))
        lines.append(_("Amounts in thousands of US dollars (%(unit)s).") % {"unit": money_unit()})
    lines.append(_("Data checksum (SHA-256): %(checksum)s") % {"checksum": report.checksum})
    return lines


def _without_forbidden_characters(value):
    if isinstance(value, str):
        return xml_safe(value)
    if type(value) in (list, tuple):
        return type(value)(_without_forbidden_characters(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{field.name: _without_forbidden_characters(getattr(value, field.name))
                                             for field in dataclasses.fields(value) if field.init})
    return value


def xml_safe_report(report: GbReport) -> GbReport:
    """A copy of `report` whose every text (title, table cells and notes, lessons) went through core.text.xml_safe."""
    return _without_forbidden_characters(report)


def build_report_file(report: GbReport, *, fmt: str, language: str, out: BinaryIO, plan=None) -> None:
    """Write `report` in format `fmt` ("pdf", "docx", "xlsx", "csv") and `language` to the binary file `out`."""
    from reports.builders import csvzip, docx, pdf, xlsx

    builders = {"pdf": pdf.build, "docx": docx.build, "xlsx": xlsx.build, "csv": csvzip.build}
    if fmt not in builders:
        raise ValueError(f"Unknown report format {fmt!r}; expected one of {', '.join(builders)}")
    with translation.override(language):
        builders[fmt](xml_safe_report(report), out, plan=plan)
