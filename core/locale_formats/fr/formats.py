"""Dates as day/month/year on every page and in every date field (core/formats.py, core.forms.DateInput): the
short form, so that a page shows one format, the one people type. Numbers keep Django's."""

DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
# Typed dates: day/month/year with a four-digit year; Django also accepts ISO (YYYY-MM-DD) after these.
DATE_INPUT_FORMATS = ["%d/%m/%Y"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"]
