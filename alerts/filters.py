"""The alerts' one FilterSet, shared by the alerts page and (later) the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert, AlertState, Rule, Severity
from partners.models import Region, Unit
from partners.selectors import units_with_descendants

SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})


class AlertFilterSet(django_filters.FilterSet):
    rule = django_filters.ModelChoiceFilter(queryset=Rule.objects.all(), to_field_name="code", label=_("Rule"),
                                            widget=SELECT)
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"), widget=SELECT)
    state = django_filters.ChoiceFilter(choices=[("UNRESOLVED", _("Not resolved")), *AlertState.choices],
                                        method="filter_state", label=_("State"), widget=SELECT)
    region = django_filters.ModelChoiceFilter(field_name="project__region", queryset=Region.objects.all(),
                                              to_field_name="code", label=_("Region"), widget=SELECT)
    unit = django_filters.ModelChoiceFilter(queryset=Unit.objects.all(), to_field_name="code", method="filter_unit",
                                            label=_("Unit (responsible or backstopping)"), widget=SELECT,
                                            help_text=_("A unit includes the units below it."))
    project = django_filters.CharFilter(field_name="project__symbol", lookup_expr="icontains", label=_("Project"),
                                        widget=forms.TextInput(attrs={"class": "form-control form-control-sm",
                                                                      "placeholder": "RLA/12/01/USA"}))
    period = django_filters.NumberFilter(label=_("Year"),
                                         widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}))

    class Meta:
        model = Alert
        fields: list[str] = []

    def filter_state(self, queryset, name, value):
        if value == "UNRESOLVED":
            return queryset.exclude(state=AlertState.RESOLVED)
        return queryset.filter(state=value)

    def filter_unit(self, queryset, name, value: Unit):
        units = units_with_descendants([value.pk])
        return queryset.filter(Q(project__responsible_unit_id__in=units) | Q(project__backstopping_unit_id__in=units))
