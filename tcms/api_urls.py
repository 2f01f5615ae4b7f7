"""/api/v1/: one router; each app adds its viewsets in its own api module (a ROUTES list)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from alerts import api as alerts_api
from core.security import relaxed_csp_for_api_docs
from delivery import api as delivery_api
from evaluation import api as evaluation_api
from partners import api as partners_api
from projects import api as projects_api
from projects import request_api as projects_request_api

router = DefaultRouter()
for module in (projects_api, partners_api, delivery_api, evaluation_api, alerts_api, projects_request_api):
    for prefix, viewset, basename in module.ROUTES:
        router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI and Redoc run inline bootstrap code: only these two pages get a relaxed policy.
    path("schema/swagger/", relaxed_csp_for_api_docs(SpectacularSwaggerView.as_view(url_name="api-schema")),
         name="api-swagger"),
    path("schema/redoc/", relaxed_csp_for_api_docs(SpectacularRedocView.as_view(url_name="api-schema")),
         name="api-redoc"),
    path("iati/", include("iati.urls")),
] + router.urls
