"""API representations of the register. Write serializers check the shape of the input only: the rules (dates in
order, status transitions, countries in the region, who changed what) are the services'."""

from collections import defaultdict
from collections.abc import Callable

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializer_fields import SlugRelatedField
from core.serializers import ModelSerializer, Serializer
from core.translated import localized
from partners.models import Country
from projects.models import (
    ALLOWED_TRANSITIONS,
    PENDING_CONFIRMATION,
    Convention,
    DateField,
    ExpertAssignment,
    FundingSource,
    InputType,
    Programme,
    ProgressReport,
    Project,
    ProjectPartner,
    ProjectStatus,
    StrategicObjective,
    TrainingActivity,
    TripartiteInvolvement,
)
from projects.services import PROJECT_EDITABLE_FIELDS, TRIPARTITE_FIELDS


class PartnerSerializer(ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = ProjectPartner
        fields = ["id", "project", "organisation", "organisation_name", "role"]
        read_only_fields = fields


class PartnerWriteSerializer(ModelSerializer):
    class Meta:
        model = ProjectPartner
        fields = ["project", "organisation", "role"]
        validators = []  # the service's full_clean reports a duplicate, naming the fields


class TripartiteSerializer(ModelSerializer):
    """A cell as the Office's staff read it: contemplated and actual involvement, and its confirmation by the
    constituent group (recorded, reported, confirmed, disputed), who reported and confirmed it, and the Office's
    answer."""

    is_gap = serializers.BooleanField(read_only=True)

    class Meta:
        model = TripartiteInvolvement
        fields = ["id", "project", "stage", "group", "contemplated", "contemplated_description", "actual_date",
                  "actual_organisation", "actual_description", "women", "men", "is_gap", "confirmation",
                  "not_involved", "reported_by", "reported_at", "officer_comment", "confirmed_by", "confirmed_at"]
        read_only_fields = fields


# What a constituent may not read of another organisation's cell while its report is pending (issue 18.2).
PENDING_DETAILS = ("actual_date", "actual_organisation", "actual_description", "women", "men", "not_involved",
                   "officer_comment")


class ConstituentTripartiteSerializer(TripartiteSerializer):
    """A cell as a constituent reads it: no user of the Office (who reported, who confirmed), and another
    organisation's pending report (reported or disputed) shows without its details."""

    class Meta(TripartiteSerializer.Meta):
        fields = [name for name in TripartiteSerializer.Meta.fields if name not in ("reported_by", "confirmed_by")]
        read_only_fields = fields

    def to_representation(self, cell):
        data = super().to_representation(cell)
        organisation_id = self.context.get("organisation_id")
        if cell.confirmation in PENDING_CONFIRMATION and cell.actual_organisation_id not in (None, organisation_id):
            data.update(dict.fromkeys(PENDING_DETAILS))
            data["confirmation"] = None
        return data


class InvolvementReportSerializer(Serializer):
    """POST /api/v1/tripartite/{id}/report/: what happened, or `not_involved: true`."""

    actual_date = serializers.DateField(required=False, allow_null=True)
    actual_description = serializers.CharField(required=False, allow_blank=True, default="")
    women = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    men = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    not_involved = serializers.BooleanField(required=False, default=False)


class InvolvementAnswerSerializer(Serializer):
    comment = serializers.CharField(allow_blank=True)


class TripartiteWriteSerializer(ModelSerializer):
    class Meta:
        model = TripartiteInvolvement
        fields = ["project", "stage", "group", *sorted(TRIPARTITE_FIELDS)]
        validators = []  # POST sets the cell of (project, stage, group), creating or replacing it


class TripartiteUpdateSerializer(TripartiteWriteSerializer):
    class Meta(TripartiteWriteSerializer.Meta):
        read_only_fields = ["project", "stage", "group"]


class PrefetchedIds(serializers.ListField):
    """The ids of a list of prefetched objects (Prefetch(..., to_attr=...)): no related manager per row."""

    child = serializers.IntegerField()

    def to_representation(self, data):
        return [item.pk for item in data]


class ProjectRowsSerializer(serializers.ListSerializer):
    """The rows of a page, each given its countries' codes (`country_codes`) from one query on the M2M table, in the
    detail's order (by country name), without building a Country per row."""

    def to_representation(self, data):
        projects = list(data.all() if hasattr(data, "all") else data)
        codes = defaultdict(list)
        links = Project.countries.through.objects.filter(project_id__in=[project.pk for project in projects])
        for project_id, iso3 in links.order_by(localized("country__name"), "country_id").values_list("project_id",
                                                                                          "country__iso3"):
            codes[project_id].append(iso3)
        for project in projects:
            project.country_codes = codes[project.pk]
        return super().to_representation(projects)


class ProjectListSerializer(ModelSerializer):
    """One row of GET /api/v1/projects/: the project's summary, cheap enough to list hundreds of projects.

    Compared with the detail (ProjectSerializer) a row leaves out the long texts (summary, country objective,
    autonomy reason), the framework links (other programmes, themes, principles, conventions), the statuses the
    project may move to, and the nested partners and tripartite involvement: read those on
    /api/v1/projects/{id}/, or for many projects at once on /api/v1/project-partners/?project=… and
    /api/v1/tripartite/?project=…. Related objects are given by id (countries by ISO3 code), as in the detail.
    ProjectViewSet reads a row's columns only (no joins) and the countries' codes into `country_codes`.
    """

    countries = serializers.ListField(child=serializers.CharField(), source="country_codes", read_only=True,
                                      help_text="ISO3 codes.")

    class Meta:
        model = Project
        fields = ["id", "symbol", "title", "status", "planned_start", "planned_end", "actual_start", "actual_end",
                  "strategic_objective", "primary_programme", "region", "countries", "funding_source", "donor",
                  "responsible_unit", "backstopping_unit", "responsible_official", "gender_marker",
                  "is_crisis_response", "is_enterprise_promotion", "is_autonomous", "version", "updated_at"]
        read_only_fields = fields
        list_serializer_class = ProjectRowsSerializer


class ProjectSerializer(ModelSerializer):
    """A project in full (detail, and the answer to every write); read by ProjectViewSet, whose queryset prefetches
    the framework links into the *_rows attributes. The list shows a summary of it: ProjectListSerializer."""

    countries = serializers.SlugRelatedField(slug_field="iso3", many=True, read_only=True)
    other_programmes = PrefetchedIds(source="other_programme_rows", read_only=True)
    themes = PrefetchedIds(source="theme_rows", read_only=True)
    principles = PrefetchedIds(source="principle_rows", read_only=True)
    conventions = PrefetchedIds(source="convention_rows", read_only=True)
    partners = PartnerSerializer(many=True, read_only=True)
    tripartite = TripartiteSerializer(many=True, read_only=True)
    allowed_statuses = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "symbol", "title", "summary", "status", "allowed_statuses", "planned_start", "planned_end",
                  "actual_start", "actual_end", "strategic_objective", "primary_programme", "other_programmes",
                  "themes", "region", "countries", "funding_source", "donor", "responsible_unit",
                  "backstopping_unit", "responsible_official", "gender_marker", "is_crisis_response",
                  "is_enterprise_promotion", "principles", "conventions", "undaf_aligned", "country_objective",
                  "is_autonomous", "autonomy_reason", "version", "created_at", "updated_at", "partners", "tripartite"]
        read_only_fields = fields

    def get_allowed_statuses(self, project) -> list[str]:
        return sorted(ALLOWED_TRANSITIONS.get(project.status, ()))


