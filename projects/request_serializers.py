"""API shapes of constituents' requests for assistance and governments' agreements to autonomy (issue 18.4-5)."""

from rest_framework import serializers

from core.serializer_fields import SlugRelatedField
from core.serializers import ModelSerializer, Serializer
from partners.models import Country
from projects.models import (
    AssistanceRequest,
    AutonomyAgreement,
    ConstituentGroup,
    Project,
    RequestStatus,
    StrategicObjective,
)
from projects.services.requests import DECISIONS


class AssistanceRequestSerializer(ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    organisation_id = serializers.IntegerField(read_only=True)
    country = serializers.CharField(source="country.iso3", read_only=True)
    project_symbol = serializers.CharField(source="project.symbol", read_only=True, default=None)
    demand_driven = serializers.SerializerMethodField()

    class Meta:
        model = AssistanceRequest
        fields = ["id", "organisation_id", "organisation", "title", "description", "strategic_objective", "country",
                  "groups", "status", "decline_reason", "project", "project_symbol", "demand_driven",
                  "submitted_at", "answered_at"]
        read_only_fields = fields

    def get_demand_driven(self, obj) -> bool:
        """The project it led to answers it (accepted and linked)."""
        return obj.status == RequestStatus.ACCEPTED and obj.project_id is not None


class AssistanceRequestWriteSerializer(Serializer):
    """POST /api/v1/requests/: a constituent's request, for their organisation."""

    title = serializers.CharField(max_length=255)
    description = serializers.CharField()
    strategic_objective = serializers.PrimaryKeyRelatedField(queryset=StrategicObjective.objects.all())
    country = SlugRelatedField(slug_field="iso3", queryset=Country.objects.all())
    groups = serializers.MultipleChoiceField(choices=ConstituentGroup.choices, allow_empty=False)


class RequestDecisionSerializer(Serializer):
    """POST /api/v1/requests/{id}/decide/: under_review, accepted (with the project it led to, optional) or declined
    (with a reason)."""

    decision = serializers.ChoiceField(choices=[(value, RequestStatus(value).label) for value in DECISIONS])
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all(), required=False, allow_null=True,
                                                 default=None)


class AutonomyAgreementSerializer(ModelSerializer):
    country = serializers.CharField(source="country.iso3", read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = AutonomyAgreement
        fields = ["id", "project", "country", "organisation", "informed_on", "agrees", "comment", "recorded_at"]
        read_only_fields = fields


class AutonomyAgreementWriteSerializer(Serializer):
    """POST /api/v1/autonomy-agreements/: the user's government on an autonomous project of its country."""

    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
    informed_on = serializers.DateField()
    agrees = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")
