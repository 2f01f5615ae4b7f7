from django.urls import path

from delivery import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("projects/<int:pk>/approvals/new/", views.approval_create, name="approval_create"),
    path("approvals/<int:pk>/edit/", views.approval_edit, name="approval_edit"),
    path("approvals/<int:pk>/delete/", views.approval_delete, name="approval_delete"),
    path("import/", views.financial_import, name="import"),
    path("import/templates/<str:kind>/", views.import_template, name="template"),
]
