from django.contrib import admin
from django.urls import include, path

from tcms import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("imports/<int:pk>/confirm/", views.import_job_confirm, name="import_job_confirm"),
    path("imports/<int:pk>/cancel/", views.import_job_cancel, name="import_job_cancel"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("projects/", include(("projects.urls", "projects"))),
    path("partners/", include(("partners.urls", "partners"))),
    path("delivery/", include(("delivery.urls", "delivery"))),
    path("evaluation/", include(("evaluation.urls", "evaluation"))),
    path("alerts/", include(("alerts.urls", "alerts"))),
    path("reports/", include(("reports.urls", "reports"))),
    path("api/v1/", include("tcms.api_urls")),
]
