from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "language", "is_active")
    list_filter = ("role", "language", "is_active", "is_staff")
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("TCMS"), {"fields": ("role", "language", "digest_frequency")}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + ((_("TCMS"), {"fields": ("role", "email")}),)
