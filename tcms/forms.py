"""What the application's forms share."""

from django import forms


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
