"""Query parameters a page reads outside its filter form (a year, the id of an object to start from).

A value that is not usable (not a whole number, out of range, naming nothing) never fails the page: the page falls
back to its default and says so in a message, without repeating the value (it may be anything, of any length).
Pages with several parameters read them through a form instead (e.g. delivery.filters.DeliveryPeriodForm) and show
its errors on the fields.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The years a page can be asked about (the delivery figures' range too).
FIRST_YEAR, LAST_YEAR = 1950, 2100


def int_param(request, name: str, *, default, minimum: int, maximum: int):
    """The whole number in `request.GET[name]` from `minimum` to `maximum`, else `default` (with a message if the
    parameter was given)."""
    raw = request.GET.get(name, "")
    if not raw.strip():
        return default
    try:
        return forms.IntegerField(min_value=minimum, max_value=maximum).clean(raw)
    except ValidationError:
        messages.warning(request, _("The “%(name)s” in the address must be a whole number from %(minimum)s to "
                                    "%(maximum)s; it was ignored.") % {"name": name, "minimum": minimum,
                                                                       "maximum": maximum})
        return default


def object_param(request, name: str, queryset):
    """The object of `queryset` whose id is `request.GET[name]`, else None (with a message if the parameter was
    given)."""
    raw = request.GET.get(name, "")
    if not raw.strip():
        return None
    try:
        return forms.ModelChoiceField(queryset=queryset).clean(raw)
    except ValidationError:
        messages.warning(request, _("The “%(name)s” in the address names nothing that exists; it was ignored.")
                         % {"name": name})
        return None
