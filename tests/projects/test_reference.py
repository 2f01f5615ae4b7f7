"""load_reference: the content of fixtures/, and a second run changing nothing; the suite's quick copy of it."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from partners.models import Country, Region, Unit
from projects.models import Convention, FrameworkIndicator, FundingSource, InputType, Programme, StrategicObjective
from projects.services import load_reference
from tests import reference as reference_data

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    """Rows of every partners/projects model, history tables included."""
    counts = {}
    for app_label in ("partners", "projects"):
        for model in apps.get_app_config(app_label).get_models():
            counts[model._meta.label] = model.objects.count()
    return counts


def test_load_reference_twice_changes_nothing(capsys):
    call_command("load_reference")
    assert "countries: 249 created" in capsys.readouterr().out
    first = row_counts()
    snapshot = list(Country.objects.order_by("iso3").values())
    assert first["partners.HistoricalUnit"] == 18  # the default units, created once
    call_command("load_reference")
    assert "already up to date" in capsys.readouterr().out
    assert row_counts() == first
    assert list(Country.objects.order_by("iso3").values()) == snapshot


def test_a_changed_row_is_put_back_by_the_next_load():
    call_command("load_reference", verbosity=0)
    Region.objects.filter(code="AFRICA").update(iati_code="999")
    call_command("load_reference", verbosity=0)
    assert Region.objects.get(code="AFRICA").iati_code == "298"


def test_programme_framework_2000_01(reference):
    objectives = dict(StrategicObjective.objects.filter(biennium__code="2000-01").values_list("code", "title"))
    assert objectives["4"] == "Strengthen tripartism and social dialogue"
    by_objective = {code: set(Programme.objects.filter(objective__code=code).values_list("code", flat=True))
                    for code in objectives}
    assert by_objective == {"1": {"DECLARATION", "IPEC"}, "2": {"SKILLS", "SEED", "CRISIS"},
                            "3": {"SAFEWORK", "SES"}, "4": {"DIALOGUE"}}
    indicator = FrameworkIndicator.objects.get(code="3e.1")
    assert indicator.target == "12 member States" and indicator.operational_objective.objective.code == "3"


def test_regions_countries_and_flags(reference):
    assert set(Region.objects.values_list("code", flat=True)) == {
        "AFRICA", "AMERICAS", "ARAB_STATES", "ASIA_PACIFIC", "EUROPE_CENTRAL_ASIA", "INTERREGIONAL"}
    assert Country.objects.count() == 249
    assert Country.objects.filter(is_ldc=True).count() == 44
    assert Country.objects.get(iso3="LBN").region.code == "ARAB_STATES"
    assert Country.objects.get(iso3="EGY").region.code == "AFRICA"
    assert Country.objects.get(iso3="KAZ").in_transition and not Country.objects.get(iso3="FRA").in_transition
    bhutan = Country.objects.get(iso3="BTN")
    assert not bhutan.is_ldc and bhutan.ldc_graduation_year == 2023
    assert bhutan.was_ldc_in(2000) and not bhutan.was_ldc_in(2024)
    assert Country.objects.get(iso3="HTI").was_ldc_in(2000)


def test_fundamental_conventions_sources_inputs_units(reference):
    numbers = set(Convention.objects.filter(is_fundamental=True).values_list("number", flat=True))
    assert numbers == {29, 87, 98, 100, 105, 111, 138, 182, 155, 187}
    assert Convention.objects.get(number=187).fundamental_since == 2022
    assert Convention.objects.get(number=182).principle.code == "CHILD_LABOUR"
    budget = dict(FundingSource.objects.values_list("code", "budget_type"))
    assert budget == {"RBTC": "REGULAR", "RBSA": "REGULAR", "XBTC": "EXTRA_BUDGETARY", "TRUST": "EXTRA_BUDGETARY",
                      "UNDP": "EXTRA_BUDGETARY", "UNFPA": "EXTRA_BUDGETARY", "OTHER_UN": "EXTRA_BUDGETARY"}
    assert list(InputType.objects.values_list("code", flat=True)) == [
        "EXPERTS", "OTHER_PERSONNEL", "TRAINING", "EQUIPMENT", "SUBCONTRACTING", "MISC"]
    assert Unit.objects.count() == 18
    assert Unit.objects.get(code="RO-ASIA-PACIFIC").region.code == "ASIA_PACIFIC"


def _plain_contents() -> dict[str, list[tuple]]:
    """Every table's rows by their own values (keys, foreign keys and timestamps left out: they differ by run; a
    history row's `id` is its record's key)."""
    contents = {}
    for model in apps.get_models(include_auto_created=True):
        names = [f.attname for f in model._meta.concrete_fields
                 if not (f.primary_key or f.name == "id" or f.is_relation or isinstance(f, models.DateTimeField))]
        contents[model._meta.label] = sorted(map(repr, model._base_manager.values_list(*names)))
    return contents


def test_the_suites_quick_copy_of_the_reference_data_is_what_load_reference_writes(reference):
    """tests/reference.py gives tests the rows of load_reference() by bulk inserts: every table, row and value."""
    assert reference_data._ROWS is not None  # taken by the `reference` fixture, if not earlier in this process

    def empty_the_reference_tables():
        for model, _rows in reference_data._ROWS:
            model._base_manager.all()._raw_delete(model._base_manager.db)

    empty_the_reference_tables()
    reference_data.load()  # the quick copy, the tables being empty
    copied = _plain_contents()
    empty_the_reference_tables()
    load_reference()
    assert copied == _plain_contents()
    assert Unit.objects.get(code="RO-AFRICA").region == Region.objects.get(code="AFRICA")  # keys point right
