"""Security helpers shared by every app: spreadsheet-safe export cells, the sign-in lock-out page, the API docs'
relaxed Content Security Policy. (The upload gate is tcms/uploads.py.)

Settings and their environment variables are in tcms/settings.py ("Security"); the README lists them.
"""

import re
from decimal import Decimal

from django.conf import settings
from django.shortcuts import render

from core.text import xml_safe

# ------------------------------------------------------------------------- CSV/XLSX formula injection

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets
# (OWASP "CSV injection"): "=HYPERLINK(...)", "+cmd|...", "@SUM(...)", a tab or carriage return before one.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def spreadsheet_safe(value):
    """Return value ready for a CSV or XLSX cell: text a spreadsheet would run as a formula gets a leading quote,
    and text loses the characters an XLSX file cannot hold (core.text.xml_safe: text stored before TCMS refused
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
