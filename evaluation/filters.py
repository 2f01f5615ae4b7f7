"""One FilterSet per model, shared by the pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from partners.models import Country, Region
from projects.models import CrossCuttingTheme, Programme, StrategicObjective

from .models import Evaluation, EvaluationStatus, EvaluationTiming, EvaluationType, Lesson, LessonKind
from .selectors import OPEN_EVALUATION_STATUSES, apply_lesson_search


class EvaluationFilterSet(django_filters.FilterSet):
    WHEN_CHOICES = [("open", _("Upcoming and overdue")), ("upcoming", _("Upcoming")), ("overdue", _("Overdue")),
                    ("completed", _("Completed")), ("all", _("All"))]

    when = django_filters.ChoiceFilter(label=_("Show"), choices=WHEN_CHOICES, method="filter_when",
                                       empty_label=None)
    type = django_filters.ChoiceFilter(label=_("Type"), choices=EvaluationType.choices)
    timing = django_filters.ChoiceFilter(label=_("Timing"), choices=EvaluationTiming.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=EvaluationStatus.choices)
    region = django_filters.ModelChoiceFilter(label=_("Region"), queryset=Region.objects.all(),
                                              field_name="projects__region", distinct=True)
    project = django_filters.CharFilter(label=_("Project symbol or title"), method="filter_project")
    year = django_filters.NumberFilter(label=_("Planned in year"), field_name="planned_date", lookup_expr="year",
                                       min_value=1, max_value=9999, decimal_places=0)

    class Meta:
        model = Evaluation
        fields = ["when", "type", "timing", "status", "region", "project", "year"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("when", "open")
        super().__init__(data, *args, **kwargs)

    def filter_when(self, queryset, name, value):
        today = clock.today()
        open_evaluations = queryset.filter(status__in=OPEN_EVALUATION_STATUSES)
        if value == "open":
            return open_evaluations
        if value == "upcoming":
            return open_evaluations.filter(planned_date__gte=today)
        if value == "overdue":
            return open_evaluations.filter(planned_date__lt=today)
        if value == "completed":
            return queryset.filter(status=EvaluationStatus.COMPLETED).order_by("-actual_date", "-id")
        return queryset

    def filter_project(self, queryset, name, value):
        matching = Evaluation.projects.through.objects.filter(
            Q(project__symbol__icontains=value) | Q(project__title__icontains=value)).values("evaluation_id")
        return queryset.filter(pk__in=matching)


class LessonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=LessonKind.choices)
    objective = django_filters.ModelChoiceFilter(label=_("Strategic objective"),
                                                 queryset=StrategicObjective.objects.select_related("biennium"))
    programme = django_filters.ModelChoiceFilter(label=_("Programme"), queryset=Programme.objects.all())
    country = django_filters.ModelChoiceFilter(label=_("Country"), queryset=Country.objects.all())
    theme = django_filters.ModelChoiceFilter(label=_("Theme"), queryset=CrossCuttingTheme.objects.all())
    is_validated = django_filters.BooleanFilter(label=_("Validated"))

    class Meta:
        model = Lesson
        fields = ["q", "kind", "objective", "programme", "country", "theme", "is_validated", "evaluation",
                  "project"]

    def search(self, queryset, name, value):
        return apply_lesson_search(queryset, value)
