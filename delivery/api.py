"""/api/v1/allocations/, expenditure/, exchange-rates/, approvals/ and delivery/ (figures by any dimension).

Bulk writes take a JSON list of rows in the import layout (the README) and go through
delivery.services.financial_import, so they are validated exactly like an uploaded file: every error is
reported with its row and column, and if any row is wrong nothing is written. Rows of projects the user may not
change answer 403 (with the same row errors); exchange rates are for administrators only.
"""

import csv
import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from core.api import (
    CHANGE,
    CREATE,
    DELETE,
    CreateThroughService,
    DestroyThroughService,
    TcmsCollectionViewSet,
    TcmsViewSet,
    UpdateThroughService,
)
from delivery import services
from delivery.filters import DeliveryFilterSet
from delivery.models import Allocation, Approval, ExchangeRate, Expenditure, ImportKind
from delivery.permissions import IMPORT_FINANCIALS, MANAGE_EXCHANGE_RATES
from delivery.selectors import delivery_by, delivery_total, overlap_note
from delivery.serializers import (
    AllocationChangeSerializer,
    AllocationSerializer,
    AllocationWriteSerializer,
    ApprovalChangeSerializer,
    ApprovalSerializer,
    ApprovalWriteSerializer,
    DeliveryFiguresSerializer,
    DeliveryQuerySerializer,
    ExchangeRateSerializer,
    ExpenditureSerializer,
    ImportRefusedSerializer,
    ImportResultSerializer,
    import_row_serializer,
)
from projects.models import Project
from projects.permissions import CHANGE_PROJECT

ROW_SERIALIZERS = {kind: import_row_serializer(f"{kind.title()}ImportRow", columns,
                                              services.OPTIONAL_COLUMNS.get(kind, []))
                   for kind, columns in services.LAYOUTS.items()}
DRY_RUN = OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="Validate only: report what would be "
                                                                     "written, write nothing.")


def _refused(errors: list[dict], batch=None, code=status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"errors": errors, "batch": batch}, status=code)


def import_rows(request, kind: str) -> Response:
    """Run a JSON list of rows through the import service, as the equivalent CSV file (header = row 1)."""
    if not isinstance(request.data, list):
        return _refused([{"index": None, "row": None, "column": None,
                          "message": "Send a JSON list of rows, each an object with the columns "
                                     + ", ".join(services.columns(kind)) + "."}])
    # The rows become a CSV file read under the import limits (tcms/tabular.py); too many are refused before
    # each is validated.
    if len(request.data) > settings.TCMS_MAX_IMPORT_ROWS:
        return _refused([{"index": settings.TCMS_MAX_IMPORT_ROWS, "row": settings.TCMS_MAX_IMPORT_ROWS + 2,
                          "column": None, "message": _("At most %(limit)s rows can be sent at once.") % {
                              "limit": settings.TCMS_MAX_IMPORT_ROWS}}])
    rows = ROW_SERIALIZERS[kind](data=request.data, many=True, allow_empty=False)
    if not rows.is_valid():
        # DRF reports rows' errors keyed by the row's index (or as a list), and general ones as non_field_errors.
        errors = rows.errors
        by_row = errors.items() if isinstance(errors, dict) else enumerate(errors)
        general = [{"index": None, "row": None, "column": None, "message": str(message)}
                   for index, messages in by_row if not isinstance(index, int) for message in messages]
        by_row = errors.items() if isinstance(errors, dict) else enumerate(errors)
        per_row = [{"index": index, "row": index + 2, "column": column, "message": str(message)}
                   for index, row_errors in by_row if isinstance(index, int) and row_errors
                   for column, messages in (row_errors.items() if isinstance(row_errors, dict)
                                            else [(None, row_errors)])
                   for message in messages]
        return _refused(general + per_row)
    columns = services.columns(kind)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row.get(column, "") for column in columns] for row in rows.validated_data)
    dry_run = request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")
    result = services.financial_import(kind=kind, source=text.getvalue().encode(), filename=f"api-{kind}.csv",
                                       user=request.user, dry_run=dry_run)
    batch = result.batch.pk if result.batch else None
    if result.errors:
        return _refused([{"index": None if e.row is None else e.row - 2, "row": e.row, "column": e.column,
                          "message": e.message} for e in result.errors], batch,
                        status.HTTP_403_FORBIDDEN if result.refused else status.HTTP_400_BAD_REQUEST)
    data = {"kind": kind, "dry_run": dry_run, "rows_total": result.rows_total, "created": result.created,
            "updated": result.updated, "unchanged": result.unchanged, "batch": batch}
    return Response(ImportResultSerializer(data).data,
                    status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)


