"""/api/v1/alerts/: read alerts; acknowledge, explain and resolve them (the same services and rules as the pages)."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from alerts import selectors, services
from alerts.filters import AlertFilterSet
from alerts.serializers import AlertSerializer, EmptySerializer, ExplainSerializer, ResolveSerializer
from core.api import TcmsViewSet

MANAGE = "manage"


class AlertViewSet(TcmsViewSet):
    """Early-warning alerts. Everyone signed in reads them; those who may manage alerts and change the project
    (its officers and managers, administrators) acknowledge, explain and resolve them."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilterSet
    ordering_fields = ["raised_on", "period", "severity", "state", "id"]
    ordering = ["-period", "-raised_on", "project__symbol", "rule__code"]
    perms = {MANAGE: "alerts.manage_alerts"}
    object_perms = frozenset({MANAGE})
    action_kinds = {"acknowledge": MANAGE, "explain": MANAGE, "resolve": MANAGE}
    conditional_actions = frozenset({"acknowledge", "explain", "resolve"})

    def get_queryset(self):
        return selectors.alert_queryset()

    def object_permitted(self, user, perm, alert) -> bool:
        return services.can_manage_alert(user, alert)

    @extend_schema(request=EmptySerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        alert = services.alert_acknowledge(alert=self.get_object(), user=request.user)
        return self._answer(alert)

    @extend_schema(request=ExplainSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def explain(self, request, pk=None):
        alert = self.get_object()
        serializer = ExplainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        alert = services.alert_explain(alert=alert, user=request.user, reason_code=serializer.validated_data["reason"],
                                       comment=serializer.validated_data["comment"])
        return self._answer(alert)

    @extend_schema(request=ResolveSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        alert = self.get_object()
        serializer = ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        alert = services.alert_resolve(alert=alert, user=request.user, note=serializer.validated_data["note"])
        return self._answer(alert)


ROUTES = [("alerts", AlertViewSet, "alert")]
