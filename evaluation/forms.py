"""Forms only collect and clean input; the services in services.py validate the rules and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, CleanTextMixin, DateInput

from .models import (
    Evaluation,
    FollowUpStatus,
    Indicator,
    Lesson,
    Recommendation,
    RequiredEvaluationRule,
    ResponseKind,
    Result,
)

DATE = DateInput()


class EvaluationForm(CleanTextMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["title", "projects", "type", "timing", "status", "planned_date", "actual_date", "evaluator",
                  "is_independent", "budget_usd", "relevance", "coherence", "effectiveness", "efficiency", "impact",
                  "sustainability", "report", "summary"]
        widgets = {"planned_date": DATE, "actual_date": DATE, "summary": forms.Textarea(attrs={"rows": 5}),
                   "projects": forms.SelectMultiple(attrs={"size": 8})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = self.fields["projects"].queryset.only("id", "symbol", "title")
        self.fields["report"].widget.attrs["accept"] = ".pdf,.docx"

    def service_fields(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items() if name != "projects"}
        if data.get("report") is None:
            data.pop("report", None)  # nothing uploaded: keep the current report
        elif data["report"] is False:
            data["report"] = ""
        return data


class RecommendationForm(CleanTextMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ["text", "addressee", "priority"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}


class ManagementResponseForm(CleanTextMixin, BootstrapMixin, forms.Form):
    response = forms.ChoiceField(label=_("Response"), choices=ResponseKind.choices)
    justification = forms.CharField(label=_("Justification"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text=_("Required when the recommendation is rejected or partially accepted."))
    action = forms.CharField(label=_("Action planned"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.CharField(label=_("Responsible for the action"), required=False, max_length=255)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)


class FollowUpForm(CleanTextMixin, BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label=_("Follow-up"), choices=[
        c for c in FollowUpStatus.choices if c[0] != FollowUpStatus.NOT_APPLICABLE])
    completion_date = forms.DateField(label=_("Action completed on"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class LessonForm(CleanTextMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Lesson
        fields = ["kind", "title", "text", "evaluation", "project", "objective", "programme", "country", "theme",
                  "is_validated"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = self.fields["project"].queryset.only("id", "symbol", "title")
        self.fields["programme"].queryset = self.fields["programme"].queryset.select_related("biennium")


class RequiredRuleForm(CleanTextMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = RequiredEvaluationRule
        fields = ["min_budget_usd", "max_budget_usd", "type", "timing", "is_active"]


class ResultForm(CleanTextMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Result
        fields = ["kind", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class IndicatorForm(CleanTextMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["title", "measure", "ascending", "sex_disaggregated", "means_of_verification",
                  "framework_indicator"]
        widgets = {"means_of_verification": forms.Textarea(attrs={"rows": 2})}


class BaselineForm(CleanTextMixin, BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100)
    value = forms.DecimalField(label=_("Value"), required=False, max_digits=16, decimal_places=4,
                               help_text=_("Leave empty for a qualitative indicator."))
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PeriodForm(CleanTextMixin, BootstrapMixin, forms.Form):
    start = forms.DateField(label=_("Period start"), widget=DATE)
    end = forms.DateField(label=_("Period end"), widget=DATE)
    target = forms.DecimalField(label=_("Target"), required=False, max_digits=16, decimal_places=4)
    actual = forms.DecimalField(label=_("Actual"), required=False, max_digits=16, decimal_places=4)
    actual_women = forms.DecimalField(label=_("Actual (women)"), required=False, max_digits=16, decimal_places=4)
    actual_men = forms.DecimalField(label=_("Actual (men)"), required=False, max_digits=16, decimal_places=4)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, indicator=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # a target is changed through a revision, with its reason
            del self.fields["target"]
        if indicator is not None and not indicator.sex_disaggregated:
            del self.fields["actual_women"], self.fields["actual_men"]


class TargetRevisionForm(CleanTextMixin, BootstrapMixin, forms.Form):
    new_target = forms.DecimalField(label=_("New target"), required=False, max_digits=16, decimal_places=4)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
