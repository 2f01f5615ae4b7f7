"""The formatting layer (core/formats.py, its template filters and the per-language formats): one way rates, money,
dates and field values read on pages, in each language."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from core import formats
from core.forms import BootstrapMixin, DateInput
from projects.models import Project, TripartiteInvolvement

NBSP = "\u00a0"


@pytest.mark.parametrize(("language", "rate", "money", "date"), [
    ("en", "68.7%", "1,625,000", "31/10/2001"),
    ("fr", f"68,7{NBSP}%", f"1{NBSP}625{NBSP}000", "31/10/2001"),
    ("es", f"68,7{NBSP}%", f"1{NBSP}625{NBSP}000", "31/10/2001"),
])
def test_rates_money_and_dates_in_each_language(language, rate, money, date):
    with translation.override(language):
        assert formats.percent(Decimal("0.6866")) == rate
        assert formats.money(Decimal("1625000.40")) == money
        assert formats.date(dt.date(2001, 10, 31)) == date
        page = Template("{{ r|percent }} {{ m|money }} {{ d|date }}").render(Context(
            {"r": Decimal("0.6866"), "m": Decimal("1625000.40"), "d": dt.date(2001, 10, 31)}))
        assert page == f"{rate} {money} {date}"


def test_one_decimal_rounds_half_up_and_missing_values_read_as_a_dash():
    with translation.override("en"):
        assert formats.percent(Decimal("0.12345")) == "12.3%" and formats.percent("0.99995") == "100.0%"
        assert formats.percent(1) == "100.0%" and formats.percent_points(45) == "45.0%"
        assert formats.money(Decimal("1234.565"), 2) == "1,234.57"
        assert [formats.percent(None), formats.money(None), formats.date(None), formats.month("")] == ["—"] * 4
        assert formats.month("2001-03") == formats.month(dt.date(2001, 3, 1)) == "03/2001"


def test_field_values_read_as_labels():
    stage = TripartiteInvolvement._meta.get_field("stage")
    contemplated = TripartiteInvolvement._meta.get_field("contemplated")
    marker = Project._meta.get_field("gender_marker")
    with translation.override("en"):
        assert formats.field_label(stage) == "Stage" and formats.field_value(stage, "FORMULATION") == "Formulation"
        assert formats.field_value(contemplated, True) == "Yes" and formats.field_value(contemplated, False) == "No"
        assert formats.field_value(marker, 1) == str(dict(marker.flatchoices)[1])
        assert formats.field_value(Project._meta.get_field("planned_end"), dt.date(2002, 6, 30)) == "30/06/2002"
    with translation.override("fr"):
        assert formats.field_value(contemplated, True) == "Oui"


class _Dated(BootstrapMixin, forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_date_fields_show_and_take_day_month_year(language):
    with translation.override(language):
        form = _Dated(initial={"day": dt.date(2001, 10, 31)})
        html = str(form["day"])
        assert 'type="text"' in html and 'value="31/10/2001"' in html and "placeholder=" in html
        for typed in ("31/10/2001", "2001-10-31"):
            bound = _Dated({"day": typed})
            assert bound.is_valid() and bound.cleaned_data["day"] == dt.date(2001, 10, 31)
        assert not _Dated({"day": "10/31/2001"}).is_valid()  # month first is no date here
    assert isinstance(DateInput(), forms.DateInput) and DateInput().input_type == "text"
