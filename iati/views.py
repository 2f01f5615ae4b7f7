"""/api/v1/iati/…: the IATI activity file (streamed) and the lists behind our own sector vocabularies."""

import csv
import io
import re

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from lxml import etree
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.security import spreadsheet_safe_row
from iati.export import NOTHING_MATCHES, iter_activities_xml
from iati.filters import IatiActivityFilterSet
from iati.selectors import vocabulary
from projects.models import Project


class PublicationPermission(IsAuthenticated):
    """The Office's staff (who read the whole register) always; everyone when the organisation publishes openly
    (settings.TCMS_IATI_PUBLIC). Not a constituent otherwise: the files hold the whole portfolio."""

    def has_permission(self, request, view):
        if getattr(settings, "TCMS_IATI_PUBLIC", False):
            return AllowAny().has_permission(request, view)
        return super().has_permission(request, view) and request.user.has_perm("projects.view_project")


class XmlErrorRenderer(BaseRenderer):
    """Lets clients ask for application/xml; only errors are rendered here (the file itself is streamed)."""

    media_type = "application/xml"
    format = "xml"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        root = etree.Element("errors")
        for key, value in (data or {}).items():
            etree.SubElement(root, "error", {"field": xml_safe(str(key))}).text = xml_safe(str(value))
        return etree.tostring(root, xml_declaration=True, encoding="utf-8")


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Error messages may echo what the client sent; XML 1.0 cannot hold control characters."""
    return _XML_INVALID.sub("\ufffd", text)


class ActivitiesXmlView(APIView):
    """IATI 2.03 iati-activities for the projects matching the register's filters (`status` repeatable, `since`)."""

    permission_classes = [PublicationPermission]
    renderer_classes = [XmlErrorRenderer, JSONRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, many=True, explode=True,
                             description="Project status (repeatable), e.g. ONGOING."),
            OpenApiParameter("since", OpenApiTypes.DATE, description="Projects updated on or after this date."),
        ],
        responses={(200, "application/xml"): OpenApiTypes.STR, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
        description="IATI 2.03 iati-activities, streamed. Accepts the project register's other filters too.")
    def get(self, request):
        filterset = IatiActivityFilterSet(request.GET, queryset=Project.objects.all())
        if not filterset.is_valid():
            return Response({"errors": filterset.errors}, status=400)
        if not filterset.qs.exists():
            return Response({"detail": NOTHING_MATCHES}, status=404)
        response = StreamingHttpResponse(iter_activities_xml(filterset.qs), content_type="application/xml")
        response["Content-Disposition"] = 'inline; filename="iati-activities.xml"'
        return response


class VocabularyView(APIView):
    """The lists behind our own codes, as CSV: sector vocabularies 99 (strategic objectives) and 98 (programmes),
    and tag vocabulary 99 (Declaration principles, Conventions, cross-cutting themes)."""

    permission_classes = [PublicationPermission]
    vocabulary: str = ""

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request):
        header, rows = vocabulary(self.vocabulary)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow(spreadsheet_safe_row(row))
        return HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
