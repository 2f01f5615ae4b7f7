from django.urls import path

from projects import views

urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("import/", views.project_import, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
]
