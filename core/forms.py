"""What the application's forms share."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import validate_clean_text


class DateInput(forms.DateInput):
    """A date typed in the language's one format (day/month/year: core/locale_formats), shown as a hint; ISO dates
    (YYYY-MM-DD) are accepted too. A text field, not the browser's picker, which shows its own locale's format
    (month first in a US browser) beside the page's dates."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(attrs={**DATE_ATTRS, **(attrs or {})})


DATE_ATTRS = {"placeholder": _("dd/mm/yyyy"), "autocomplete": "off"}


class CleanTextMixin:
    """Every text field of the form refuses the characters of core.text, with the error under the field.

    Every form class of the apps derives from it (tests/security/test_clean_text.py holds this), so that fields
    the form declares itself (a reason, a comment) are checked as well as those a ModelForm takes from its model
    (which the model's validation checks too: see tcms.apps.refuse_forbidden_text_in_models).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and validate_clean_text not in field.validators:
                field.validators.append(validate_clean_text)  # each form has its own copy of its fields


class BootstrapMixin:
    """Bootstrap classes on every widget, and the language's date format on date inputs (DateInput), so that
    templates can render fields in a loop."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            classes = widget.attrs.get("class", "").split()
            if css not in classes:
                widget.attrs["class"] = " ".join([*classes, css])
            if isinstance(widget, forms.DateInput):  # whatever the form declared: the language's format
                widget.input_type, widget.format = DateInput.input_type, None
                widget.attrs = {**DATE_ATTRS, **widget.attrs}
