"""API representations of allocations, expenditure, exchange rates, approvals and delivery figures."""

from rest_framework import serializers

from core.serializer_fields import SlugRelatedField
from core.serializers import ModelSerializer, Serializer
from delivery.models import Allocation, Approval, ExchangeRate, Expenditure
from delivery.selectors import DIMENSIONS
from projects.models import FundingSource


class AllocationSerializer(ModelSerializer):
    project_symbol = serializers.CharField(source="project.symbol", read_only=True)
    funding_source_code = serializers.CharField(source="funding_source.code", read_only=True)

    class Meta:
        model = Allocation
        fields = ["id", "project", "project_symbol", "year", "funding_source", "funding_source_code", "amount_usd",
                  "updated_at"]
        read_only_fields = fields


class AllocationWriteSerializer(ModelSerializer):
    funding_source = SlugRelatedField(slug_field="code", queryset=FundingSource.objects.all())
    amount_usd = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    reason = serializers.CharField(write_only=True, help_text="Why the allocation is set or changed (kept with the "
                                                             "revision).")

    class Meta:
        model = Allocation
        fields = ["project", "year", "funding_source", "amount_usd", "reason"]
        validators = []  # setting an existing (project, year, source) changes it, keeping a revision
        extra_kwargs = {"year": {"min_value": 1950, "max_value": 2100}}


class AllocationChangeSerializer(Serializer):
    amount_usd = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    reason = serializers.CharField()


class ExpenditureSerializer(ModelSerializer):
    project_symbol = serializers.CharField(source="project.symbol", read_only=True)
    input_type_code = serializers.CharField(source="input_type.code", read_only=True)
    funding_source_code = serializers.CharField(source="funding_source.code", read_only=True)

    class Meta:
        model = Expenditure
        fields = ["id", "project", "project_symbol", "period", "input_type", "input_type_code", "currency",
                  "funding_source", "funding_source_code", "amount", "exchange_rate", "amount_usd", "batch"]
        read_only_fields = fields


class ExchangeRateSerializer(ModelSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "period", "units_per_usd"]
        read_only_fields = fields


class ApprovalSerializer(ModelSerializer):
    project_symbol = serializers.CharField(source="project.symbol", read_only=True)
    donor_name = serializers.CharField(source="donor.name", read_only=True)

    class Meta:
        model = Approval
        fields = ["id", "project", "project_symbol", "donor", "donor_name", "date", "amount", "currency",
                  "exchange_rate", "amount_usd", "batch"]
        read_only_fields = fields


class ApprovalWriteSerializer(ModelSerializer):
    """The amount in the currency of the decision; the US$ value follows from the rate of the month of the date."""

    class Meta:
        model = Approval
        fields = ["project", "donor", "date", "amount", "currency"]


class ApprovalChangeSerializer(ModelSerializer):
    class Meta:
        model = Approval
        fields = ["donor", "date", "amount", "currency"]


class _ImportRow(Serializer):
    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown column; allowed: " + ", ".join(self.fields)]
                                                   for name in unknown})
        return super().to_internal_value(data)


def import_row_serializer(name: str, columns: list[str], optional: list[str] = ()) -> type[serializers.Serializer]:
    """One row of an import layout, each cell as the text a file would hold (the import service parses it); an
    `optional` column may be left out, as in a file."""
    fields = {column: serializers.CharField(allow_blank=True, max_length=255, trim_whitespace=False,
                                            required=column not in optional)
              for column in [*columns, *optional]}
    return type(name, (_ImportRow,), fields)


class ImportErrorSerializer(Serializer):
    index = serializers.IntegerField(allow_null=True, help_text="Position of the row in the list (0-based).")
    row = serializers.IntegerField(allow_null=True, help_text="Row number as in the equivalent file (header = 1).")
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ImportResultSerializer(Serializer):
    kind = serializers.CharField()
    dry_run = serializers.BooleanField()
    rows_total = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    batch = serializers.IntegerField(allow_null=True)


class ImportRefusedSerializer(Serializer):
    """Rows refused (errors, and the refused import's record) — or, for a body that is not JSON, a detail."""

    errors = ImportErrorSerializer(many=True, required=False)
    batch = serializers.IntegerField(allow_null=True, required=False)
    detail = serializers.CharField(required=False)


class DeliveryQuerySerializer(Serializer):
    year = serializers.IntegerField(min_value=1950, max_value=2100)
    as_of = serializers.DateField(required=False, allow_null=True, default=None,
                                  help_text="Count expenditure of the months up to this date's (YYYY-MM-DD).")
    by = serializers.ChoiceField(choices=list(DIMENSIONS), help_text="The dimension to group by.")


class DeliveryRowSerializer(Serializer):
    group_key = serializers.JSONField(help_text="The group's id (or code for status and budget type); TOTAL on the "
                                                "total row.")
    group_label = serializers.CharField()
    allocation_usd = serializers.DecimalField(max_digits=None, decimal_places=2)
    expenditure_usd = serializers.DecimalField(max_digits=None, decimal_places=2)
    delivery_rate = serializers.DecimalField(max_digits=None, decimal_places=4, allow_null=True,
                                             help_text="expenditure ÷ allocation; null where the allocation is 0")


class DeliveryFiguresSerializer(Serializer):
    year = serializers.IntegerField()
    as_of = serializers.DateField(allow_null=True)
    by = serializers.CharField()
    rows = DeliveryRowSerializer(many=True)
    total = DeliveryRowSerializer(help_text="Every project counted once, also where the rows overlap (see note).")
    note = serializers.CharField(help_text="Where a project counts in several rows (by country, theme, principle, "
                                           "convention): says so; empty otherwise.")
