"""Template filters of the formatting layer (core/formats.py); built into every template (settings.TEMPLATES).

    {{ rate|percent }}        0.6866 → 68.7% / 68,7 %
    {{ value|percent_points }} 45.5 → 45.5% / 45,5 %
    {{ amount|money }}        625000 → 625,000 / 625 000     {{ amount|money:2 }} → 625,000.00
    {{ value|number }}        6.5 → 6.5 / 6,5                {{ value|number:1 }}
    {{ flag|yes_no }}         Yes / No
"""

from django import template

from core import formats

register = template.Library()


@register.filter
def percent(value):
    return formats.percent(value)


@register.filter
def percent_points(value):
    return formats.percent_points(value)


@register.filter
def money(value, places=0):
    return formats.money(value, int(places))


@register.filter
def number(value, places=None):
    return formats.number(value, None if places in (None, "") else int(places))


@register.filter
def yes_no(value):
    return formats.yes_no(value)