CONSTITUENT_LIST_FIELDS = ["id", "symbol", "title", "status", "planned_start", "planned_end", "actual_start",
                           "actual_end", "strategic_objective", "region", "countries", "is_autonomous"]


class ConstituentProjectListSerializer(ProjectListSerializer):
    """A row of the register as a constituent reads it: no unit, official, source of funds or donor."""

    class Meta(ProjectListSerializer.Meta):
        fields = CONSTITUENT_LIST_FIELDS
        read_only_fields = fields


# How a project's delivery rate of the current year is read: delivery, an app above this one, registers it
# (DeliveryConfig.ready). reader(project) → (year, rate as a fraction) or None when the project has no figures.
_YEAR_DELIVERY_RATE: list[Callable] = []


def register_year_delivery_rate(reader: Callable) -> None:
    _YEAR_DELIVERY_RATE[:] = [reader]


class YearDeliveryRateSerializer(Serializer):
    year = serializers.IntegerField()
    delivery_rate = serializers.DecimalField(max_digits=9, decimal_places=4, allow_null=True,
                                             help_text="Expenditure over allocation of the year, a fraction.")


class ConstituentProjectSerializer(ModelSerializer):
    """A project as a constituent reads it (issue 18.2): title, objectives, status, dates, countries, partners,
    the tripartite matrix and the year's delivery rate; not the Office's units and officials, money, or staff
    comments."""

    countries = serializers.SlugRelatedField(slug_field="iso3", many=True, read_only=True)
    partners = PartnerSerializer(many=True, read_only=True)
    tripartite = ConstituentTripartiteSerializer(many=True, read_only=True)
    delivery = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [*CONSTITUENT_LIST_FIELDS, "summary", "primary_programme", "country_objective", "partners",
                  "tripartite", "delivery"]
        read_only_fields = fields

    @extend_schema_field(YearDeliveryRateSerializer(allow_null=True))
    def get_delivery(self, project) -> dict | None:
        figures = _YEAR_DELIVERY_RATE[0](project) if _YEAR_DELIVERY_RATE else None
        if figures is None:
            return None
        year, rate = figures
        return YearDeliveryRateSerializer({"year": year, "delivery_rate": rate}).data


