"""Tables offered for download as CSV or XLSX: one writer for every export and template."""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse

from core.security import spreadsheet_safe_row

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streamed response."""

    def write(self, value):
        return value


def table_download(rows: Iterable, *, name: str, fmt: str, sheet: str, stream: bool = False) -> HttpResponse:
    """`rows` (the header first) as the attachment `name`.csv or `name`.xlsx.

    Every cell a spreadsheet would run as a formula is neutralised; XLSX gets amounts as numbers. `stream` sends a
    CSV row by row (a long export) instead of in one piece.
    """
    safe_rows = (spreadsheet_safe_row(row) for row in rows)
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        worksheet = workbook.create_sheet(sheet)
        for row in safe_rows:
            worksheet.append([float(value) if isinstance(value, Decimal) else value for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    elif stream:
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse((writer.writerow(row) for row in safe_rows),
                                         content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        csv.writer(response).writerows(safe_rows)
    response["Content-Disposition"] = f'attachment; filename="{name}.{"xlsx" if fmt == "xlsx" else "csv"}"'
    return response