def _import_schema(kind: str):
    return extend_schema(request=ROW_SERIALIZERS[kind](many=True), parameters=[DRY_RUN],
                         responses={200: ImportResultSerializer, 201: ImportResultSerializer,
                                    400: ImportRefusedSerializer, 403: ImportRefusedSerializer})


class AllocationViewSet(CreateThroughService, UpdateThroughService, TcmsViewSet):
    """Allocations of a project by year and source of funds. POST sets one (a change keeps the earlier amount as
    a revision with the reason); POST import/ takes rows in the allocations import layout. Changing one needs
    projects.change_project on its project (asked again by the service, as for a new one)."""

    queryset = Allocation.objects.select_related("project", "funding_source")
    serializer_class = AllocationSerializer
    filterset_fields = ["project", "year", "funding_source"]
    ordering_fields = ["year", "amount_usd", "updated_at", "id"]
    perms = {CREATE: IMPORT_FINANCIALS, CHANGE: CHANGE_PROJECT}
    object_perms = frozenset({CHANGE})
    action_kinds = {"bulk_import": CREATE}

    def permission_object(self, allocation):
        return allocation.project

    @property
    def write_serializer_class(self):
        return AllocationChangeSerializer if self.action in ("update", "partial_update") else AllocationWriteSerializer

    def service_create(self, data):
        return services.allocation_set(user=self.request.user, **data)

    def service_update(self, allocation, data):
        if not data.get("reason", "").strip():  # PATCH makes no field required, but a change needs its reason
            raise ValidationError({"reason": _("Give the reason for the allocation change.")})
        return services.allocation_set(project=allocation.project, year=allocation.year,
                                       funding_source=allocation.funding_source,
                                       amount_usd=data.get("amount_usd", allocation.amount_usd),
                                       reason=data.get("reason", ""), user=self.request.user)

    @_import_schema(ImportKind.ALLOCATIONS)
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[JSONParser])
    def bulk_import(self, request):
        return import_rows(request, ImportKind.ALLOCATIONS)


class ExpenditureViewSet(TcmsViewSet):
    """Expenditure lines, each with its source of funds. POST takes a JSON list of rows in the expenditure import
    layout (all or nothing; a row without `funding_source` is booked to its project's main source)."""

    queryset = Expenditure.objects.select_related("project", "input_type", "funding_source")
    serializer_class = ExpenditureSerializer
    filterset_fields = ["project", "period", "input_type", "currency", "funding_source", "batch"]
    ordering_fields = ["period", "amount_usd", "id"]
    perms = {CREATE: IMPORT_FINANCIALS}
    parser_classes = [JSONParser]

    @_import_schema(ImportKind.EXPENDITURE)
    def create(self, request):
        return import_rows(request, ImportKind.EXPENDITURE)


class ExchangeRateViewSet(TcmsViewSet):
    """UN operational rates of exchange. POST takes a JSON list of rows in the rates import layout (administrators:
    the rates are reference data)."""

    queryset = ExchangeRate.objects.all()
    serializer_class = ExchangeRateSerializer
    filterset_fields = ["currency", "period"]
    ordering_fields = ["currency", "period"]
    perms = {CREATE: MANAGE_EXCHANGE_RATES}
    parser_classes = [JSONParser]

    @_import_schema(ImportKind.RATES)
    def create(self, request):
        return import_rows(request, ImportKind.RATES)


