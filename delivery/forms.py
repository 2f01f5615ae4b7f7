"""The approval form of a project's money tab; it only checks the shape of the input: delivery/services.py
converts the amount to US$ and validates the rest."""

from django import forms

from core.forms import BootstrapMixin, CleanTextMixin
from delivery.models import Approval
from partners.models import Organisation, OrganisationKind


class ApprovalForm(CleanTextMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Approval
        fields = ["donor", "date", "amount", "currency"]
        widgets = {"date": forms.DateInput(), "currency": forms.TextInput(attrs={"size": 3, "maxlength": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["donor"].queryset = Organisation.objects.exclude(
            kind__in=[OrganisationKind.EMPLOYERS, OrganisationKind.WORKERS])

    def _post_clean(self):
        """The model is validated by the service, once its US$ value is known."""

    def service_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}
