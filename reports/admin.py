from django.contrib import admin

from reports.models import ImplementationPlan, Milestone, ReportRequest


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 1
    fields = ["title", "owner", "start_date", "due_date", "status", "completed_on"]


@admin.register(ImplementationPlan)
class ImplementationPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "start_date", "end_date"]
    search_fields = ["title"]
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "owner", "due_date", "status", "completed_on"]
    list_filter = ["status", "plan"]
    search_fields = ["title", "owner"]


@admin.register(ReportRequest)
class ReportRequestAdmin(admin.ModelAdmin):
    """Read-only: requests are made on the reports page and built by the worker."""

    list_display = ["id", "kind", "year", "period_start", "period_end", "as_of", "format", "language", "status",
                    "progress", "requested_by", "created_at"]
    list_filter = ["kind", "format", "language", "status"]
    readonly_fields = [field.name for field in ReportRequest._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
