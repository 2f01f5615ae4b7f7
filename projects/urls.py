from django.urls import path

from projects import request_views, views

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
    # constituents' requests for assistance and governments' agreement to autonomy (issue 18.4-5)
    path("requests/", request_views.request_list, name="requests"),
    path("requests/mine/", request_views.my_requests, name="my_requests"),
    path("requests/new/", request_views.RequestCreate.as_view(), name="request_create"),
    path("requests/<int:pk>/", request_views.request_detail, name="request_detail"),
    path("requests/<int:pk>/decide/", request_views.RequestDecide.as_view(), name="request_decide"),
    path("<int:pk>/autonomy/", request_views.ProjectAutonomy.as_view(), name="autonomy"),
]
