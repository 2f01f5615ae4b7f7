"""The filter forms' selects: written directly as HTML from option lists each process keeps a short while."""

import pytest
from django.core.cache import cache
from django.utils import translation

from core.filter_form import filter_fields, select_options
from delivery.filters import DeliveryFilterSet
from projects.filters import ProjectFilterSet
from projects.models import Project, ProjectStatus
from tests.factories import OrganisationFactory, ProjectFactory, RegionFactory

pytestmark = pytest.mark.django_db


def _field(fields, name):
    return next(field for field in fields if field["name"] == name)


def test_selects_show_every_option_and_mark_the_chosen_one():
    region = RegionFactory(code="AFRICA", name="Africa")
    other = RegionFactory(code="ASIA", name="Asia")
    fields = filter_fields(DeliveryFilterSet({"region": str(other.pk)}, queryset=Project.objects.none()).form,
                           cache_key="t1")
    html = str(_field(fields, "region")["html"])
    assert html.startswith("<select ") and html.endswith("</select>")
    assert 'name="region"' in html and 'id="id_region"' in html and 'class="form-select form-select-sm"' in html
    assert f'<option value="{region.pk}">Africa</option>' in html
    assert f'<option value="{other.pk}" selected>Asia</option>' in html
    assert '<option value="">---------</option>' in html


def test_a_multiple_select_keeps_every_chosen_value_and_other_fields_use_their_widget():
    form = ProjectFilterSet({"status": [ProjectStatus.ONGOING, ProjectStatus.SUSPENDED], "q": "water"},
                            queryset=Project.objects.none()).form
    fields = filter_fields(form, cache_key="t2")
    status = str(_field(fields, "status")["html"])
    assert " multiple" in status
    assert f'value="{ProjectStatus.ONGOING}" selected' in status
    assert f'value="{ProjectStatus.SUSPENDED}" selected' in status
    assert f'value="{ProjectStatus.PIPELINE}">' in status
    text = str(_field(fields, "q")["html"])
    assert 'name="q"' in text and 'value="water"' in text  # a text input: Django's own widget


def test_labels_are_escaped():
    ProjectFactory(donor=OrganisationFactory(name='<script>alert("x")</script>', acronym=""))  # a donor funds
    html = str(_field(filter_fields(DeliveryFilterSet(queryset=Project.objects.none()).form, cache_key="t3"),
                      "donor")["html"])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_options_are_built_once_per_language(django_assert_num_queries):
    RegionFactory(name="Africa")
    form = DeliveryFilterSet(queryset=Project.objects.none()).form
    with translation.override("en"):
        first = select_options(form, cache_key="t4")
        with django_assert_num_queries(0):
            assert select_options(DeliveryFilterSet(queryset=Project.objects.none()).form, cache_key="t4") == first
    with translation.override("fr"):
        french = select_options(form, cache_key="t4")
    assert dict(french["status"])[ProjectStatus.ONGOING] != dict(first["status"])[ProjectStatus.ONGOING]


def test_a_new_option_appears_once_the_cached_list_expires():
    select_options(DeliveryFilterSet(queryset=Project.objects.none()).form, cache_key="t5")
    RegionFactory(code="OCEANIA", name="Oceania")
    cached = select_options(DeliveryFilterSet(queryset=Project.objects.none()).form, cache_key="t5")
    assert "Oceania" not in dict(cached["region"]).values()
    cache.clear()  # what the expiry (OPTIONS_CACHE_SECONDS) does
    fresh = select_options(DeliveryFilterSet(queryset=Project.objects.none()).form, cache_key="t5")
    assert "Oceania" in dict(fresh["region"]).values()
