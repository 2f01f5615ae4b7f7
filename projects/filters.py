"""The project register's one FilterSet, shared by the register page and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partners.models import Country, Organisation, OrganisationKind, Region, Unit
from partners.selectors import units_with_descendants
from projects.models import (
    BudgetType,
    FundingSource,
    GenderMarker,
    Programme,
    Project,
    ProjectStatus,
    StrategicObjective,
)


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
    donor = django_filters.ModelChoiceFilter(
        label=_("Donor"), queryset=Organisation.objects.exclude(
            kind__in=[OrganisationKind.EMPLOYERS, OrganisationKind.WORKERS]))
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
    starts_after = django_filters.DateFilter(label=_("Starts on or after"), field_name="planned_start",
                                             lookup_expr="gte")
    ends_before = django_filters.DateFilter(label=_("Ends on or before"), field_name="planned_end", lookup_expr="lte")

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
        in_ldc = Q(countries__is_ldc=True)
        if value:
            return queryset.filter(in_ldc).distinct()
        return queryset.exclude(pk__in=Project.objects.filter(in_ldc).values("pk"))

    @property
    def qs(self):
        queryset = super().qs
        # The country filter joins the M2M table: a project in two matching countries must not show twice.
        if self.form.is_valid() and self.form.cleaned_data.get("country"):
            queryset = queryset.distinct()
        return queryset
