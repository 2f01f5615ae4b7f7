"""/api/v1/organisations/, units/, regions/, countries/."""

from core.api import CREATE, CreateThroughService, ReadOnlyViewSet, TcmsViewSet
from partners import services
from partners.models import Country, Organisation, Region, Unit
from partners.permissions import ADD_ORGANISATION
from partners.serializers import (
    CountrySerializer,
    OrganisationSerializer,
    OrganisationWriteSerializer,
    RegionSerializer,
    UnitSerializer,
)


class OrganisationViewSet(CreateThroughService, TcmsViewSet):
    """Partners, donors and constituents. Those who register projects may register the organisations they name."""

    queryset = Organisation.objects.select_related("country")
    serializer_class = OrganisationSerializer
    write_serializer_class = OrganisationWriteSerializer
    filterset_fields = ["kind", "is_active", "acronym"]
    ordering_fields = ["name", "acronym", "id"]
    perms = {CREATE: ADD_ORGANISATION}

    def service_create(self, data):
        return services.organisation_create(user=self.request.user, **data)


class UnitViewSet(ReadOnlyViewSet):
    queryset = Unit.objects.select_related("region").prefetch_related("countries")
    serializer_class = UnitSerializer
    filterset_fields = ["kind", "is_active", "parent"]
    ordering_fields = ["code", "name"]


class RegionViewSet(ReadOnlyViewSet):
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    ordering_fields = ["code", "sort_order"]


class CountryViewSet(ReadOnlyViewSet):
    queryset = Country.objects.select_related("region")
    serializer_class = CountrySerializer
    filterset_fields = ["is_ldc", "in_transition", "iso3"]
    ordering_fields = ["name", "iso3"]


ROUTES = [
    ("organisations", OrganisationViewSet, "organisation"),
    ("units", UnitViewSet, "unit"),
    ("regions", RegionViewSet, "region"),
    ("countries", CountryViewSet, "country"),
]
