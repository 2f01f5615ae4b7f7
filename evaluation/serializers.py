"""API representations of results, indicators, evaluations, recommendations and lessons."""

from rest_framework import serializers

from core.serializers import ModelSerializer, Serializer
from evaluation.models import Evaluation as EvaluationModel
from evaluation.models import (
    FollowUpStatus,
    Indicator,
    IndicatorPeriod,
    Lesson,
    ManagementResponse,
    Recommendation,
    ResponseKind,
    Result,
)
from evaluation.services import (
    EVALUATION_FIELDS,
    INDICATOR_FIELDS,
    LESSON_FIELDS,
    PERIOD_FIELDS,
    RECOMMENDATION_FIELDS,
    RESULT_FIELDS,
)
from projects.models import Project


class ResultSerializer(ModelSerializer):
    class Meta:
        model = Result
        fields = ["id", "project", *sorted(RESULT_FIELDS)]
        read_only_fields = fields


class ResultWriteSerializer(ModelSerializer):
    class Meta:
        model = Result
        fields = ["project", *sorted(RESULT_FIELDS)]


class ResultUpdateSerializer(ResultWriteSerializer):
    class Meta(ResultWriteSerializer.Meta):
        read_only_fields = ["project"]


class IndicatorSerializer(ModelSerializer):
    project = serializers.IntegerField(source="result.project_id", read_only=True)

    class Meta:
        model = Indicator
        fields = ["id", "result", "project", *sorted(INDICATOR_FIELDS)]
        read_only_fields = fields


class IndicatorWriteSerializer(ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["result", *sorted(INDICATOR_FIELDS)]


class IndicatorUpdateSerializer(IndicatorWriteSerializer):
    class Meta(IndicatorWriteSerializer.Meta):
        read_only_fields = ["result"]


class PeriodSerializer(ModelSerializer):
    class Meta:
        model = IndicatorPeriod
        fields = ["id", "indicator", "target", *sorted(PERIOD_FIELDS)]
        read_only_fields = fields


class PeriodWriteSerializer(ModelSerializer):
    class Meta:
        model = IndicatorPeriod
        fields = ["indicator", "target", *sorted(PERIOD_FIELDS)]
        validators = []  # overlapping and duplicate periods are the service's to refuse, naming the field


class PeriodUpdateSerializer(ModelSerializer):
    """Actuals, dates and comment; a target changes only through revise-target (with its reason)."""

    class Meta:
        model = IndicatorPeriod
        fields = sorted(PERIOD_FIELDS)
        validators = []


class TargetRevisionSerializer(Serializer):
    new_target = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)
    reason = serializers.CharField(allow_blank=True)


class EvaluationSerializer(ModelSerializer):
    class Meta:
        model = EvaluationModel
        fields = ["id", "projects", *sorted(EVALUATION_FIELDS), "created_at"]
        read_only_fields = fields


class EvaluationWriteSerializer(ModelSerializer):
    """The evaluation's fields; `report` (a PDF or DOCX file, checked by the upload gate) only in a multipart
    request."""

    projects = serializers.PrimaryKeyRelatedField(many=True, queryset=Project.objects.all(), required=False)

    class Meta:
        model = EvaluationModel
        fields = ["projects", *sorted(EVALUATION_FIELDS)]


class ManagementResponseSerializer(ModelSerializer):
    class Meta:
        model = ManagementResponse
        fields = ["response", "justification", "action", "owner", "due_date", "follow_up_status", "follow_up_note",
                  "completion_date", "responded_at", "updated_at"]
        read_only_fields = fields


class RecommendationSerializer(ModelSerializer):
    response = serializers.SerializerMethodField()

    class Meta:
        model = Recommendation
        fields = ["id", "evaluation", *sorted(RECOMMENDATION_FIELDS), "response"]
        read_only_fields = fields

    def get_response(self, recommendation) -> ManagementResponseSerializer(allow_null=True):
        try:
            return ManagementResponseSerializer(recommendation.response).data
        except ManagementResponse.DoesNotExist:
            return None


class RecommendationWriteSerializer(ModelSerializer):
    class Meta:
        model = Recommendation
        fields = ["evaluation", *sorted(RECOMMENDATION_FIELDS)]


class RecommendationUpdateSerializer(RecommendationWriteSerializer):
    class Meta(RecommendationWriteSerializer.Meta):
        read_only_fields = ["evaluation"]


class ResponseRecordSerializer(Serializer):
    response = serializers.ChoiceField(choices=ResponseKind.choices)
    justification = serializers.CharField(allow_blank=True, required=False, default="")
    action = serializers.CharField(allow_blank=True, required=False, default="")
    owner = serializers.CharField(allow_blank=True, required=False, default="", max_length=255)
    due_date = serializers.DateField(allow_null=True, required=False, default=None)


class FollowUpSerializer(Serializer):
    status = serializers.ChoiceField(choices=FollowUpStatus.choices)
    completion_date = serializers.DateField(allow_null=True, required=False, default=None)
    note = serializers.CharField(allow_blank=True, required=False, default="")


class LessonSerializer(ModelSerializer):
    class Meta:
        model = Lesson
        fields = ["id", *sorted(LESSON_FIELDS), "created_by", "created_at"]
        read_only_fields = fields


class ConstituentEvaluationSerializer(ModelSerializer):
    """An evaluation as a constituent reads it (issue 18.2): what it is and its summary; not its budget, evaluator,
    ratings or report file."""

    class Meta:
        model = EvaluationModel
        fields = ["id", "projects", "title", "type", "timing", "status", "planned_date", "actual_date", "summary"]
        read_only_fields = fields


class ConstituentLessonSerializer(ModelSerializer):
    """A validated lesson as a constituent reads it: without who at the Office wrote it."""

    class Meta:
        model = Lesson
        fields = ["id", *sorted(LESSON_FIELDS - {"is_validated"}), "created_at"]
        read_only_fields = fields


class LessonWriteSerializer(ModelSerializer):
    class Meta:
        model = Lesson
        fields = sorted(LESSON_FIELDS)
