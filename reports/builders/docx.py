"""DOCX via python-docx, for the secretariat to finish: Word's Title and Heading styles (so Word's navigation pane
and table of contents work), a table-of-contents field Word fills in when the document is opened, and real tables
(header row repeated on each page)."""

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports.builders import cover_lines, display
from reports.selectors import TEXT, GbReport


def _toc_field(paragraph) -> None:
    """A TOC field over headings 1–2; Word computes it (and its page numbers) on opening (updateFields)."""
    run = paragraph.add_run()
    begin, instruction, separate, end = (OxmlElement("w:fldChar"), OxmlElement("w:instrText"),
                                         OxmlElement("w:fldChar"), OxmlElement("w:fldChar"))
    begin.set(qn("w:fldCharType"), "begin")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = 'TOC \\o "1-2" \\h \\z \\u'
    separate.set(qn("w:fldCharType"), "separate")
    end.set(qn("w:fldCharType"), "end")
    placeholder = OxmlElement("w:t")
    placeholder.text = _("Right-click to update the table of contents.")
    for element in (begin, instruction, separate, placeholder, end):
        run._r.append(element)


def _update_fields_on_open(document) -> None:
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _add_table(document, table) -> None:
    columns = table.columns
    rows = [*table.rows, *([table.total] if table.total else [])]
    grid = document.add_table(rows=1 + len(rows), cols=len(columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    header_cells = grid.rows[0].cells
    for cell, column in zip(header_cells, columns, strict=True):
        cell.text = column.label
        cell.paragraphs[0].runs[0].bold = True
    _repeat_header(grid.rows[0])
    for index, values in enumerate(rows, start=1):
        is_total = table.total is not None and index == len(rows)
        for cell, value, column in zip(grid.rows[index].cells, values, columns, strict=True):
            cell.text = display(value, column.kind)
            paragraph = cell.paragraphs[0]
            if column.kind != TEXT:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if is_total and paragraph.runs:
                paragraph.runs[0].bold = True
    for row in grid.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(7.5)


def build(report: GbReport, out, *, plan=None) -> None:
    document = Document()
    section = document.sections[0]
    if any(len(table.columns) > 9 for table in report.tables):
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    document.core_properties.title = report.title
    document.core_properties.comments = report.checksum
    document.add_paragraph(_("International Labour Office · Governing Body · Committee on Technical Cooperation"))
    document.add_heading(report.title, level=0)
    for line in cover_lines(report):
        document.add_paragraph(line)
    document.add_heading(_("Contents"), level=1)
    _toc_field(document.add_paragraph())
    _update_fields_on_open(document)
    for number, table in enumerate(report.tables, start=1):
        document.add_heading(f"{number}. {table.title}", level=1)
        if not table.rows:
            document.add_paragraph(_("Nothing recorded for the period."))
        _add_table(document, table)
        if table.note:
            document.add_paragraph(table.note, style="Caption")
    if report.lessons:
        document.add_heading(_("Selected lessons learned"), level=1)
        for lesson in report.lessons:
            document.add_heading(lesson.title, level=2)
            document.add_paragraph(f"{lesson.kind}" + (f" · {lesson.source}" if lesson.source else ""),
                                   style="Caption")
            document.add_paragraph(lesson.text)
    document.save(out)
