"""API representations of organisations, units and the geography."""

from rest_framework import serializers

from core.serializer_fields import SlugRelatedField
from core.serializers import ModelSerializer
from partners.models import Country, Organisation, Region, Unit


class OrganisationSerializer(ModelSerializer):
    country = serializers.SlugRelatedField(slug_field="iso3", read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "acronym", "kind", "country", "iati_identifier", "is_active", "is_constituent"]
        read_only_fields = fields


class OrganisationWriteSerializer(ModelSerializer):
    country = SlugRelatedField(slug_field="iso3", queryset=Country.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Organisation
        fields = ["name", "acronym", "kind", "country", "iati_identifier"]


class UnitSerializer(ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    countries = serializers.SlugRelatedField(slug_field="iso3", many=True, read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind", "parent", "region", "countries", "is_active"]


class RegionSerializer(ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "iati_code"]


class CountrySerializer(ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Country
        fields = ["id", "iso3", "iso2", "name", "region", "is_ldc", "ldc_graduation_year", "in_transition"]
