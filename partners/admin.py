from django import forms
from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from core.forms import CleanTextMixin
from partners import services
from partners.models import Country, Organisation, Region, Unit, UnitMembership


@admin.register(Region)
class RegionAdmin(TranslationAdmin):
    list_display = ["code", "name", "iati_code", "sort_order"]


@admin.register(Country)
class CountryAdmin(TranslationAdmin):
    list_display = ["iso3", "name", "region", "is_ldc", "ldc_graduation_year", "in_transition"]
    list_filter = ["region", "is_ldc", "in_transition"]
    search_fields = ["iso3", "iso2", "name"]


class OrganisationAdminForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "acronym", "kind", "country", "iati_identifier", "is_active"]

    def clean(self):
        cleaned = super().clean()
        # The service's duplicate check (case, accents, spaces), shown on the form rather than as an error page.
        errors = services.organisation_duplicate_errors(name=cleaned.get("name") or "",
                                                        acronym=cleaned.get("acronym") or "",
                                                        exclude_pk=self.instance.pk)
        for field, message in errors.items():
            self.add_error(field, message)
        return cleaned


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    form = OrganisationAdminForm
    list_display = ["name", "acronym", "kind", "country", "is_active"]
    list_filter = ["kind", "is_active", "country__region"]
    search_fields = ["name", "acronym"]
    autocomplete_fields = ["country"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new organisation goes through the one service the project form and the API call.
        created = services.organisation_create(name=obj.name, kind=obj.kind, acronym=obj.acronym,
                                               country=obj.country, iati_identifier=obj.iati_identifier,
                                               user=request.user)
        obj.pk, obj._state.adding, obj._state.db = created.pk, False, created._state.db
        if not obj.is_active:
            super().save_model(request, obj, form, True)


class UnitMembershipInline(admin.TabularInline):
    model = UnitMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["code", "name", "kind", "region", "parent", "is_active"]
    list_filter = ["kind", "region", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["countries", "parent"]
    inlines = [UnitMembershipInline]

    def save_model(self, request, obj, form, change):
        # The one write path of units (it refuses a unit placed under itself); countries follow in save_related.
        services.unit_save(unit=obj, user=request.user)
