"""Admin: the required-evaluation rules can be configured here too (the pages under /evaluation/required/ are the
evaluation officers'). The other records are read-only in the admin because
their rules (management-response lifecycle, target revisions, evaluation status) live in the services, which the
pages under /evaluation/ call."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    Baseline,
    Evaluation,
    Indicator,
    IndicatorPeriod,
    Lesson,
    ManagementResponse,
    Recommendation,
    RequiredEvaluationRule,
    Result,
    TargetRevision,
)


@admin.register(RequiredEvaluationRule)
class RequiredEvaluationRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "min_budget_usd", "max_budget_usd", "type", "timing", "is_active"]
    list_editable = ["is_active"]
    actions = ["propose_missing"]

    def save_model(self, request, obj, form, change):
        # The pages' service (evaluation/views.py required_rule_*): the same checks and history.
        services.required_rule_save(rule=obj, user=request.user,
                                    **{name: getattr(obj, name) for name in services.REQUIRED_RULE_FIELDS})

    @admin.action(description=_("Propose the planned evaluations these rules require (all projects)"))
    def propose_missing(self, request, queryset):
        created = services.evaluation_plan_propose(user=request.user)
        self.message_user(request, _("%(count)s planned evaluation(s) created.") % {"count": len(created)},
                          messages.SUCCESS)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the services own these records' lifecycle; none of them removes one


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["title", "type", "timing", "status", "planned_date", "actual_date"]
    list_filter = ["type", "timing", "status"]
    search_fields = ["title", "projects__symbol", "evaluator"]
    date_hierarchy = "planned_date"


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "evaluation", "priority"]
    list_filter = ["priority"]
    list_select_related = ["evaluation"]


@admin.register(ManagementResponse)
class ManagementResponseAdmin(ReadOnlyAdmin):
    list_display = ["recommendation", "response", "follow_up_status", "due_date", "completion_date"]
    list_filter = ["response", "follow_up_status"]
    list_select_related = ["recommendation"]


@admin.register(Lesson)
class LessonAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "project", "country", "is_validated"]
    list_filter = ["kind", "is_validated"]
    search_fields = ["title", "text"]
    list_select_related = ["project", "country"]


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "project"]
    list_filter = ["kind"]
    search_fields = ["title", "project__symbol"]
    list_select_related = ["project"]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["title", "measure", "ascending", "sex_disaggregated", "result"]
    list_filter = ["measure", "ascending"]
    search_fields = ["title"]
    list_select_related = ["result"]


admin.site.register([Baseline, IndicatorPeriod, TargetRevision], ReadOnlyAdmin)
