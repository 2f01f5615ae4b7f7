from django.urls import path

from alerts import views

urlpatterns = [
    path("", views.alert_list, name="list"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.alert_action, name="action"),
    path("project/<int:project_id>/", views.project_alerts, name="project"),
    path("slippage/", views.slippage, name="slippage"),
    path("run/", views.run, name="run"),
    path("mail/", views.mail, name="mail"),
    path("mail/<int:pk>/", views.mail_detail, name="mail_detail"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/<str:code>/", views.rule_edit, name="rule_edit"),
]
