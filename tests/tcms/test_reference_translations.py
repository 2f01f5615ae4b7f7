"""The reference data are complete in French and Spanish, as the catalogues are (test_translations_complete.py):
every row that load_reference or the alerts migrations write has a non-empty name in each language, and the
rules' descriptions keep the placeholders of the English text."""

import pytest
from django.conf import settings
from django.utils import translation
from modeltranslation.translator import translator

from alerts.models import Rule, SlippageReason
from core.translated import localized
from partners.models import Country, Region
from projects.models import FundingSource, Project
from projects.services import load_reference
from tests.factories import ProjectFactory, RegionFactory
from tests.reference import load
from tests.tcms.test_translations_complete import brace_placeholders

pytestmark = pytest.mark.django_db
OTHER_LANGUAGES = [language for language in settings.MODELTRANSLATION_LANGUAGES
                   if language != settings.MODELTRANSLATION_DEFAULT_LANGUAGE]


def test_every_reference_row_has_a_french_and_a_spanish_name():
    load()
    assert Rule.objects.exists() and SlippageReason.objects.exists()  # seeded by the alerts migrations
    missing = []
    for model in translator.get_registered_models():
        fields = translator.get_options_for_model(model).fields
        rows = list(model.objects.all())
        assert rows, f"no {model.__name__} loaded"
        for row in rows:
            for field in fields:
                for language in OTHER_LANGUAGES:
                    if not (getattr(row, f"{field}_{language}") or "").strip():
                        missing.append(f"{model.__name__} {row.pk} {field}_{language}")
    assert not missing, "\n".join(missing)


def test_rule_descriptions_keep_their_placeholders_in_every_language():
    for rule in Rule.objects.all():
        for language in OTHER_LANGUAGES:
            assert brace_placeholders(getattr(rule, f"description_{language}")) == brace_placeholders(
                rule.description_en), (rule.code, language)


def test_load_reference_a_second_time_changes_nothing():
    load_reference()
    assert not load_reference().changed
    africa = Region.objects.get(code="AFRICA")
    assert (africa.name_en, africa.name_fr, africa.name_es) == ("Africa", "Afrique", "África")
    ivory_coast = Country.objects.get(iso2="CI")  # French and Spanish country names from the CLDR
    assert (ivory_coast.name_fr, ivory_coast.name_es) == ("Côte d’Ivoire", "Côte d’Ivoire")
    assert Country.objects.get(iso2="DE").name_es == "Alemania"


def test_a_name_follows_the_active_language_and_falls_back_to_english():
    load()
    RegionFactory(code="NEW", name="New region")  # only an English name so far
    with translation.override("fr"):
        assert str(Region.objects.get(code="AFRICA")) == "Afrique"
        assert Region.objects.get(code="NEW").name == "New region"
        assert str(FundingSource.objects.get(code="XBTC")) == "Donateurs multi-bilatéraux"
    with translation.override("es"):
        assert Region.objects.get(code="AFRICA").name == "África"
        assert str(SlippageReason.objects.get(code="RECRUITMENT")) == "Retrasos en la contratación"


def test_localized_reads_the_active_language_column_through_relations():
    load()
    ProjectFactory(symbol="RAF/01/01/USA", region=Region.objects.get(code="AFRICA"))
    ProjectFactory(symbol="RLA/01/02/USA", region=RegionFactory(code="NEW", name="New region"))
    with translation.override("fr"):
        names = dict(Project.objects.annotate(region_name=localized("region__name")).values_list(
            "symbol", "region_name"))
    assert names == {"RAF/01/01/USA": "Afrique", "RLA/01/02/USA": "New region"}
