import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from evaluation import selectors, services
from evaluation.models import LessonKind
from tests.evaluation.factories import EvaluationFactory, LessonFactory
from tests.factories import CountryFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_search_finds_a_lesson_by_a_word_of_its_text():
    wanted = LessonFactory(title="Apprenticeships", text="Employers' organisations co-financed the apprenticeship "
                                                         "scheme, which kept it running after the project closed.")
    LessonFactory(title="Labour inspection", text="Inspectors trained on hazardous work found more violations.")
    found = list(selectors.lessons_search("co-financed"))
    assert found == [wanted], connection.vendor
    assert list(selectors.lessons_search("kept running")) == [wanted]
    assert list(selectors.lessons_search("inspectors hazardous")) != [wanted]
    assert list(selectors.lessons_search("")) and list(selectors.lessons_search("nowhere-to-be-found")) == []


def test_search_is_case_insensitive_and_uses_the_title():
    wanted = LessonFactory(title="Social dialogue in the garment sector", text="Bipartite committees met monthly.")
    LessonFactory()
    assert list(selectors.lessons_search("GARMENT")) == [wanted]


def test_search_matches_word_forms_per_database():
    wanted = LessonFactory(text="Trainers were trained in participatory methods.")
    assert list(selectors.lessons_search("trained")) == [wanted]
    if connection.vendor == "postgresql":
        # English stemming: "training" and "trained" share the stem "train"
        assert list(selectors.lessons_search("training")) == [wanted]
    else:
        # the fallback matches parts of words
        assert list(selectors.lessons_search("particip")) == [wanted]


def test_search_combines_with_filters():
    kenya = CountryFactory(iso3="KEN")
    wanted = LessonFactory(kind=LessonKind.GOOD_PRACTICE, country=kenya, is_validated=True,
                           text="Cooperatives gave women access to credit.")
    LessonFactory(kind=LessonKind.LESSON, text="Cooperatives failed without training.")
    assert list(selectors.lessons_search("cooperatives", {"kind": LessonKind.GOOD_PRACTICE, "country": kenya})) == [
        wanted]


def test_lesson_takes_objective_from_project_and_checks_evaluation_link():
    project = ProjectFactory()
    lesson = services.lesson_create(title="T", text="Text", project=project)
    assert lesson.objective == project.strategic_objective and lesson.programme == project.primary_programme
    evaluation = EvaluationFactory(projects=[ProjectFactory()])
    with pytest.raises(ValidationError) as exc:
        services.lesson_create(title="T", text="Text", project=project, evaluation=evaluation)
    assert "not one of the projects" in exc.value.message_dict["project"][0]
