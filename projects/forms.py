"""Forms of the register's pages. They only parse and check input: saving goes through projects/services.py."""

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, CleanTextMixin, DateInput
from partners.models import CONSTITUENT_KINDS, Country, Organisation, OrganisationKind
from projects.models import (
    ALLOWED_TRANSITIONS,
    DateField,
    ExpertAssignment,
    ProgressReport,
    Project,
    ProjectPartner,
    ProjectStatus,
    TrainingActivity,
    TripartiteInvolvement,
)

PROJECT_FIELDS = [
    "symbol", "title", "summary", "status", "planned_start", "planned_end", "actual_start", "actual_end",
    "strategic_objective", "primary_programme", "other_programmes", "themes", "region", "countries",
    "funding_source", "donor", "responsible_unit", "backstopping_unit", "responsible_official", "gender_marker",
    "is_crisis_response", "is_enterprise_promotion", "principles", "conventions", "undaf_aligned",
    "country_objective", "is_autonomous", "autonomy_reason",
]
PROJECT_M2M = ("countries", "other_programmes", "themes", "principles", "conventions")
# Groups of fields as the form shows them (fieldsets).
PROJECT_SECTIONS = [
    (_("Identification"), ["symbol", "title", "summary", "status"]),
    (_("Dates"), ["planned_start", "planned_end", "actual_start", "actual_end", "date_reason"]),
    (_("Classification"), ["strategic_objective", "primary_programme", "other_programmes", "themes", "region",
                           "countries", "gender_marker", "is_crisis_response", "is_enterprise_promotion",
                           "principles", "conventions", "undaf_aligned", "country_objective", "is_autonomous",
                           "autonomy_reason"]),
    (_("Funding and responsibility"), ["funding_source", "donor", "responsible_unit", "backstopping_unit",
                                       "responsible_official"]),
]


