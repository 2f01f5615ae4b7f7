"""XLSX via XlsxWriter in constant-memory mode, laid out for other tools: one sheet per table named as in
reports.selectors.SHEETS, the headers in the first row, then the rows, then a row labelled Total where the table
has one. Numbers are stored as numbers, money in US$ thousands unrounded (to a double's precision); the number
formats only change how they are shown."""

import tempfile

import xlsxwriter

from core.security import spreadsheet_safe
from reports.selectors import COUNT, MONEY, NUMBER, PERCENT, TEXT, GbReport

FORMATS = {MONEY: "#,##0.0", NUMBER: "#,##0.0", PERCENT: "0.0", COUNT: "#,##0"}


def _number(value):
    return None if value is None else float(value)


def build(report: GbReport, out, *, plan=None) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": scratch,
                                             "strings_to_formulas": False, "strings_to_numbers": False,
                                             "strings_to_urls": False})
        workbook.set_properties({"title": report.title, "comments": f"SHA-256 {report.checksum}"})
        bold = workbook.add_format({"bold": True})
        styles = {kind: workbook.add_format({"num_format": pattern}) for kind, pattern in FORMATS.items()}
        total_styles = {kind: workbook.add_format({"num_format": pattern, "bold": True})
                        for kind, pattern in FORMATS.items()}
        for table in report.tables:
            sheet = workbook.add_worksheet(table.sheet[:31])
            for column, header in enumerate(table.headers):
                sheet.write_string(0, column, header, bold)
                sheet.set_column(column, column, 42 if column == 0 else 16)
            rows = [(row, styles) for row in table.rows]
            if table.total:
                rows.append((table.total, total_styles))
            for index, (values, formats) in enumerate(rows, start=1):
                for column, (value, spec) in enumerate(zip(values, table.columns, strict=True)):
                    if spec.kind == TEXT or isinstance(value, str):
                        if value not in ("", None):
                            sheet.write_string(index, column, spreadsheet_safe(str(value)),
                                               bold if formats is total_styles else None)
                    elif value is not None:
                        sheet.write_number(index, column, _number(value), formats[spec.kind])
            sheet.freeze_panes(1, 1)
        workbook.close()
