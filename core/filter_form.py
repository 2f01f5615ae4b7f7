"""Filter forms rendered fast, for the lists and dashboards that show one on every request.

The options of their selects (objectives, countries, donors, units…) change a few times a year, yet building them
costs hundreds of model instances per request, and Django's widget templates about 1 ms per hundred options. Each
process keeps the (value, label) lists a short while, per language, and writes the selects as HTML directly.
"""

from django import forms
from django.core.cache import cache
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language

OPTIONS_CACHE_SECONDS = 120


def select_options(form: forms.Form, *, cache_key: str) -> dict[str, list[tuple[str, str]]]:
    """{field name: [(value, label)]} for every choice field of `form`, the empty choice first where it has one."""
    key = f"filter-options:{cache_key}:{get_language()}"
    options = cache.get(key)
    if options is None:
        options = {bound.name: [(str(value), str(label)) for value, label in bound.field.choices]
                   for bound in form if _is_select(bound)}
        cache.set(key, options, OPTIONS_CACHE_SECONDS)
    return options


def filter_fields(form: forms.Form, *, cache_key: str) -> list[dict]:
    """The form's fields ready to show: name, id, label, help text, errors and `html`, the control itself."""
    options = select_options(form, cache_key=cache_key)
    return [{"name": bound.html_name, "id": bound.id_for_label, "label": bound.label, "errors": bound.errors,
             "help_text": bound.help_text,
             "html": _select_html(bound, options[bound.name]) if bound.name in options else str(bound)}
            for bound in form]


def _is_select(bound) -> bool:
    return isinstance(bound.field, forms.ChoiceField) and isinstance(bound.field.widget, forms.Select)


def _select_html(bound, choices: list[tuple[str, str]]) -> str:
    value = bound.value()
    chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v not in (None, "")}
    attrs = {**bound.field.widget.attrs, "name": bound.html_name, "id": bound.auto_id}
    if bound.help_text:
        attrs["aria-describedby"] = f"{bound.auto_id}_helptext"
    if isinstance(bound.field.widget, forms.SelectMultiple):
        attrs["multiple"] = True
    options = format_html_join("", '<option value="{}"{}>{}</option>',
                               ((v, " selected" if v in chosen else "", label) for v, label in choices))
    return format_html("<select{}>{}</select>", flatatt(attrs), options)