class ProjectForm(CleanTextMixin, BootstrapMixin, forms.ModelForm):
    """Create (with a status) or edit (with the version seen and a reason for revised dates) a project."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    date_reason = forms.CharField(
        label=_("Reason for revising dates"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when you change a date that already had a value; the earlier date is kept."))

    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        widgets = {
            "planned_start": DateInput(), "planned_end": DateInput(), "actual_start": DateInput(),
            "actual_end": DateInput(), "summary": forms.Textarea(attrs={"rows": 3}),
            "autonomy_reason": forms.Textarea(attrs={"rows": 2}),
            "other_programmes": forms.SelectMultiple(attrs={"size": 4}),
            "countries": forms.SelectMultiple(attrs={"size": 6}),
            "themes": forms.SelectMultiple(attrs={"size": 3}),
            "principles": forms.SelectMultiple(attrs={"size": 4}),
            "conventions": forms.SelectMultiple(attrs={"size": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_edit = bool(self.instance.pk)
        if self.is_edit:
            # The status moves only along the allowed transitions, through its own form.
            del self.fields["status"]
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True
        else:
            del self.fields["date_reason"]
            self.fields["status"].choices = [(s, label) for s, label in ProjectStatus.choices
                                             if s in (ProjectStatus.PIPELINE, ProjectStatus.APPROVED,
                                                      ProjectStatus.ONGOING)]
        self.fields["donor"].queryset = Organisation.objects.exclude(
            kind__in=[OrganisationKind.EMPLOYERS, OrganisationKind.WORKERS])

    def sections(self):
        return [(title, [self[name] for name in names if name in self.fields]) for title, names in PROJECT_SECTIONS]

    def service_values(self) -> dict:
        """Keyword arguments for projects.services.project_create / project_update."""
        return {name: self.cleaned_data[name] for name in self.fields
                if name not in ("version", "date_reason") and name in self.cleaned_data}


class PartnerForm(CleanTextMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ProjectPartner
        fields = ["organisation", "role"]


NEW_ORGANISATION_FORM_ID = "new-organisation-form"


class NewOrganisationForm(CleanTextMixin, BootstrapMixin, forms.Form):
    """An organisation missing from the partner picker, added without leaving the project form: its fields sit in
    the partners table's fieldset but belong to their own <form> (the HTML `form` attribute), so that they are never
    posted with the project. partners.services.organisation_create decides (permission, duplicates)."""

    prefix = "new_organisation"

    name = forms.CharField(label=_("Name of the organisation"), max_length=255)
    acronym = forms.CharField(label=_("Acronym"), max_length=32, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.all(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["form"] = NEW_ORGANISATION_FORM_ID


class TripartiteForm(CleanTextMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = TripartiteInvolvement
        fields = ["stage", "group", "contemplated", "contemplated_description", "actual_date", "actual_organisation",
                  "actual_description", "women", "men"]
        widgets = {"actual_date": DateInput(), "contemplated_description": forms.Textarea(attrs={"rows": 1}),
                   "actual_description": forms.Textarea(attrs={"rows": 1})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actual_organisation"].queryset = Organisation.objects.filter(kind__in=CONSTITUENT_KINDS)


class ExpertForm(CleanTextMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ExpertAssignment
        fields = ["name", "nationality", "year", "work_months"]


class TrainingForm(CleanTextMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = TrainingActivity
        fields = ["title", "area", "start_date", "end_date", "women", "men", "is_turin_centre"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}


class ProgressReportForm(CleanTextMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ProgressReport
        fields = ["period_end", "due_date", "submitted_date", "comment"]
        widgets = {"period_end": DateInput(), "due_date": DateInput(), "submitted_date": DateInput(),
                   "comment": forms.Textarea(attrs={"rows": 1})}


def _formset(model, form, extra):
    return inlineformset_factory(Project, model, form=form, extra=extra, can_delete=True)


PartnerFormSet = _formset(ProjectPartner, PartnerForm, 2)
TripartiteFormSet = _formset(TripartiteInvolvement, TripartiteForm, 3)
ExpertFormSet = _formset(ExpertAssignment, ExpertForm, 2)
TrainingFormSet = _formset(TrainingActivity, TrainingForm, 2)
ProgressReportFormSet = _formset(ProgressReport, ProgressReportForm, 2)


class StatusForm(CleanTextMixin, BootstrapMixin, forms.Form):
    """Offers only the statuses the project may move to from where it is."""

    status = forms.ChoiceField(label=_("New status"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_TRANSITIONS.get(project.status, frozenset())
        self.fields["status"].choices = [(s, label) for s, label in ProjectStatus.choices if s in allowed]
        self.fields["version"].initial = project.version


class DateRevisionForm(CleanTextMixin, BootstrapMixin, forms.Form):
    field = forms.ChoiceField(label=_("Date to revise"), choices=DateField.choices)
    new_value = forms.DateField(label=_("New date"), required=False, widget=DateInput(),
                                help_text=_("Leave empty only to clear an actual date."))
    reason = forms.CharField(label=_("Reason for the revision"), widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = project.version

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("field") in (DateField.PLANNED_START, DateField.PLANNED_END) and not cleaned.get("new_value"):
            self.add_error("new_value", _("A planned date cannot be empty."))
        return cleaned


# The records edited on a project's "records" page: URL kind → (formset, title, creation service name).
RECORD_KINDS = {
    "experts": (ExpertFormSet, _("Experts"), "expert_create"),
    "training": (TrainingFormSet, _("Training"), "training_create"),
    "reports": (ProgressReportFormSet, _("Progress reports"), "progress_report_create"),
}


class InvolvementReportForm(CleanTextMixin, BootstrapMixin, forms.Form):
    """A constituent's report on a tripartite cell: what happened, or that they were not involved."""

    not_involved = forms.BooleanField(
        label=_("We were not involved"), required=False,
        help_text=_("Tick if your organisation did not take part although the Office recorded it."))
    actual_date = forms.DateField(label=_("Date it happened"), required=False, widget=DateInput())
    actual_description = forms.CharField(label=_("What happened"), required=False,
                                         widget=forms.Textarea(attrs={"rows": 3}))
    women = forms.IntegerField(label=_("Women taking part"), required=False, min_value=0)
    men = forms.IntegerField(label=_("Men taking part"), required=False, min_value=0)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class InvolvementAnswerForm(CleanTextMixin, BootstrapMixin, forms.Form):
    """The Office's answer to a constituent's report, when it does not accept it as it stands."""

    comment = forms.CharField(label=_("Your answer to the constituent"), widget=forms.Textarea(attrs={"rows": 3}))
    next = forms.CharField(required=False, widget=forms.HiddenInput)
