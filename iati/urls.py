"""Included by tcms/api_urls.py under /api/v1/iati/."""

from django.urls import path

from iati import views

urlpatterns = [
    path("activities.xml", views.ActivitiesXmlView.as_view(), name="iati-activities"),
    path("vocabularies/objectives.csv", views.VocabularyView.as_view(vocabulary="objectives"),
         name="iati-vocabulary-objectives"),
    path("vocabularies/programmes.csv", views.VocabularyView.as_view(vocabulary="programmes"),
         name="iati-vocabulary-programmes"),
    path("vocabularies/principles.csv", views.VocabularyView.as_view(vocabulary="principles"),
         name="iati-vocabulary-principles"),
    path("vocabularies/conventions.csv", views.VocabularyView.as_view(vocabulary="conventions"),
         name="iati-vocabulary-conventions"),
    path("vocabularies/themes.csv", views.VocabularyView.as_view(vocabulary="themes"),
         name="iati-vocabulary-themes"),
]
