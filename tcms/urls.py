from django.contrib import admin
from django.urls import include, path

from home import constituents as home_constituents
from home import profile as home_profile
from home import views as home_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("", include("core.urls")),
    path("accounts/profile/", home_profile.profile, name="profile"),
    path("workspace/projects/<int:pk>/", home_constituents.project, name="constituent_project"),
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
