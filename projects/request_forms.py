"""Forms of the constituents' pages: a request for assistance, the Office's decision on it, a government's word
on an autonomous programme (issue 18.4-5); and the review list's filters."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, CleanTextMixin, DateInput
from partners.models import CONSTITUENT_KINDS, Country, Organisation
from projects.models import AssistanceRequest, ConstituentGroup, Project, RequestStatus, StrategicObjective
from projects.services.requests import DECISIONS


class RequestForm(CleanTextMixin, BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("What the assistance is for, and the priority it answers."))
    strategic_objective = forms.ModelChoiceField(label=_("Strategic objective"),
                                                 queryset=StrategicObjective.objects.select_related("biennium"))
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.order_by("name"))
    groups = forms.MultipleChoiceField(label=_("Constituent groups backing the request"),
                                       choices=ConstituentGroup.choices, widget=forms.CheckboxSelectMultiple)


class DecisionForm(CleanTextMixin, BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(label=_("Decision"),
                                 choices=[(value, RequestStatus(value).label) for value in DECISIONS])
    reason = forms.CharField(label=_("Reason (required to decline)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    project = forms.CharField(label=_("Project it led to (symbol)"), required=False, max_length=64,
                              help_text=_("For an accepted request: the project that answers it."))

    def clean_project(self):
        symbol = self.cleaned_data.get("project", "").strip()
        if not symbol:
            return None
        project = Project.objects.filter(symbol__iexact=symbol).first()
        if project is None:
            raise forms.ValidationError(_("No project has the symbol “%(symbol)s”.") % {"symbol": symbol})
        return project


class AutonomyForm(CleanTextMixin, BootstrapMixin, forms.Form):
    informed_on = forms.DateField(label=_("Informed on"), widget=DateInput())
    agrees = forms.TypedChoiceField(label=_("The government agrees"), coerce=lambda value: value == "yes",
                                    choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (required if the government does not agree)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class RequestFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title"), method="filter_text")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=RequestStatus.choices)
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=Organisation.objects.filter(kind__in=CONSTITUENT_KINDS).order_by("name"))
    country = django_filters.ModelChoiceFilter(label=_("Country"), queryset=Country.objects.order_by("name"),
                                               to_field_name="iso3")
    strategic_objective = django_filters.ModelChoiceFilter(
        label=_("Strategic objective"), queryset=StrategicObjective.objects.select_related("biennium"))
    linked = django_filters.BooleanFilter(label=_("Linked to a project"), field_name="project",
                                          lookup_expr="isnull", exclude=True)

    class Meta:
        model = AssistanceRequest
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value)) if value else queryset
