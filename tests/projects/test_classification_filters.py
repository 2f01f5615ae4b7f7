"""The register's classification filters (page, API, IATI: one FilterSet): cross-cutting theme, Declaration
principle, Convention, crisis response, enterprise promotion, in a country in transition, and in a least developed
country in the year chosen (`ldc_year`, this year when empty). Expected sets come from the plain tables below."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from iati.filters import IatiActivityFilterSet
from projects.filters import ProjectFilterSet
from projects.models import Project
from tests.factories import (
    ConventionFactory,
    CountryFactory,
    PrincipleFactory,
    ProjectFactory,
    ThemeFactory,
    UserFactory,
    api_token_for,
)

pytestmark = pytest.mark.django_db

SYMBOLS = {"A": "TZA/00/01/NOR", "B": "CPV/00/02/NOR", "C": "INT/00/03/NOR"}
# A in two themes, B in one, C in none. Tanzania (A) is an LDC; Cabo Verde (B) graduated in 2024, so B was in an
# LDC up to 2023; Kazakhstan (B) is in transition; C has no country.
THEMES = {"A": {"GENDER", "DEVELOPMENT"}, "B": {"GENDER"}, "C": set()}
PRINCIPLES = {"A": {"CHILD_LABOUR"}, "B": {"FORCED_LABOUR"}, "C": set()}
CONVENTIONS = {"A": {138, 182}, "B": {29}, "C": set()}
IN_LDC = {2023: {"A", "B"}, 2024: {"A"}}
IN_TRANSITION = {"B"}
CRISIS = {"C"}
ENTERPRISE = {"A", "B"}


def keys(projects) -> set:
    return {SYMBOLS[p] for p in projects}


def having(table, value) -> set:
    return {p for p, values in table.items() if value in values}


@pytest.fixture
def register(db):
    tanzania = CountryFactory(iso3="TZA", name="Tanzania", is_ldc=True)
    cabo_verde = CountryFactory(iso3="CPV", name="Cabo Verde", ldc_graduation_year=2024)
    kazakhstan = CountryFactory(iso3="KAZ", name="Kazakhstan", in_transition=True)
    themes = {code: ThemeFactory(code=code) for code in ("GENDER", "DEVELOPMENT")}
    principles = {code: PrincipleFactory(code=code) for code in ("CHILD_LABOUR", "FORCED_LABOUR")}
    conventions = {n: ConventionFactory(number=n) for n in (29, 138, 182)}
    countries = {"A": [tanzania], "B": [cabo_verde, kazakhstan], "C": []}
    for key, symbol in SYMBOLS.items():
        project = ProjectFactory(symbol=symbol, countries=countries[key], is_crisis_response=key in CRISIS,
                                 is_enterprise_promotion=key in ENTERPRISE)
        project.themes.set([themes[c] for c in THEMES[key]])
        project.principles.set([principles[c] for c in PRINCIPLES[key]])
        project.conventions.set([conventions[n] for n in CONVENTIONS[key]])
    return {"themes": themes, "principles": principles, "conventions": conventions}


def kept(**params) -> set:
    filterset = ProjectFilterSet(params, queryset=Project.objects.all())
    assert filterset.is_valid(), filterset.errors
    symbols = [p.symbol for p in filterset.qs]
    assert len(symbols) == len(set(symbols))  # a project in two matching countries or themes is listed once
    return set(symbols)


def test_theme_principle_convention_and_flags(register):
    assert kept(theme=register["themes"]["GENDER"].pk) == keys(having(THEMES, "GENDER"))
    assert kept(theme=register["themes"]["DEVELOPMENT"].pk) == keys(having(THEMES, "DEVELOPMENT"))
    assert kept(principle=register["principles"]["FORCED_LABOUR"].pk) == keys(having(PRINCIPLES, "FORCED_LABOUR"))
    assert kept(convention=register["conventions"][182].pk) == keys(having(CONVENTIONS, 182))
    assert kept(is_crisis_response="true") == keys(CRISIS)
    assert kept(is_enterprise_promotion="false") == keys(set(SYMBOLS) - ENTERPRISE)
    assert kept(in_transition="true") == keys(IN_TRANSITION)
    assert kept(in_transition="false") == keys(set(SYMBOLS) - IN_TRANSITION)
    assert kept(theme=register["themes"]["GENDER"].pk, in_transition="false") == keys(
        having(THEMES, "GENDER") - IN_TRANSITION)


def test_ldc_is_the_status_of_the_year_chosen(register, settings):
    for year in (2023, 2024):
        assert kept(ldc="true", ldc_year=str(year)) == keys(IN_LDC[year])
        assert kept(ldc="false", ldc_year=str(year)) == keys(set(SYMBOLS) - IN_LDC[year])
    settings.TCMS_TODAY = dt.date(2023, 6, 30)  # no year: this year's status
    assert kept(ldc="true") == keys(IN_LDC[2023])
    settings.TCMS_TODAY = dt.date(2024, 6, 30)
    assert kept(ldc="true") == keys(IN_LDC[2024])
    assert not ProjectFilterSet({"ldc": "true", "ldc_year": "1066"}, queryset=Project.objects.all()).is_valid()


def test_register_page_and_its_query_count(register, client):
    client.force_login(UserFactory(username="reader", role=Role.SECRETARIAT))
    gender = register["themes"]["GENDER"]
    params = {"theme": gender.pk, "ldc": "true", "ldc_year": "2023", "principle": register["principles"][
        "CHILD_LABOUR"].pk}
    with CaptureQueriesContext(connection) as few:
        response = client.get(reverse("projects:list"), params)
    assert {p.symbol for p in response.context["page"]} == keys(
        having(THEMES, "GENDER") & IN_LDC[2023] & having(PRINCIPLES, "CHILD_LABOUR"))
    html = response.content.decode()
    for name in ("theme", "principle", "convention", "ldc", "ldc_year", "in_transition"):
        assert f'name="{name}"' in html
    for n in range(20):
        project = ProjectFactory(symbol=f"TZA/00/{n + 10:02d}/NOR", countries=[Project.objects.get(
            symbol=SYMBOLS["A"]).countries.get()])
        project.themes.set([gender])
        project.principles.set([register["principles"]["CHILD_LABOUR"]])
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("projects:list"), params)
    assert response.context["page"].paginator.count == 21
    assert len(many.captured_queries) <= len(few.captured_queries)


def test_api_and_iati_take_the_same_filters(register, client):
    key = api_token_for(UserFactory(username="api-reader", role=Role.SECRETARIAT))
    response = client.get(reverse("project-list"), {"ldc": "true", "ldc_year": "2023",
                                                    "convention": register["conventions"][29].pk},
                          HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert {row["symbol"] for row in response.json()["results"]} == keys(IN_LDC[2023] & having(CONVENTIONS, 29))
    assert {"theme", "principle", "convention", "ldc", "ldc_year", "in_transition"} <= set(
        IatiActivityFilterSet.base_filters)
