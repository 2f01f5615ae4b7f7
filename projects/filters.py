"""The project register's one FilterSet, shared by the register page and the API; and the donor filter that every
FilterSet over projects uses."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from core import clock
from core.query_params import FIRST_YEAR, LAST_YEAR
from partners.models import Country, Region, Unit
from partners.selectors import units_with_descendants
from projects.constituent_selectors import demand_driven
from projects.models import (
    BudgetType,
    Convention,
    CrossCuttingTheme,
    DeclarationPrinciple,
    FundingSource,
    GenderMarker,
    Programme,
    Project,
    ProjectStatus,
    StrategicObjective,
)
from projects.selectors import funded_by, funding_organisations, in_ldc, in_transition_country


class FundedByFilter(django_filters.ModelChoiceFilter):
    """"Donor": the projects funded by the organisation chosen (projects.selectors.funded_by: main donor or an
    approval's organisation), offered among every organisation that funds some project, whatever its kind."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Donor"))
        kwargs.setdefault("queryset", lambda _request: funding_organisations())
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(funded_by(value))


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Symbol or title"), method="filter_text")
    objective = django_filters.ModelChoiceFilter(
        label=_("Strategic objective"), field_name="strategic_objective",
        queryset=StrategicObjective.objects.select_related("biennium"))
    programme = django_filters.ModelChoiceFilter(
        label=_("InFocus programme"), method="filter_programme", queryset=Programme.objects.all())
    region = django_filters.ModelChoiceFilter(label=_("Region"), queryset=Region.objects.all())
    country = django_filters.ModelChoiceFilter(
        label=_("Country"), field_name="countries", queryset=Country.objects.all(), to_field_name="iso3")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=ProjectStatus.choices)
    funding_source = django_filters.ModelChoiceFilter(label=_("Source of funds"), queryset=FundingSource.objects.all())
    budget_type = django_filters.ChoiceFilter(
        label=_("Budget type"), field_name="funding_source__budget_type", choices=BudgetType.choices)
    donor = FundedByFilter()
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"), method="filter_unit", queryset=Unit.objects.all(),
        help_text=_("Responsible or backstopping; a unit includes the units below it (a regional office its country "
                    "offices and their teams)."))
    gender_marker = django_filters.ChoiceFilter(label=_("Gender marker"), choices=GenderMarker.choices)
    is_crisis_response = django_filters.BooleanFilter(label=_("Crisis response"))
    is_enterprise_promotion = django_filters.BooleanFilter(label=_("Enterprise promotion"))
    is_autonomous = django_filters.BooleanFilter(label=_("Requires autonomy"))
    undaf_aligned = django_filters.BooleanFilter(label=_("Aligned with the UNDAF"))
    ldc = django_filters.BooleanFilter(label=_("In a least developed country"), method="filter_ldc")
    ldc_year = YearFilter(
        label=_("LDC status of the year"), method="filter_nothing", min_value=FIRST_YEAR, max_value=LAST_YEAR,
        help_text=_("The “least developed country” filter counts the countries that were LDCs that year; empty: "
                    "this year."))
    in_transition = django_filters.BooleanFilter(label=_("In a country in transition"), method="filter_transition")
    theme = django_filters.ModelChoiceFilter(
        label=capfirst(CrossCuttingTheme._meta.verbose_name), field_name="themes",
        queryset=CrossCuttingTheme.objects.all())
    principle = django_filters.ModelChoiceFilter(
        label=capfirst(DeclarationPrinciple._meta.verbose_name), field_name="principles",
        queryset=DeclarationPrinciple.objects.all())
    convention = django_filters.ModelChoiceFilter(
        label=capfirst(Convention._meta.verbose_name), field_name="conventions", queryset=Convention.objects.all())
    starts_after = django_filters.DateFilter(label=_("Starts on or after"), field_name="planned_start",
                                             lookup_expr="gte")
    ends_before = django_filters.DateFilter(label=_("Ends on or before"), field_name="planned_end", lookup_expr="lte")
    demand_driven = django_filters.BooleanFilter(
        label=_("Answers a constituent request"), method="filter_demand_driven",
        help_text=_("Demand-driven: an accepted request for assistance is linked to the project."))

    class Meta:
        model = Project
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(symbol__icontains=value) | Q(title__icontains=value))

    def filter_programme(self, queryset, name, value: Programme):
        return queryset.filter(Q(primary_programme=value) | Q(other_programmes=value)).distinct()

    def filter_unit(self, queryset, name, value: Unit):
        units = units_with_descendants([value.pk])
        return queryset.filter(Q(responsible_unit_id__in=units) | Q(backstopping_unit_id__in=units))

    def filter_ldc(self, queryset, name, value):
        """LDC in the year of `ldc_year` (this year when empty): projects.selectors.in_ldc."""
        year = self.form.cleaned_data.get("ldc_year") or clock.today().year
        condition = in_ldc(year)
        return queryset.filter(condition if value else ~condition)

    def filter_transition(self, queryset, name, value):
        condition = in_transition_country()
        return queryset.filter(condition if value else ~condition)

    def filter_demand_driven(self, queryset, name, value):
        condition = demand_driven()
        return queryset.filter(condition if value else ~condition)

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by another filter

    @property
    def qs(self):
        queryset = super().qs
        # The country filter joins the M2M table: a project in two matching countries must not show twice.
        if self.form.is_valid() and self.form.cleaned_data.get("country"):
            queryset = queryset.distinct()
        return queryset
