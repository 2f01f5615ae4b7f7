"""Labels of the register are translated into French and Spanish (admin, pages, messages)."""

import pytest
from django.core.management import call_command
from django.utils import translation

from partners.models import Organisation
from projects.models import Project, ProjectStatus
from projects.services import status_change_error


@pytest.fixture
def compiled(settings):
    call_command("compile_translations", verbosity=0)
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # setting_changed resets Django's translation cache


@pytest.mark.parametrize(("language", "project", "planned_end", "pipeline", "organisation"), [
    ("fr", "projet", "fin prévue", "En préparation", "organisation"),
    ("es", "proyecto", "fin prevista", "En preparación", "organización"),
])
def test_labels_in_french_and_spanish(compiled, language, project, planned_end, pipeline, organisation):
    with translation.override(language):
        assert str(Project._meta.verbose_name) == project
        assert str(Project._meta.get_field("planned_end").verbose_name) == planned_end
        assert str(ProjectStatus.PIPELINE.label) == pipeline
        assert str(Organisation._meta.verbose_name) == organisation


def test_messages_are_translated(compiled):
    with translation.override("fr"):
        message = status_change_error("PIPELINE", "ONGOING")
    assert message.startswith("Un projet ne peut pas passer de « En préparation » à « En cours »")
