from django.contrib import admin

from delivery.models import (
    Allocation,
    AllocationRevision,
    Approval,
    ExchangeRate,
    Expenditure,
    ImportBatch,
    ProjectMonthSpend,
    ProjectYearDelivery,
    SourceMonthSpend,
    SourceYearDelivery,
)


class AllocationRevisionInline(admin.TabularInline):
    model = AllocationRevision
    extra = 0
    can_delete = False
    readonly_fields = ["old_amount_usd", "new_amount_usd", "reason", "revised_by", "revised_at", "batch"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Allocation)
class AllocationAdmin(admin.ModelAdmin):
    """Read-only here: amounts change through the import (or services.allocation_set) so a revision is kept."""

    list_display = ["project", "year", "funding_source", "amount_usd", "updated_at"]
    list_filter = ["year", "funding_source"]
    search_fields = ["project__symbol"]
    list_select_related = ["project", "funding_source"]
    readonly_fields = ["project", "year", "funding_source", "amount_usd", "updated_at"]
    inlines = [AllocationRevisionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # removing one would leave the year rollup (ProjectYearDelivery) out of step


@admin.register(Expenditure)
class ExpenditureAdmin(admin.ModelAdmin):
    """Read-only: lines come from imports, which keep the monthly rollup in step."""

    list_display = ["project", "period", "input_type", "currency", "funding_source", "amount", "exchange_rate",
                    "amount_usd", "batch"]
    list_filter = ["input_type", "currency", "funding_source"]
    search_fields = ["project__symbol"]
    list_select_related = ["project", "input_type", "funding_source", "batch"]
    date_hierarchy = "period"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # removing one would leave the monthly and yearly rollups out of step


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Read-only: rates come in through the exchange-rates import (upload page, API, command), their one write
    path, which validates them (no US$ rate, greater than zero) and keeps the batch that brought them."""

    list_display = ["currency", "period", "units_per_usd"]
    list_filter = ["currency"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "file_name", "uploaded_by", "status", "rows_total", "rows_created",
                    "rows_updated", "rows_unchanged"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the record of who imported what, written by the import

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Approval)
class ApprovalAdmin(admin.ModelAdmin):
    list_display = ["date", "donor", "project", "amount_usd"]
    list_select_related = ["donor", "project"]
    search_fields = ["project__symbol", "donor__name"]


@admin.register(ProjectMonthSpend)
class ProjectMonthSpendAdmin(admin.ModelAdmin):
    list_display = ["project", "period", "amount_usd"]
    list_select_related = ["project"]
    search_fields = ["project__symbol"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a rollup the imports keep in step


@admin.register(ProjectYearDelivery)
class ProjectYearDeliveryAdmin(admin.ModelAdmin):
    """Read-only: kept by the imports; `manage.py rebuild_year_delivery` recomputes it."""

    list_display = ["project", "year", "allocation_cents", "has_allocation", "first_spend_month", "spent_cents_to_m12"]
    list_filter = ["year"]
    list_select_related = ["project"]
    search_fields = ["project__symbol"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a rollup the imports keep in step


@admin.register(SourceMonthSpend)
class SourceMonthSpendAdmin(ProjectMonthSpendAdmin):
    list_display = ["project", "period", "funding_source", "amount_usd"]
    list_filter = ["funding_source"]
    list_select_related = ["project", "funding_source"]


@admin.register(SourceYearDelivery)
class SourceYearDeliveryAdmin(ProjectYearDeliveryAdmin):
    """Read-only: kept by the imports with ProjectYearDelivery; `manage.py rebuild_year_delivery` recomputes it."""

    list_display = ["project", "year", "funding_source", "allocation_cents", "has_allocation", "first_spend_month",
                    "spent_cents_to_m12"]
    list_filter = ["year", "funding_source"]
    list_select_related = ["project", "funding_source"]
