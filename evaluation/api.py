"""/api/v1/results/, indicators/, indicator-periods/, evaluations/, recommendations/, lessons/.

Results, indicators and periods belong to a project: whoever may change the project changes them. Evaluations,
recommendations and lessons are managed by evaluation officers (and administrators). A constituent reads the
results, indicators, periods and evaluation summaries of the projects they see and their validated lessons
(issue 18.2); recommendations stay the Office's."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from core.api import CHANGE, CREATE, CreateThroughService, TcmsViewSet, UpdateThroughService
from evaluation import selectors, services
from evaluation.filters import EvaluationFilterSet, LessonFilterSet
from evaluation.models import Indicator, IndicatorPeriod, ManagementResponse, Recommendation, Result
from evaluation.serializers import (
    ConstituentEvaluationSerializer,
    ConstituentLessonSerializer,
    EvaluationSerializer,
    EvaluationWriteSerializer,
    FollowUpSerializer,
    IndicatorSerializer,
    IndicatorUpdateSerializer,
    IndicatorWriteSerializer,
    LessonSerializer,
    LessonWriteSerializer,
    PeriodSerializer,
    PeriodUpdateSerializer,
    PeriodWriteSerializer,
    RecommendationSerializer,
    RecommendationUpdateSerializer,
    RecommendationWriteSerializer,
    ResponseRecordSerializer,
    ResultSerializer,
    ResultUpdateSerializer,
    ResultWriteSerializer,
    TargetRevisionSerializer,
)
from projects.permissions import VIEW_VISIBLE_PROJECT, is_constituent, visible_projects

CHANGE_PROJECT = "projects.change_project"
MANAGE_EVALUATIONS = "evaluation.manage_evaluations"


class _ByAction:
    """create uses `create_serializer_class`, update/partial_update `update_serializer_class`."""

    create_serializer_class = None
    update_serializer_class = None

    @property
    def write_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return self.update_serializer_class
        return self.create_serializer_class


class _ProjectRecords(_ByAction, CreateThroughService, UpdateThroughService, TcmsViewSet):
    """Records of a project: create is checked against the project (check_target), changes against the record's.
    They are read by whoever sees the project: a constituent those of the projects they see (404 elsewhere)."""

    perms = {CREATE: CHANGE_PROJECT, CHANGE: CHANGE_PROJECT}
    object_perms = frozenset({CREATE, CHANGE})
    read_perm = VIEW_VISIBLE_PROJECT
    project_field = "project_id"  # the path from the record to its project's id

    def get_queryset(self):
        return visible_projects(self.request.user, super().get_queryset(), project=self.project_field)


class ResultViewSet(_ProjectRecords):
    queryset = Result.objects.all()
    serializer_class = ResultSerializer
    create_serializer_class = ResultWriteSerializer
    update_serializer_class = ResultUpdateSerializer
    filterset_fields = ["project", "kind"]
    ordering_fields = ["id", "kind"]

    def permission_object(self, result):
        return result.project

    def service_create(self, data):
        data = dict(data)
        project = data.pop("project")
        self.check_target(project)
        return services.result_create(project=project, user=self.request.user, **data)

    def service_update(self, result, data):
        return services.result_update(result=result, user=self.request.user, **data)


class IndicatorViewSet(_ProjectRecords):
    queryset = Indicator.objects.select_related("result__project")
    project_field = "result__project_id"
    serializer_class = IndicatorSerializer
    create_serializer_class = IndicatorWriteSerializer
    update_serializer_class = IndicatorUpdateSerializer
    filterset_fields = ["result", "result__project", "measure"]
    ordering_fields = ["id"]

    def permission_object(self, indicator):
        return indicator.result.project

    def service_create(self, data):
        data = dict(data)
        result = data.pop("result")
        self.check_target(result.project)
        return services.indicator_create(result=result, user=self.request.user, **data)

    def service_update(self, indicator, data):
        return services.indicator_update(indicator=indicator, user=self.request.user, **data)


class IndicatorPeriodViewSet(_ProjectRecords):
    """An indicator's periods: targets and actuals. A target changes only through revise-target, with a reason."""

    queryset = IndicatorPeriod.objects.select_related("indicator__result__project")
    project_field = "indicator__result__project_id"
    serializer_class = PeriodSerializer
    create_serializer_class = PeriodWriteSerializer
    update_serializer_class = PeriodUpdateSerializer
    filterset_fields = ["indicator", "indicator__result__project"]
    ordering_fields = ["start", "id"]
    action_kinds = {"revise_target": CHANGE}
    conditional_actions = TcmsViewSet.conditional_actions | {"revise_target"}

    def permission_object(self, period):
        return period.indicator.result.project

    def service_create(self, data):
        data = dict(data)
        indicator = data.pop("indicator")
        self.check_target(indicator.result.project)
        return services.period_create(indicator=indicator, user=self.request.user, **data)

    def service_update(self, period, data):
        return services.period_update(period=period, user=self.request.user, **data)

    @extend_schema(request=TargetRevisionSerializer, responses=PeriodSerializer)
    @action(detail=True, methods=["post"], url_path="revise-target")
    def revise_target(self, request, pk=None):
        period = self.get_object()
        serializer = TargetRevisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.target_revise(period=period, user=request.user, **serializer.validated_data)
        return self._answer(period)


