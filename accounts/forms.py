from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import BootstrapMixin, CleanTextMixin


class ProfileForm(CleanTextMixin, BootstrapMixin, forms.ModelForm):
    """The fields of the profile page a person changes themselves (accounts.services.user_update_profile)."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "language", "digest_frequency"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = self.fields["language"]
        language.choices = [("", _("As my browser asks")), *language.choices[1:]]
        language.help_text = _("The language of your e-mails, and of these pages from now on.")
