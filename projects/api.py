"""/api/v1/projects/, project-partners/, tripartite/, experts/, training/, progress-reports/ and the programme
framework's reference lists."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS

from core.api import (
    CHANGE,
    CREATE,
    DELETE,
    CreateThroughService,
    DestroyThroughService,
    ReadOnlyViewSet,
    TcmsViewSet,
    UpdateThroughService,
)
from partners.selectors import constituent_organisation
from projects import selectors, services
from projects.filters import ProjectFilterSet
from projects.models import (
    Convention,
    CrossCuttingTheme,
    DeclarationPrinciple,
    ExpertAssignment,
    FundingSource,
    InputType,
    Programme,
    ProgressReport,
    Project,
    ProjectPartner,
    StrategicObjective,
    TrainingActivity,
    TripartiteInvolvement,
)
from projects.permissions import (
    ANSWER_INVOLVEMENT,
    CONFIRM_INVOLVEMENT,
    REPORT_INVOLVEMENT,
    VIEW_VISIBLE_PROJECT,
    is_constituent,
    visible_projects,
)
from projects.serializers import (
    ConstituentProjectListSerializer,
    ConstituentProjectSerializer,
    ConstituentTripartiteSerializer,
    ConventionSerializer,
    DateRevisionSerializer,
    ExpertSerializer,
    ExpertWriteSerializer,
    FundingSourceSerializer,
    InputTypeSerializer,
    InvolvementAnswerSerializer,
    InvolvementReportSerializer,
    ObjectiveSerializer,
    PartnerSerializer,
    PartnerWriteSerializer,
    ProgrammeSerializer,
    ProgressReportSerializer,
    ProgressReportWriteSerializer,
    ProjectListSerializer,
    ProjectSerializer,
    ProjectWriteSerializer,
    StatusChangeSerializer,
    TrainingSerializer,
    TrainingWriteSerializer,
    TripartiteSerializer,
    TripartiteUpdateSerializer,
    TripartiteWriteSerializer,
)

CHANGE_PROJECT = "projects.change_project"
M2M_FIELDS = services.PROJECT_M2M_FIELDS


class ProjectViewSet(CreateThroughService, UpdateThroughService, TcmsViewSet):
    """The project register. The Office's staff read all of it, a constituent the projects they may see (any other
    answers 404); officers and managers create projects and change those of their units (officers also those where
    they are the responsible official); administrators change all."""

    serializer_class = ProjectSerializer
    write_serializer_class = ProjectWriteSerializer
    filterset_class = ProjectFilterSet
    ordering_fields = ["symbol", "title", "status", "planned_start", "planned_end", "updated_at"]
    ordering = ["symbol"]
    perms = {CREATE: "projects.add_project", CHANGE: CHANGE_PROJECT}
    object_perms = frozenset({CHANGE})
    action_kinds = {"status": CHANGE, "revise_date": CHANGE}
    conditional_actions = TcmsViewSet.conditional_actions | {"status", "revise_date"}
    read_perm = VIEW_VISIBLE_PROJECT

    def get_serializer_class(self):
        # The list answers a summary per project (see ProjectListSerializer); the detail and the writes the full
        # project. Also what the OpenAPI schema documents for each. A constituent reads less of both.
        if is_constituent(self.request.user):
            return ConstituentProjectListSerializer if self.action == "list" else ConstituentProjectSerializer
        return ProjectListSerializer if self.action == "list" else ProjectSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **constituent_context(self.request.user)}

    def get_queryset(self):
        return visible_projects(self.request.user, self._projects())

    def _projects(self):
        if self.action == "list":
            # The row's own columns only: related objects are given by id, so no join and no prefetch but the
            # countries' codes (ProjectRowsSerializer).
            return Project.objects.only(*(field for field in ProjectListSerializer.Meta.fields
                                          if field != "countries"))
        return selectors.project_queryset().prefetch_related(
            *(Prefetch(name, queryset=model.objects.only("id"), to_attr=attribute) for name, model, attribute in (
                ("other_programmes", Programme, "other_programme_rows"), ("themes", CrossCuttingTheme, "theme_rows"),
                ("principles", DeclarationPrinciple, "principle_rows"),
                ("conventions", Convention, "convention_rows"))),
            "partners__organisation", "tripartite")

    def service_create(self, data):
        data = dict(data)
        data.pop("version", None)
        data.pop("date_reason", None)
        return services.project_create(user=self.request.user, **data)

    def service_update(self, project, data):
        data = dict(data)
        # Without a version in the body the one just read is used, so a change made meanwhile is still refused.
        version = data.pop("version", None) or project.version
        return services.project_update(project=project, user=self.request.user, version=version,
                                       date_reason=data.pop("date_reason", ""), **data)

    @extend_schema(request=StatusChangeSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """Move the project to another status (only along the allowed transitions)."""
        project = self.get_object()
        serializer = StatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.project_change_status(project=project, status=data["status"], user=request.user,
                                       version=data.get("version") or project.version)
        return self._answer(project)

    @extend_schema(request=DateRevisionSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"], url_path="revise-date")
    def revise_date(self, request, pk=None):
        """Revise one of the four dates with a reason (the earlier value is kept as a date revision)."""
        project = self.get_object()
        serializer = DateRevisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.project_revise_date(project=project, field=data["field"], new_value=data["new_value"],
                                         reason=data["reason"], user=request.user,
                                         version=data.get("version") or project.version)
        except services.StaleVersionError:
            raise
        except ValidationError as exc:
            # The service blames the project's date by its name; this request sends that date as `new_value`.
            if not hasattr(exc, "error_dict"):
                raise
            raise ValidationError({("new_value" if name == data["field"] else name): errors
                                   for name, errors in exc.error_dict.items()}) from exc
        return self._answer(project)


def constituent_context(user) -> dict:
    """What a constituent's serializers need: their organisation (another's pending reports are not theirs)."""
    organisation = constituent_organisation(user) if is_constituent(user) else None
    return {"organisation_id": organisation.pk} if organisation is not None else {}


class ProjectPartnerViewSet(CreateThroughService, DestroyThroughService, TcmsViewSet):
    """A project's partners (funding, accountable, extending, implementing organisations); a constituent reads
    those of the projects they see."""

    read_perm = VIEW_VISIBLE_PROJECT

    def get_queryset(self):
        return visible_projects(self.request.user, super().get_queryset(), project="project_id")

    queryset = ProjectPartner.objects.select_related("organisation").order_by("project_id", "role", "id")
    serializer_class = PartnerSerializer
    write_serializer_class = PartnerWriteSerializer
    filterset_fields = ["project", "organisation", "role"]
    ordering_fields = ["id", "role"]
    perms = {CREATE: CHANGE_PROJECT, DELETE: CHANGE_PROJECT}
    object_perms = frozenset({CREATE, DELETE})

    def permission_object(self, partner):
        return partner.project

    def service_create(self, data):
        self.check_target(data["project"])
        return services.partner_add(user=self.request.user, **data)

    def service_delete(self, partner):
        services.partner_remove(partner=partner, user=self.request.user)


REPORT, CONFIRM, ANSWER = "report", "confirm", "answer"
INVOLVEMENT_PERMS = {REPORT: REPORT_INVOLVEMENT, CONFIRM: CONFIRM_INVOLVEMENT, ANSWER: ANSWER_INVOLVEMENT}


class TripartiteViewSet(CreateThroughService, UpdateThroughService, TcmsViewSet):
    """The stage × constituent-group matrix of tripartite involvement; POST sets one cell (creating or replacing).
    A constituent reads the cells of the projects they see, reports on those of their constituent group
    (`report/`) and confirms the Office's record (`confirm/`); the responsible officer confirms or answers
    (`answer/`) a constituent's report."""

    queryset = TripartiteInvolvement.objects.select_related("project").order_by("project_id", "stage", "group")
    serializer_class = TripartiteSerializer
    filterset_fields = ["project", "stage", "group", "contemplated", "confirmation"]
    ordering_fields = ["id", "stage", "group"]
    read_perm = VIEW_VISIBLE_PROJECT
    perms = {CREATE: CHANGE_PROJECT, CHANGE: CHANGE_PROJECT, **INVOLVEMENT_PERMS}
    object_perms = frozenset({CREATE, CHANGE, *INVOLVEMENT_PERMS})
    action_kinds = {REPORT: REPORT, CONFIRM: CONFIRM, ANSWER: ANSWER}
    conditional_actions = TcmsViewSet.conditional_actions | set(INVOLVEMENT_PERMS)

    def get_queryset(self):
        return visible_projects(self.request.user, super().get_queryset(), project="project_id")

    def get_serializer_class(self):
        return ConstituentTripartiteSerializer if is_constituent(self.request.user) else TripartiteSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **constituent_context(self.request.user)}

    def object_permitted(self, user, perm: str, obj) -> bool:
        # The confirmation's perms are asked about the cell itself (its group, its organisation).
        return user.has_perm(perm, obj if perm in INVOLVEMENT_PERMS.values() else self.permission_object(obj))

    @extend_schema(request=InvolvementReportSerializer, responses=TripartiteSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """A constituent of the cell's group says what happened (→ `confirmation` reported) or, with
        `not_involved: true`, that they were not involved although the Office recorded it (→ disputed)."""
        cell = self.get_object()
        serializer = InvolvementReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            services.involvement_report(cell=cell, user=request.user, **serializer.validated_data)
        return self._answer(cell)

    @extend_schema(request=None, responses=TripartiteSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """→ confirmed: the officer accepts the constituent's report, or the constituent the Office's record."""
        cell = self.get_object()
        with transaction.atomic():
            services.involvement_confirm(cell=cell, user=request.user)
        return self._answer(cell)

    @extend_schema(request=InvolvementAnswerSerializer, responses=TripartiteSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The officer answers a constituent's report with a comment instead of accepting it (→ disputed)."""
        cell = self.get_object()
        serializer = InvolvementAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            services.involvement_answer(cell=cell, user=request.user, comment=serializer.validated_data["comment"])
        return self._answer(cell)

    @property
    def write_serializer_class(self):
        if self.request is not None and self.request.method not in SAFE_METHODS and self.action != "create":
            return TripartiteUpdateSerializer
        return TripartiteWriteSerializer

    def permission_object(self, cell):
        return cell.project

    def service_create(self, data):
        data = dict(data)
        project = data.pop("project")
        self.check_target(project)
        return services.tripartite_set(project=project, user=self.request.user, **data)

    def service_update(self, cell, data):
        values = {name: value for name, value in data.items() if name not in ("project", "stage", "group")}
        return services.tripartite_set(project=cell.project, stage=cell.stage, group=cell.group,
                                       user=self.request.user, **values)


class _ProjectRecordViewSet(CreateThroughService, UpdateThroughService, DestroyThroughService, TcmsViewSet):
    """A kind of record of a project (experts, training activities, progress reports): read by everyone signed in,
    written (POST, PUT/PATCH, DELETE) by whoever may change the project, through the project services."""

    perms = {CREATE: CHANGE_PROJECT, CHANGE: CHANGE_PROJECT, DELETE: CHANGE_PROJECT}
    object_perms = frozenset({CREATE, CHANGE, DELETE})
    create_service = None  # the projects.services function that adds one

    def permission_object(self, record):
        return record.project

    def service_create(self, data):
        self.check_target(data["project"])
        return type(self).create_service(user=self.request.user, **data)

    def service_update(self, record, data):
        data.pop("project", None)  # a record stays with its project
        return services.project_record_update(record=record, user=self.request.user, **data)

    def service_delete(self, record):
        services.project_record_remove(record=record, user=self.request.user)


class ExpertViewSet(_ProjectRecordViewSet):
    """Experts' work on projects by year; national or international follows from the nationality (national: one
    of the project's countries)."""

    queryset = ExpertAssignment.objects.with_category().select_related("nationality").order_by("project_id", "id")
    serializer_class = ExpertSerializer
    write_serializer_class = ExpertWriteSerializer
    filterset_fields = ["project", "year", "nationality"]
    ordering_fields = ["id", "year", "work_months"]
    create_service = staticmethod(services.expert_create)


class TrainingViewSet(_ProjectRecordViewSet):
    """Training activities of projects, with their participants by sex."""

    queryset = TrainingActivity.objects.order_by("project_id", "start_date", "id")
    serializer_class = TrainingSerializer
    write_serializer_class = TrainingWriteSerializer
    filterset_fields = ["project", "is_turin_centre"]
    ordering_fields = ["id", "start_date"]
    create_service = staticmethod(services.training_create)


class ProgressReportViewSet(_ProjectRecordViewSet):
    """Progress reports of projects: the period they cover, when due, when submitted."""

    queryset = ProgressReport.objects.select_related("project").order_by("project_id", "due_date", "id")
    serializer_class = ProgressReportSerializer
    write_serializer_class = ProgressReportWriteSerializer
    filterset_fields = ["project", "period_end"]
    ordering_fields = ["id", "due_date", "period_end"]
    create_service = staticmethod(services.progress_report_create)


class ObjectiveViewSet(ReadOnlyViewSet):
    queryset = StrategicObjective.objects.select_related("biennium")
    serializer_class = ObjectiveSerializer
    filterset_fields = ["biennium__code", "code"]
    ordering_fields = ["code", "id"]


class ProgrammeViewSet(ReadOnlyViewSet):
    queryset = Programme.objects.select_related("biennium").order_by("biennium__start_year", "code")
    serializer_class = ProgrammeSerializer
    filterset_fields = ["biennium__code", "objective", "code"]
    ordering_fields = ["code", "id"]


class FundingSourceViewSet(ReadOnlyViewSet):
    queryset = FundingSource.objects.all()
    serializer_class = FundingSourceSerializer
    filterset_fields = ["budget_type", "code"]
    ordering_fields = ["code", "sort_order"]


class InputTypeViewSet(ReadOnlyViewSet):
    queryset = InputType.objects.all()
    serializer_class = InputTypeSerializer
    ordering_fields = ["code", "sort_order"]


class ConventionViewSet(ReadOnlyViewSet):
    queryset = Convention.objects.all()
    serializer_class = ConventionSerializer
    filterset_fields = ["is_fundamental", "principle"]
    ordering_fields = ["number"]


ROUTES = [
    ("projects", ProjectViewSet, "project"),
    ("project-partners", ProjectPartnerViewSet, "project-partner"),
    ("tripartite", TripartiteViewSet, "tripartite"),
    ("experts", ExpertViewSet, "expert"),
    ("training", TrainingViewSet, "training"),
    ("progress-reports", ProgressReportViewSet, "progress-report"),
    ("objectives", ObjectiveViewSet, "objective"),
    ("programmes", ProgrammeViewSet, "programme"),
    ("funding-sources", FundingSourceViewSet, "funding-source"),
    ("input-types", InputTypeViewSet, "input-type"),
    ("conventions", ConventionViewSet, "convention"),
]