class _Evaluations(_ByAction, CreateThroughService, UpdateThroughService, TcmsViewSet):
    perms = {CREATE: MANAGE_EVALUATIONS, CHANGE: MANAGE_EVALUATIONS}


class EvaluationViewSet(_Evaluations):
    """The evaluation plan. The list shows open (planned and ongoing) evaluations unless `when` says otherwise
    (the same filters as the evaluation plan page)."""

    serializer_class = EvaluationSerializer
    create_serializer_class = update_serializer_class = EvaluationWriteSerializer
    filterset_class = EvaluationFilterSet
    ordering_fields = ["planned_date", "actual_date", "id"]
    read_perm = VIEW_VISIBLE_PROJECT  # a constituent: the evaluations of the projects they see, summarised

    def get_serializer_class(self):
        if is_constituent(self.request.user):
            return ConstituentEvaluationSerializer
        return super().get_serializer_class()

    def get_queryset(self):
        return selectors.evaluations_visible_to(self.request.user, selectors.evaluation_queryset())

    def service_create(self, data):
        data = dict(data)
        return services.evaluation_create(projects=data.pop("projects", []), user=self.request.user, **data)

    def service_update(self, evaluation, data):
        data = dict(data)
        return services.evaluation_update(evaluation=evaluation, projects=data.pop("projects", None),
                                          user=self.request.user, **data)


class RecommendationViewSet(_Evaluations):
    """Recommendations of evaluations, each with management's response and its follow-up."""

    queryset = Recommendation.objects.select_related("response").order_by("evaluation_id", "id")
    serializer_class = RecommendationSerializer
    create_serializer_class = RecommendationWriteSerializer
    update_serializer_class = RecommendationUpdateSerializer
    filterset_fields = ["evaluation", "priority", "response__response", "response__follow_up_status"]
    ordering_fields = ["id", "priority"]
    action_kinds = {"response": CHANGE, "follow_up": CHANGE}
    conditional_actions = TcmsViewSet.conditional_actions | {"response", "follow_up"}

    def service_create(self, data):
        data = dict(data)
        return services.recommendation_create(evaluation=data.pop("evaluation"), user=self.request.user, **data)

    def service_update(self, recommendation, data):
        return services.recommendation_update(recommendation=recommendation, user=self.request.user, **data)

    @extend_schema(request=ResponseRecordSerializer, responses=RecommendationSerializer)
    @action(detail=True, methods=["post"])
    def response(self, request, pk=None):
        """Record (or correct) management's response to the recommendation."""
        recommendation = self.get_object()
        serializer = ResponseRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.management_response_record(recommendation=recommendation, user=request.user,
                                            **serializer.validated_data)
        return self._answer(recommendation)

    @extend_schema(request=FollowUpSerializer, responses=RecommendationSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        """Move the follow-up of an accepted recommendation along (not started → in progress → completed)."""
        recommendation = self.get_object()
        serializer = FollowUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response = ManagementResponse.objects.filter(recommendation=recommendation).first()
        if response is None:
            raise ValidationError({"response": _("Record management's response first.")})
        services.management_response_follow_up(response=response, user=request.user, **serializer.validated_data)
        return self._answer(recommendation)


class LessonViewSet(_Evaluations):
    """Lessons learned and good practices; `q` searches their words (full text on PostgreSQL)."""

    serializer_class = LessonSerializer
    create_serializer_class = update_serializer_class = LessonWriteSerializer
    filterset_class = LessonFilterSet
    ordering_fields = ["created_at", "title", "id"]
    read_perm = VIEW_VISIBLE_PROJECT  # a constituent: the validated lessons of the projects they see

    def get_serializer_class(self):
        if is_constituent(self.request.user):
            return ConstituentLessonSerializer
        return super().get_serializer_class()

    def get_queryset(self):
        return selectors.lessons_visible_to(self.request.user, selectors.lesson_queryset())

    def service_create(self, data):
        return services.lesson_create(user=self.request.user, **data)

    def service_update(self, lesson, data):
        return services.lesson_update(lesson=lesson, user=self.request.user, **data)


ROUTES = [
    ("results", ResultViewSet, "result"),
    ("indicators", IndicatorViewSet, "indicator"),
    ("indicator-periods", IndicatorPeriodViewSet, "indicator-period"),
    ("evaluations", EvaluationViewSet, "evaluation"),
    ("recommendations", RecommendationViewSet, "recommendation"),
    ("lessons", LessonViewSet, "lesson"),
]
