"""Security helpers shared by every app: upload limits, spreadsheet-safe export cells, the sign-in lock-out page.

Settings and their environment variables are in tcms/settings.py ("Security"); the README lists them.
"""

import re
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tcms.tabular import XLSX_MAGIC
from tcms.text import xml_safe

# --------------------------------------------------------------------------------------------- uploads

TABLE_EXTENSIONS = (".csv", ".xlsx")
# Signatures of files that are certainly not a CSV table even when named .csv (zip/xlsx, PDF, OLE2 .xls, gzip).
_BINARY_SIGNATURES = (XLSX_MAGIC, b"%PDF", b"\xd0\xcf\x11\xe0", b"\x1f\x8b")
_SNIFF_BYTES = 4096


def _upload_size(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        position = upload.tell()
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(position)
    return size


def _head(upload) -> bytes:
    position = upload.tell()
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(position)
    return head if isinstance(head, bytes) else head.encode()


def validate_table_upload(upload) -> None:
    """Refuse an uploaded table that is too big, not .csv/.xlsx, or whose content does not match its name.

    Every import page calls it (as a form-field validator or before calling the import service), so the limit
    TCMS_MAX_UPLOAD_BYTES and the accepted types are enforced in one place. Raises ValidationError.
    """
    limit = settings.TCMS_MAX_UPLOAD_BYTES
    size = _upload_size(upload)
    if size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty_file")
    name = getattr(upload, "name", "") or ""
    extension = PurePath(name).suffix.lower()
    if extension not in TABLE_EXTENSIONS:
        raise ValidationError(
            _("Only CSV and XLSX files can be imported (the file is “%(name)s”).") % {"name": PurePath(name).name},
            code="file_type",
        )
    head = _head(upload)
    if extension == ".xlsx" and not head.startswith(XLSX_MAGIC):
        raise ValidationError(_("The file is named .xlsx but is not an XLSX workbook."), code="file_type")
    if extension == ".csv" and (head.startswith(_BINARY_SIGNATURES) or b"\x00" in head):
        raise ValidationError(_("The file is named .csv but is not a text file."), code="file_type")


# ------------------------------------------------------------------------- CSV/XLSX formula injection

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets
# (OWASP "CSV injection"): "=HYPERLINK(...)", "+cmd|...", "@SUM(...)", a tab or carriage return before one.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def spreadsheet_safe(value):
    """Return value ready for a CSV or XLSX cell: text a spreadsheet would run as a formula gets a leading quote,
    and text loses the characters an XLSX file cannot hold (tcms.text.xml_safe: text stored before TCMS refused
    them must not break an export).

    Numbers, dates and None pass unchanged; so does text that is just a number ("-12.50"), which a spreadsheet
    reads as a number, not a formula. Use it on every cell of every export (see spreadsheet_safe_row).
    """
    if value is None or isinstance(value, (bool, int, float, Decimal)) or not isinstance(value, str):
        return value
    value = xml_safe(value)  # first: a control character must not hide a formula's "=" from the check below
    if not value:
        return value
    stripped = value.lstrip(" \u00a0")
    if stripped[:1] in _FORMULA_STARTS or value[:1] in _FORMULA_STARTS:
        if _PLAIN_NUMBER.match(value.strip()):
            return value
        return "'" + value
    return value


def spreadsheet_safe_row(row):
    """spreadsheet_safe applied to each cell of a row (a list or tuple); returns a list."""
    return [spreadsheet_safe(value) for value in row]


# ------------------------------------------------------------------------------------ sign-in lock-out


def lockout_response(request, original_response=None, credentials=None):
    """The page django-axes shows when a username+address pair is locked out (AXES_LOCKOUT_CALLABLE)."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


# ------------------------------------------------------------------------- Content Security Policy

# The API documentation pages (drf-spectacular's Swagger UI and Redoc templates) start with an inline script and
# inline styles, and Redoc runs a blob: worker. They are for signed-in API users and show only the schema, so they
# alone get this relaxation (wrap their views with relaxed_csp_for_api_docs in tcms/api_urls.py).
API_DOCS_CSP = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "worker-src": ["'self'", "blob:"],
}


def relaxed_csp_for_api_docs(view):
    from csp.decorators import csp_replace

    return csp_replace(API_DOCS_CSP)(view)
