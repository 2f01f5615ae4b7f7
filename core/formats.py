"""How values read on pages, in the language of the page: the one formatting layer. Templates use it through the
filters of core/templatetags/display.py (built into every template); views and selectors that build text for
people call these functions.

- A rate or share (a fraction such as 0.6866) reads as a percentage with one decimal: "68.7%" in English,
  "68,7 %" in French and Spanish. Fractions stay fractions only in CSV, XLSX and the API, whose columns say so.
- Money reads with the language's thousands separator: "625,000" / "625 000"; no decimals unless asked.
- Dates read in the language's one format (core/locale_formats: day/month/year): "31/10/2001".
- A model field's value reads as people know it: a choice's label, Yes/No, a formatted date or number, the name of
  the related record, never its code or id (`field_value`, which the change histories use).

Nothing here rounds a figure that is stored or compared: only the text shown.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

EMPTY = "—"


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def number(value, places: int | None = None) -> str:
    """A number with the language's decimal and thousands separators; `places` decimals (rounded half up), or as
    many as it has."""
    amount = _decimal(value)
    if amount is None:
        return EMPTY
    if places is not None:
        amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return formats.number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)


def money(value, places: int = 0) -> str:
    """An amount of money (the currency is in the column or the label): 625,000 / 625 000."""
    return number(value, places)


def percent_points(value, places: int = 1) -> str:
    """A figure already in percent (45.5 means 45.5 %) as "45.5%" / "45,5 %"."""
    if _decimal(value) is None:
        return EMPTY
    return _("%(number)s%%") % {"number": number(value, places)}


def percent(fraction, places: int = 1) -> str:
    """A rate or share (0.6866) as a percentage with one decimal: "68.7%" / "68,7 %"."""
    amount = _decimal(fraction)
    return EMPTY if amount is None else percent_points(amount * 100, places)


def yes_no(value) -> str:
    if value is None:
        return EMPTY
    return _("Yes") if value else _("No")


def date(value) -> str:
    """A date (or the date of a datetime) in the language's format."""
    if not value:
        return EMPTY
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def month(value) -> str:
    """A month (a date, or "YYYY-MM" as files and the API write it) as the language's dates write it: 10/2001."""
    if not value:
        return EMPTY
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(f"{value}-01")
        except ValueError:
            return value
    return formats.date_format(value, "m/Y")


def date_time(value) -> str:
    if not value:
        return EMPTY
    return formats.date_format(value, "SHORT_DATETIME_FORMAT")


def field_label(field) -> str:
    """A model field's name as people read it: its verbose name, capitalised."""
    return capfirst(str(field.verbose_name))


def field_value(field, value) -> str:
    """A model field's value as people read it. A foreign key's value is the related record (or its id when the
    record is gone); a many-to-many's is a list of related records."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, (list, tuple, set)):
        return ", ".join(field_value(field, item) for item in value) or EMPTY
    if field.choices:
        labels = dict(field.flatchoices)
        return str(labels.get(value, value))
    if isinstance(field, models.BooleanField):
        return yes_no(value)
    if isinstance(field, models.DateTimeField):
        return date_time(value)
    if isinstance(field, models.DateField):
        return date(value)
    if isinstance(field, models.DecimalField):
        return number(value)
    return str(value)
