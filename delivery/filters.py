"""The delivery dashboard's filters: one FilterSet over projects, shared by the dashboard, its downloads and the API.

`selector_filters()` turns the valid filter values into the `filters` dict delivery.selectors understands, so
pages never filter figures themselves.
"""

import datetime as dt
import re

import django_filters
from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextMixin
from core.query_params import FIRST_YEAR, LAST_YEAR
from delivery.selectors import project_filter
from partners.models import Country, Region, Unit
from projects.filters import FundedByFilter
from projects.models import (
    BudgetType,
    Convention,
    CrossCuttingTheme,
    DeclarationPrinciple,
    FundingSource,
    Programme,
    Project,
    ProjectStatus,
    StrategicObjective,
)

SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})
YES_NO = forms.NullBooleanSelect(attrs={"class": "form-select form-select-sm"})


class DeliveryFilterSet(django_filters.FilterSet):
    strategic_objective = django_filters.ModelChoiceFilter(
        queryset=StrategicObjective.objects.all(), label=_("Strategic objective"), widget=SELECT)
    infocus_programme = django_filters.ModelChoiceFilter(
        field_name="primary_programme", queryset=Programme.objects.all(), label=_("InFocus programme"), widget=SELECT)
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.all(), label=_("Region"), widget=SELECT)
    country = django_filters.ModelChoiceFilter(
        field_name="countries", queryset=Country.objects.all(), label=_("Country"), widget=SELECT, distinct=True)
    funding_source = django_filters.ModelChoiceFilter(
        queryset=FundingSource.objects.all(), label=_("Source of funds"), widget=SELECT)
    budget_type = django_filters.ChoiceFilter(
        field_name="funding_source__budget_type", choices=BudgetType.choices, label=_("Budget type"), widget=SELECT)
    donor = FundedByFilter(widget=SELECT)
    unit = django_filters.ModelChoiceFilter(
        method="filter_unit", queryset=Unit.objects.all(), label=_("Responsible unit"), widget=SELECT,
        help_text=_("A unit includes the units below it (a regional office its country offices and their teams)."))
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, label=_("Status"), widget=SELECT)
    theme = django_filters.ModelChoiceFilter(
        field_name="themes", queryset=CrossCuttingTheme.objects.all(),
        label=capfirst(CrossCuttingTheme._meta.verbose_name), widget=SELECT)
    principle = django_filters.ModelChoiceFilter(
        field_name="principles", queryset=DeclarationPrinciple.objects.all(),
        label=capfirst(DeclarationPrinciple._meta.verbose_name), widget=SELECT)
    convention = django_filters.ModelChoiceFilter(
        field_name="conventions", queryset=Convention.objects.all(), label=capfirst(Convention._meta.verbose_name),
        widget=SELECT)
    is_crisis_response = django_filters.BooleanFilter(label=_("Crisis response"), widget=YES_NO)
    is_enterprise_promotion = django_filters.BooleanFilter(label=_("Enterprise promotion"), widget=YES_NO)
    ldc = django_filters.BooleanFilter(
        method="filter_in_year", label=_("In a least developed country"), widget=YES_NO,
        help_text=_("A country counts if it was a least developed country in the year shown."))
    in_transition = django_filters.BooleanFilter(
        method="filter_in_year", label=_("In a country in transition"), widget=YES_NO)

    class Meta:
        model = Project
        fields: list[str] = []

    def filter_unit(self, queryset, name, value: Unit):
        return queryset.filter(project_filter({"unit": value}))

    def filter_in_year(self, queryset, name, value):
        return queryset  # a condition of the figures' year: delivery.selectors applies it (selector_filters)

    def selector_filters(self) -> dict:
        """The valid, non-empty filter values keyed as delivery.selectors.FILTER_LOOKUPS expects."""
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "")}


_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)


class DeliveryPeriodForm(CleanTextMixin, forms.Form):
    """Year and as-of month of the figures; the as-of date is the last day of the chosen month. A value out of
    range is an error shown on the field, and the figures fall back to the default period."""

    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False,
                              widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}))
    as_of = forms.CharField(label=_("As of (month)"), required=False,
                            widget=forms.DateInput(attrs={"type": "month", "class": "form-control form-control-sm"}))

    def clean_as_of(self) -> dt.date | None:
        value = (self.cleaned_data.get("as_of") or "").strip()
        if not value:
            return None
        match = _MONTH_RE.match(value)
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(_("Give a month as YYYY-MM."))
        year, month = int(match[1]), int(match[2])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise forms.ValidationError(_("Give a month between %(first)s-01 and %(last)s-12.")
                                        % {"first": FIRST_YEAR, "last": LAST_YEAR})
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return following - dt.timedelta(days=1)

    def period(self, today: dt.date, default_period) -> tuple[int, dt.date]:
        """(year, as_of) asked for; a year without a month means that year's 31 December (or today if sooner)."""
        data = self.cleaned_data if self.is_valid() else {}
        as_of, year = data.get("as_of"), data.get("year")
        if as_of is not None:
            return year or as_of.year, as_of
        default_year, default_as_of = default_period(today)
        if year is None or year == default_year:
            return default_year, default_as_of
        return year, min(today, dt.date(year, 12, 31))