IMPORT = "import"


class ApprovalViewSet(CreateThroughService, UpdateThroughService, DestroyThroughService, TcmsViewSet):
    """Funds approved by donors for projects, in the currency of the decision with their US$ value (the UN rate
    of the month of the date). POST records one, PUT/PATCH change it, DELETE removes it: whoever may change the
    project. POST import/ takes rows in the approvals import layout (all or nothing): an existing approval of the
    same project, donor and date is changed."""

    queryset = Approval.objects.select_related("project", "donor").order_by("-date", "-id")
    serializer_class = ApprovalSerializer
    filterset_fields = ["project", "donor", "date", "currency"]
    ordering_fields = ["date", "amount_usd", "id"]
    perms = {CREATE: CHANGE_PROJECT, CHANGE: CHANGE_PROJECT, DELETE: CHANGE_PROJECT, IMPORT: IMPORT_FINANCIALS}
    object_perms = frozenset({CREATE, CHANGE, DELETE})
    action_kinds = {"bulk_import": IMPORT}

    def permission_object(self, approval):
        return approval.project

    @property
    def write_serializer_class(self):
        return ApprovalChangeSerializer if self.action in ("update", "partial_update") else ApprovalWriteSerializer

    def service_create(self, data):
        self.check_target(data["project"])
        return services.approval_create(user=self.request.user, **data)

    def service_update(self, approval, data):
        return services.approval_update(approval=approval, user=self.request.user, **data)

    def service_delete(self, approval):
        services.approval_delete(approval=approval, user=self.request.user)

    @_import_schema(ImportKind.APPROVALS)
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[JSONParser])
    def bulk_import(self, request):
        return import_rows(request, ImportKind.APPROVALS)


class DeliveryFiguresViewSet(TcmsCollectionViewSet):
    """Allocation, expenditure and delivery rate of a year grouped by a dimension, with the TOTAL row: the numbers
    of delivery.selectors.delivery_by, the same as the dashboard and `manage.py delivery_table`. The dashboard's
    filters (DeliveryFilterSet) narrow the projects counted."""

    queryset = Project.objects.all()
    filterset_class = DeliveryFilterSet
    filter_backends = [DjangoFilterBackend]
    pagination_class = None
    serializer_class = DeliveryFiguresSerializer
    answers_one_object = True

    @extend_schema(operation_id="delivery_figures", parameters=[DeliveryQuerySerializer],
                   responses=DeliveryFiguresSerializer)
    def list(self, request, *args, **kwargs):
        query = DeliveryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filterset = DeliveryFilterSet(request.query_params, queryset=self.get_queryset())
        if not filterset.is_valid():
            return Response(filterset.errors, status=status.HTTP_400_BAD_REQUEST)
        year, as_of, dimension = (query.validated_data[name] for name in ("year", "as_of", "by"))
        filters = filterset.selector_filters()
        rows = delivery_by(dimension=dimension, year=year, as_of=as_of, filters=filters)
        total = delivery_total(dimension=dimension, year=year, as_of=as_of, filters=filters, rows=rows)
        data = {"year": year, "as_of": as_of, "by": dimension, "rows": rows, "total": total,
                "note": overlap_note(dimension)}
        return Response(DeliveryFiguresSerializer(data).data)


ROUTES = [
    ("allocations", AllocationViewSet, "allocation"),
    ("expenditure", ExpenditureViewSet, "expenditure"),
    ("exchange-rates", ExchangeRateViewSet, "exchange-rate"),
    ("approvals", ApprovalViewSet, "approval"),
    ("delivery", DeliveryFiguresViewSet, "delivery"),
]
