from django import forms
from django.utils.translation import gettext_lazy as _

from core import clock
from core.forms import BootstrapMixin, CleanTextMixin, DateInput
from reports.models import ImplementationPlan, Milestone, ReportRequest


class ReportRequestForm(CleanTextMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ReportRequest
        fields = ["kind", "year", "period_start", "period_end", "as_of", "plan", "format", "language"]
        widgets = {"period_start": DateInput(), "period_end": DateInput(), "as_of": DateInput()}
        help_texts = {"year": _("For the annual report."), "period_start": _("For the mid-term report."),
                      "plan": _("For the implementation plan.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = clock.today()  # by default, this year's report as of today
        self.fields["year"].initial = today.year
        self.fields["as_of"].initial = today


class PlanForm(CleanTextMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ImplementationPlan
        fields = ["title", "description", "start_date", "end_date"]
        widgets = {"start_date": DateInput(), "end_date": DateInput(), "description": forms.Textarea(attrs={"rows": 2})}


class MilestoneForm(CleanTextMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "owner", "start_date", "due_date", "status", "completed_on"]
        widgets = {"start_date": DateInput(), "due_date": DateInput(), "completed_on": DateInput()}
