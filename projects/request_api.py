"""/api/v1/requests/ (constituents' requests for assistance; decide/ for the Office) and /api/v1/autonomy-agreements/
(governments' agreements to autonomous programmes), issue 18.4-5. Listed in tcms/api_urls.py."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from core.api import CREATE, CreateThroughService, TcmsViewSet
from projects import services
from projects.constituent_selectors import requests_for
from projects.models import AutonomyAgreement
from projects.permissions import (
    DECIDE_REQUEST,
    RECORD_AUTONOMY,
    SUBMIT_REQUEST,
    VIEW_REQUESTS,
    VIEW_VISIBLE_PROJECT,
    visible_projects,
)
from projects.request_serializers import (
    AssistanceRequestSerializer,
    AssistanceRequestWriteSerializer,
    AutonomyAgreementSerializer,
    AutonomyAgreementWriteSerializer,
    RequestDecisionSerializer,
)

DECIDE = "decide"


class AssistanceRequestViewSet(CreateThroughService, TcmsViewSet):
    """Requests for assistance: a constituent lists and submits their organisation's (another organisation's answers
    404); the Office's staff list every request, and officers, managers and administrators decide (`decide/`)."""

    serializer_class = AssistanceRequestSerializer
    write_serializer_class = AssistanceRequestWriteSerializer
    filterset_fields = ["status", "organisation", "strategic_objective", "country"]
    ordering_fields = ["id", "submitted_at", "answered_at", "title", "status"]
    read_perm = VIEW_REQUESTS
    perms = {CREATE: SUBMIT_REQUEST, DECIDE: DECIDE_REQUEST}
    object_perms = frozenset({DECIDE})
    action_kinds = {DECIDE: DECIDE}
    conditional_actions = TcmsViewSet.conditional_actions | {DECIDE}

    def get_queryset(self):
        return requests_for(self.request.user).order_by("-submitted_at", "-id")

    def service_create(self, data):
        return services.request_submit(user=self.request.user, **data)

    @extend_schema(request=RequestDecisionSerializer, responses=AssistanceRequestSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The Office's answer: `decision` under_review, accepted (`project`: the project it led to, optional) or
        declined (`reason` required)."""
        assistance_request = self.get_object()
        serializer = RequestDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            services.request_decide(assistance_request=assistance_request, user=request.user,
                                    **serializer.validated_data)
        return self._answer(assistance_request)


class AutonomyAgreementViewSet(CreateThroughService, TcmsViewSet):
    """Governments' agreements to autonomous programmes, on the projects the user sees; POST records the user's
    government's (informed on, agrees or not), replacing its earlier word."""

    serializer_class = AutonomyAgreementSerializer
    write_serializer_class = AutonomyAgreementWriteSerializer
    filterset_fields = ["project", "agrees"]
    ordering_fields = ["id", "informed_on"]
    read_perm = VIEW_VISIBLE_PROJECT
    perms = {CREATE: RECORD_AUTONOMY}
    object_perms = frozenset({CREATE})

    def get_queryset(self):
        queryset = AutonomyAgreement.objects.select_related("project", "country", "organisation").order_by("id")
        return visible_projects(self.request.user, queryset, project="project_id")

    def service_create(self, data):
        data = dict(data)
        project = data.pop("project")
        if not visible_projects(self.request.user, type(project).objects.filter(pk=project.pk)).exists():
            self.permission_denied(self.request)
        self.check_target(project)
        return services.autonomy_agreement_record(project=project, user=self.request.user, **data)


ROUTES = [
    ("requests", AssistanceRequestViewSet, "request"),
    ("autonomy-agreements", AutonomyAgreementViewSet, "autonomy-agreement"),
]
