"""API representations of early-warning alerts and the actions people take on them."""

from rest_framework import serializers

from alerts.models import Alert
from core.serializers import ModelSerializer, Serializer


class AlertSerializer(ModelSerializer):
    project_symbol = serializers.CharField(source="project.symbol", read_only=True)
    rule = serializers.CharField(source="rule.code", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    slippage_reason = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Alert
        fields = ["id", "project", "project_symbol", "rule", "rule_name", "period", "severity", "state", "raised_on",
                  "escalated_on", "resolved_on", "resolution_note", "resolved_by", "acknowledged_by",
                  "acknowledged_at", "explained_by", "explained_at", "slippage_reason", "slippage_comment", "detail",
                  "updated_at"]
        read_only_fields = fields


class ExplainSerializer(Serializer):
    reason = serializers.CharField(help_text="Code of a reason for slippage (e.g. RECRUITMENT).")
    comment = serializers.CharField(allow_blank=True)


class ResolveSerializer(Serializer):
    note = serializers.CharField(allow_blank=True)


class EmptySerializer(Serializer):
    pass
