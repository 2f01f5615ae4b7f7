"""Data entry in the admin: the same validations as the services (model clean, status transitions, date revisions)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from core.forms import CleanTextMixin
from projects import services
from projects.models import (
    Biennium,
    Convention,
    CrossCuttingTheme,
    DateRevision,
    DeclarationPrinciple,
    ExpertAssignment,
    FrameworkIndicator,
    FundingSource,
    InputType,
    OperationalObjective,
    Programme,
    ProgressReport,
    Project,
    ProjectImport,
    ProjectPartner,
    StrategicObjective,
    TrainingActivity,
    TripartiteInvolvement,
)


class ProgrammeInline(TranslationTabularInline):
    model = Programme
    extra = 0


class OperationalObjectiveInline(TranslationTabularInline):
    model = OperationalObjective
    extra = 0


@admin.register(Biennium)
class BienniumAdmin(admin.ModelAdmin):
    list_display = ["code", "start_year", "end_year"]


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(TranslationAdmin):
    list_display = ["code", "title", "biennium"]
    list_filter = ["biennium"]
    inlines = [ProgrammeInline, OperationalObjectiveInline]


class FrameworkIndicatorInline(admin.TabularInline):
    model = FrameworkIndicator
    extra = 0


@admin.register(OperationalObjective)
class OperationalObjectiveAdmin(TranslationAdmin):
    list_display = ["code", "title", "objective"]
    list_filter = ["objective__biennium", "objective"]
    inlines = [FrameworkIndicatorInline]


@admin.register(Programme)
class ProgrammeAdmin(TranslationAdmin):
    list_display = ["code", "title", "objective", "biennium"]
    list_filter = ["biennium", "objective"]


@admin.register(CrossCuttingTheme)
class CrossCuttingThemeAdmin(TranslationAdmin):
    list_display = ["code", "title", "biennium"]


@admin.register(DeclarationPrinciple)
class DeclarationPrincipleAdmin(TranslationAdmin):
    list_display = ["code", "title"]


@admin.register(Convention)
class ConventionAdmin(TranslationAdmin):
    list_display = ["number", "title", "is_fundamental", "fundamental_since", "principle"]
    list_filter = ["is_fundamental", "principle"]


@admin.register(FundingSource)
class FundingSourceAdmin(TranslationAdmin):
    list_display = ["code", "name", "budget_type", "sort_order"]
    list_filter = ["budget_type"]


@admin.register(InputType)
class InputTypeAdmin(TranslationAdmin):
    list_display = ["code", "name", "sort_order"]


class ProjectPartnerInline(admin.TabularInline):
    model = ProjectPartner
    extra = 0
    autocomplete_fields = ["organisation"]


class TripartiteInline(admin.TabularInline):
    model = TripartiteInvolvement
    extra = 0
    autocomplete_fields = ["actual_organisation"]
    fields = ["stage", "group", "contemplated", "contemplated_description", "actual_date", "actual_organisation",
              "actual_description", "women", "men"]


class ExpertInline(admin.TabularInline):
    model = ExpertAssignment
    extra = 0
    autocomplete_fields = ["nationality"]


class TrainingInline(admin.TabularInline):
    model = TrainingActivity
    extra = 0


class ProgressReportInline(admin.TabularInline):
    model = ProgressReport
    extra = 0


class DateRevisionInline(admin.TabularInline):
    model = DateRevision
    extra = 0
    can_delete = False
    fields = ["field", "old_value", "new_value", "reason", "revised_by", "revised_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ProjectAdminForm(CleanTextMixin, forms.ModelForm):
    # The version the form was opened on: a save over someone else's later change is refused (optimistic locking).
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    date_revision_reason = forms.CharField(
        label=_("Reason for revising a date"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when a date that already had a value changes; the earlier value is kept."))

    class Meta:
        model = Project
        fields = [f.name for f in Project._meta.fields + Project._meta.many_to_many
                  if f.editable and not f.auto_created]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        stored = Project.objects.get(pk=self.instance.pk)
        opened = cleaned.get("opened_version")
        if opened is not None and opened != stored.version:
            changes = "; ".join(services.version_changes(stored, opened))
            raise ValidationError(_("This project was changed by someone else since you opened it (your version "
                                    "%(yours)s, now %(now)s). Reload it and make your change again. %(changes)s") % {
                "yours": opened, "now": stored.version, "changes": changes})
        errors = {}
        status = cleaned.get("status")
        if status:
            message = services.status_change_error(stored.status, status)
            if message:
                errors["status"] = message
        revised = [name for name in services.DATE_FIELDS
                   if name in self.changed_data and getattr(stored, name) is not None]
        if revised and not cleaned.get("date_revision_reason", "").strip():
            errors["date_revision_reason"] = _("Give the reason for revising: %(dates)s.") % {
                "dates": ", ".join(str(Project._meta.get_field(n).verbose_name) for n in revised)}
        if errors:
            raise ValidationError(errors)
        self.revised_dates = [(name, getattr(stored, name)) for name in revised]
        return cleaned


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    form = ProjectAdminForm
    list_display = ["symbol", "title", "status", "strategic_objective", "primary_programme", "region",
                    "funding_source", "responsible_unit"]
    list_filter = ["strategic_objective", "primary_programme", "region", "status", "funding_source",
                   "funding_source__budget_type", "responsible_unit", "gender_marker", "is_autonomous"]
    search_fields = ["symbol", "title"]
    list_select_related = ["strategic_objective", "primary_programme", "region", "funding_source", "responsible_unit"]
    autocomplete_fields = ["donor", "responsible_unit", "backstopping_unit", "responsible_official", "countries"]
    filter_horizontal = ["other_programmes", "themes", "principles", "conventions"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [ProjectPartnerInline, TripartiteInline, ExpertInline, TrainingInline, ProgressReportInline,
               DateRevisionInline]
    history_list_display = ["status", "version"]

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("projects.change_project", obj)

    def has_add_permission(self, request):
        return request.user.has_perm("projects.add_project")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("projects.delete_project", obj)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("projects.view_project", obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The form's checks give field errors; a refusal the service finds under its row lock (someone saved in
        # between, a rule the form does not know) rolls the whole save back and says why, never a lost update.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(_refusal_lines(error)), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        """Through the project services, as the pages, the API and the import: row lock, the version the form was
        opened on, date revisions and the history row with the reason."""
        values = {name: value for name, value in form.cleaned_data.items()
                  if name in services.PROJECT_EDITABLE_FIELDS and name not in services.PROJECT_M2M_FIELDS}
        relations = {name: list(form.cleaned_data[name]) for name in services.PROJECT_M2M_FIELDS
                     if name in form.cleaned_data}
        reason = form.cleaned_data.get("date_revision_reason", "").strip()
        if change:
            opened = form.cleaned_data.get("opened_version")
            saved = services.project_update(project=obj, user=request.user, version=obj.version if opened is None
                                             else opened, date_reason=reason, **values, **relations)
        else:
            saved = services.project_create(user=request.user, **values, **relations)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.project_delete(project=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for project in queryset:
            services.project_delete(project=project, user=request.user)

    def save_related(self, request, form, formsets, change):
        # The many-to-many values were set by the service; the inline rows go through the records' services.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        # Inline rows are validated by their model's clean() (formset full_clean) and again by the service.
        for instance in formset.save(commit=False):
            services.project_record_update(record=instance, user=request.user)
        for instance in formset.deleted_objects:
            services.project_record_remove(record=instance, user=request.user)


def _refusal_lines(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return error.messages
    return [message if name in ("__all__", "version") else f"{Project._meta.get_field(name).verbose_name}: {message}"
            for name, messages_ in error.message_dict.items() for message in messages_]


class ProjectRecordAdmin(SimpleHistoryAdmin):
    """A project's partners, tripartite cells, experts, training and progress reports: saved and removed through
    the records' services (the project's edit rule, model validation, history with the user)."""

    def save_model(self, request, obj, form, change):
        services.project_record_update(record=obj, user=request.user)

    def delete_model(self, request, obj):
        services.project_record_remove(record=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for record in queryset:
            services.project_record_remove(record=record, user=request.user)


@admin.register(ProjectImport)
class ProjectImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "imported_at", "imported_by", "rows_total", "rows_created", "rows_updated",
                    "rows_unchanged"]
    readonly_fields = [f.name for f in ProjectImport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the record of an import, written by the import

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(services.PROJECT_RECORD_MODELS, ProjectRecordAdmin)