class ProjectWriteSerializer(ModelSerializer):
    countries = SlugRelatedField(slug_field="iso3", many=True, queryset=Country.objects.all(), required=False)
    version = serializers.IntegerField(
        required=False, min_value=1, write_only=True,
        help_text="The version you read (optimistic lock): a stale one answers 412. If-Match does the same.")
    date_reason = serializers.CharField(
        required=False, allow_blank=True, write_only=True,
        help_text="Needed when a date that already had a value changes (kept as a date revision).")

    class Meta:
        model = Project
        fields = sorted(PROJECT_EDITABLE_FIELDS) + ["version", "date_reason"]


class StatusChangeSerializer(Serializer):
    status = serializers.ChoiceField(choices=ProjectStatus.choices)
    version = serializers.IntegerField(required=False, min_value=1)


class DateRevisionSerializer(Serializer):
    field = serializers.ChoiceField(choices=DateField.choices)
    new_value = serializers.DateField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(required=False, min_value=1)


# ---------------------------------------------------------------- reference lists (read-only)


class ObjectiveSerializer(ModelSerializer):
    biennium = serializers.CharField(source="biennium.code", read_only=True)

    class Meta:
        model = StrategicObjective
        fields = ["id", "biennium", "code", "title"]


class ProgrammeSerializer(ModelSerializer):
    biennium = serializers.CharField(source="biennium.code", read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "biennium", "code", "title", "objective"]


class FundingSourceSerializer(ModelSerializer):
    class Meta:
        model = FundingSource
        fields = ["id", "code", "name", "budget_type"]


class InputTypeSerializer(ModelSerializer):
    class Meta:
        model = InputType
        fields = ["id", "code", "name"]


class ConventionSerializer(ModelSerializer):
    class Meta:
        model = Convention
        fields = ["id", "number", "title", "is_fundamental", "fundamental_since", "principle"]


# ---------------------------------------------------------------- a project's experts, training, progress reports


class ExpertSerializer(ModelSerializer):
    nationality = SlugRelatedField(slug_field="iso3", read_only=True)
    category = serializers.CharField(read_only=True, help_text="NATIONAL when the nationality is one of the "
                                                               "project's countries, else INTERNATIONAL.")

    class Meta:
        model = ExpertAssignment
        fields = ["id", "project", "name", "nationality", "category", "year", "work_months"]
        read_only_fields = fields


class ExpertWriteSerializer(ModelSerializer):
    nationality = SlugRelatedField(slug_field="iso3", queryset=Country.objects.all(),
                                   help_text="ISO 3166-1 alpha-3 code")

    class Meta:
        model = ExpertAssignment
        fields = ["project", "name", "nationality", "year", "work_months"]
        extra_kwargs = {"year": {"min_value": 1950, "max_value": 2100}}


class TrainingSerializer(ModelSerializer):
    class Meta:
        model = TrainingActivity
        fields = ["id", "project", "title", "area", "start_date", "end_date", "women", "men", "is_turin_centre"]
        read_only_fields = fields


class TrainingWriteSerializer(ModelSerializer):
    class Meta:
        model = TrainingActivity
        fields = ["project", "title", "area", "start_date", "end_date", "women", "men", "is_turin_centre"]


class ProgressReportSerializer(ModelSerializer):
    class Meta:
        model = ProgressReport
        fields = ["id", "project", "period_end", "due_date", "submitted_date", "comment"]
        read_only_fields = fields


class ProgressReportWriteSerializer(ModelSerializer):
    class Meta:
        model = ProgressReport
        fields = ["project", "period_end", "due_date", "submitted_date", "comment"]
        validators = []  # the service's full_clean reports a second report of the same period, naming the fields
