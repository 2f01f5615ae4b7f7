from django.urls import path

from . import views

urlpatterns = [
    path("", views.plan, name="plan"),
    path("propose/", views.propose, name="propose"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("new/", views.evaluation_create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.evaluation_edit, name="edit"),
    path("<int:pk>/report/", views.report_download, name="report"),
    path("<int:pk>/recommendations/new/", views.recommendation_create, name="recommendation_create"),
    path("recommendations/<int:pk>/edit/", views.recommendation_edit, name="recommendation_edit"),
    path("recommendations/<int:pk>/response/", views.response_edit, name="response_edit"),
    path("recommendations/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("projects/<int:project_pk>/results/", views.project_results, name="project_results"),
    path("projects/<int:project_pk>/results/new/", views.result_create, name="result_create"),
    path("results/<int:pk>/edit/", views.result_edit, name="result_edit"),
    path("results/<int:pk>/indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/baselines/new/", views.baseline_create, name="baseline_create"),
    path("indicators/<int:pk>/periods/new/", views.period_create, name="period_create"),
    path("periods/<int:pk>/edit/", views.period_edit, name="period_edit"),
    path("periods/<int:pk>/target/", views.target_revise, name="target_revise"),
    path("required/", views.required_rules, name="required_rules"),
    path("required/new/", views.RequiredRuleCreate.as_view(), name="required_rule_create"),
    path("required/<int:pk>/edit/", views.RequiredRuleEdit.as_view(), name="required_rule_edit"),
    path("lessons/", views.lessons, name="lessons"),
    path("lessons/new/", views.lesson_create, name="lesson_create"),
    path("lessons/<int:pk>/", views.lesson_detail, name="lesson_detail"),
    path("lessons/<int:pk>/edit/", views.lesson_edit, name="lesson_edit"),
]
