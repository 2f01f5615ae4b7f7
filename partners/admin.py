from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

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


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "acronym", "kind", "country", "is_active"]
    list_filter = ["kind", "is_active", "country__region"]
    search_fields = ["name", "acronym"]
    autocomplete_fields = ["country"]


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
