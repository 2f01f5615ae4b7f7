import json

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import Rule, SlippageReason
from core import clock, formats
from core.forms import CleanTextMixin, DateInput


class ExplainForm(CleanTextMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Reason for slippage"),
                               widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    comment = forms.CharField(label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))

    def __init__(self, *args, reasons=None, **kwargs):
        super().__init__(*args, **kwargs)
        reasons = reasons if reasons is not None else SlippageReason.objects.filter(is_active=True)
        self.fields["reason"].choices = [("", "—"), *[(reason.code, str(reason)) for reason in reasons]]


class ResolveForm(CleanTextMixin, forms.Form):
    note = forms.CharField(label=_("How was it resolved?"),
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


class RuleForm(CleanTextMixin, forms.ModelForm):
    params = forms.CharField(label=_("Other parameters (JSON)"), required=False,
                             widget=forms.TextInput(attrs={"class": "form-control font-monospace"}))

    class Meta:
        model = Rule
        fields = ["name", "enabled", "amber_threshold", "red_threshold", "params", "description"]
        widgets = {"name": forms.TextInput(attrs={"class": "form-control"}),
                   "amber_threshold": forms.NumberInput(attrs={"class": "form-control", "step": "any"}),
                   "red_threshold": forms.NumberInput(attrs={"class": "form-control", "step": "any"}),
                   "description": forms.Textarea(attrs={"rows": 4, "class": "form-control"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["params"] = json.dumps(self.instance.params or {})

    def clean_params(self):
        text = (self.cleaned_data.get("params") or "").strip() or "{}"
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": exc})
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Give a JSON object, e.g. {\"window_days\": 183}."))
        return value


class RunForm(CleanTextMixin, forms.Form):
    """Run scan now / Send digests now: as of which day (default today, the clock's; never after it)."""

    as_of = forms.DateField(label=_("As of"), required=False,
                            widget=DateInput(attrs={"class": "form-control"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = clock.today()

    def clean_as_of(self):
        today = clock.today()
        value = self.cleaned_data.get("as_of") or today
        if value > today:
            raise forms.ValidationError(_("Give today (%(today)s) or an earlier day: the scan and the digests "
                                          "cannot run ahead of the date.") % {"today": formats.date(today)})
        return value
