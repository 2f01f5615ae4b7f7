from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from alerts import services
from alerts.models import Alert, AlertEvent, DigestSend, Rule, SlippageReason


@admin.register(Rule)
class RuleAdmin(TranslationAdmin):
    list_display = ["code", "name", "enabled", "amber_threshold", "red_threshold", "params"]
    list_editable = ["enabled", "amber_threshold", "red_threshold"]
    readonly_fields = ["code", "updated_at"]

    def has_add_permission(self, request):
        return False  # the rules are the codes the scan knows (alerts/conditions.py); seeded by migration

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The one write path of a rule (administrators only, row lock, model validation), as alerts:rules.
        services.rule_update(rule=obj, user=request.user,
                             **{name: form.cleaned_data[name] for name in form.changed_data})


@admin.register(SlippageReason)
class SlippageReasonAdmin(TranslationAdmin):
    list_display = ["code", "label", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "severity", "user", "at", "as_of", "note"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """Read-only: alerts change through the scan and the lifecycle services, which keep the history."""

    list_display = ["project", "rule", "period", "severity", "state", "raised_on", "resolved_on"]
    list_filter = ["rule", "severity", "state", "period"]
    search_fields = ["project__symbol"]
    list_select_related = ["project", "rule"]
    inlines = [AlertEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # an alert's history is kept: it is resolved, never deleted


@admin.register(DigestSend)
class DigestSendAdmin(admin.ModelAdmin):
    list_display = ["recipient", "frequency", "period_key", "status", "attempts", "sent_at"]
    list_filter = ["status", "frequency"]
    list_select_related = ["recipient"]
    readonly_fields = [field.name for field in DigestSend._meta.fields] + ["alerts"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the log of the digests sent, written by the digest task

    def has_delete_permission(self, request, obj=None):
        return False
