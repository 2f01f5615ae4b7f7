from django.urls import path

from projects import views

urlpatterns = [
    path("", views.project_list, name="list"),
    path("export/", views.project_export, name="export"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/status/", views.project_status, name="status"),
    path("<int:pk>/dates/", views.project_revise_date, name="revise_date"),
    path("<int:pk>/records/<str:kind>/", views.project_records, name="records"),
    path("import/", views.project_import, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("import/records/", views.records_import, name="records_import"),
    path("import/records/templates/<str:kind>/", views.records_template, name="records_template"),
]
