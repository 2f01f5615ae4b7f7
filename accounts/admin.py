from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from accounts.models import ApiToken, User
from core.forms import CleanTextMixin


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "language", "is_active")
    list_filter = ("role", "language", "is_active", "is_staff")
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("TCMS"), {"fields": ("role", "language", "digest_frequency")}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((_("TCMS"), {"fields": ("role", "email")}),)


# The tokens are administered below, under their own name and with only the expiry editable.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


class ApiTokenForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["expiry"]
        labels = {"expiry": _("expires")}
        help_texts = {"expiry": _("Empty: the token never expires. A past date stops it at once.")}


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Who holds an API token and until when: an administrator changes a token's expiry or revokes it (deletes it).
    A key is never stored, so it cannot be shown here; each user creates their own on the API token page."""

    form = ApiTokenForm
    list_display = ["holder", "created_on", "expires"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    fields = ["holder", "created_on", "expiry"]
    readonly_fields = ["holder", "created_on"]
    ordering = ["user__username"]

    @admin.display(description=_("user"), ordering="user__username")
    def holder(self, token):
        return token.user

    @admin.display(description=_("created"), ordering="created")
    def created_on(self, token):
        return token.created

    @admin.display(description=_("expires"), ordering="expiry")
    def expires(self, token):
        return token.expiry or _("never")

    def has_add_permission(self, request):
        return False
