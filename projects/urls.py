from django.urls import path

from projects import views

urlpatterns = [
    path("", views.project_list, name="list"),
    path("export/", views.project_export, name="export"),
    path("new/", views.ProjectCreate.as_view(), name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.ProjectEdit.as_view(), name="edit"),
    path("<int:pk>/status/", views.ProjectStatusChange.as_view(), name="status"),
    path("<int:pk>/dates/", views.ProjectDateRevision.as_view(), name="revise_date"),
    path("<int:pk>/records/<str:kind>/", views.project_records, name="records"),
    path("organisations/new/", views.OrganisationCreate.as_view(), name="organisation_create"),
    path("tripartite/<int:pk>/report/", views.InvolvementReport.as_view(), name="involvement_report"),
    path("tripartite/<int:pk>/confirm/", views.involvement_confirm, name="involvement_confirm"),
    path("tripartite/<int:pk>/answer/", views.InvolvementAnswer.as_view(), name="involvement_answer"),
    path("import/", views.project_import, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("import/records/", views.records_import, name="records_import"),
    path("import/records/templates/<str:kind>/", views.records_template, name="records_template"),
]
