from django.urls import path

from delivery import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("import/", views.financial_import, name="import"),
    path("import/templates/<str:kind>/", views.import_template, name="template"),
]
