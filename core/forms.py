"""What the application's forms share."""

from django import forms

from core.text import validate_clean_text


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
    """Bootstrap classes on every widget, and the browser's own date picker on date inputs, so that templates can
    render fields in a loop."""

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
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
