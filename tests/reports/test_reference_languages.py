"""Reference names in the reader's language (issue 17.3): the delivery dashboard and the annual report in French and
Spanish show the French or Spanish names of regions, strategic objectives, programmes and sources of funds, and
none of the English ones. The portfolio of conftest.py over the reference data of fixtures/ (load_reference)."""

import csv
import html
import io
import json
import re

import docx
import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Role
from reports.services import generate
from tests.factories import UserFactory
from tests.reference import load
from tests.reports.conftest import build_portfolio

pytestmark = pytest.mark.django_db
FIXTURES = settings.BASE_DIR / "fixtures"
EXPECTED = {
    "fr": ["Afrique", "Amériques", "Donateurs multi-bilatéraux", "Coopération technique au titre du budget ordinaire",
           "1. Promouvoir et mettre en œuvre les normes et les principes et droits fondamentaux au travail",
           "2. Accroître les possibilités pour les femmes et les hommes d'obtenir un emploi et un revenu convenables"],
    "es": ["África", "Américas", "Donantes multibilaterales", "Cooperación técnica con cargo al presupuesto ordinario",
           "1. Promover y cumplir las normas y los principios y derechos fundamentales en el trabajo",
           "2. Crear mayores oportunidades para que los hombres y las mujeres puedan tener empleos e ingresos dignos"],
}


def english_names(language: str) -> set[str]:
    """The English names of regions, sources of funds, objectives and programmes in fixtures/, except those spelt
    the same in `language` (Spanish "Interregional")."""
    names = set()
    for file_name, field in (("regions.csv", "name"), ("funding_sources.csv", "name")):
        with open(FIXTURES / file_name, encoding="utf-8") as handle:
            names |= {row[field] for row in csv.DictReader(handle) if row[field] != row[f"{field}_{language}"]}
    framework = json.loads((FIXTURES / "framework.json").read_text(encoding="utf-8"))
    for biennium in framework["biennia"]:
        for objective in biennium["objectives"]:
            names |= {item["title"] for item in [objective, *objective["programmes"]]
                      if item["title"] != item[f"title_{language}"]}
    return names


@pytest.fixture
def named_portfolio(db):
    """The reports' portfolio built on the loaded reference data (its factories get the loaded rows by code), so
    not the module's shared one, which is built before it."""
    load()
    return build_portfolio()


def assert_in_language(text: str, language: str) -> None:
    for name in EXPECTED[language]:
        assert name in text, name
    english = sorted(name for name in english_names(language) if name in text)
    assert not english, f"English reference names in the {language} text: {english}"


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize("language", ["fr", "es"])
def test_dashboard_shows_reference_names_in_the_users_language(named_portfolio, client, language):
    client.force_login(UserFactory(role=Role.MANAGER, language=language))
    response = client.get(reverse("delivery:dashboard"), {"year": 2001})
    assert response.status_code == 200
    assert_in_language(visible_text(response.content.decode()), language)


def _report(fmt: str, language: str) -> bytes:
    out = io.BytesIO()
    generate(kind="annual", fmt=fmt, language=language, out=out, year=2001)
    return out.getvalue()


@pytest.mark.parametrize("language", ["fr", "es"])
def test_annual_report_xlsx_and_docx_name_reference_data_in_the_report_language(named_portfolio, language):
    workbook = openpyxl.load_workbook(io.BytesIO(_report("xlsx", language)))
    cells = "\n".join(str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True)
                      for value in row if value is not None)
    assert_in_language(cells, language)
    document = docx.Document(io.BytesIO(_report("docx", language)))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [cell.text for table in document.tables for row in table.rows for cell in row.cells])
    assert_in_language(text, language)
    assert "US$ '000" not in cells + text  # the unit is translated too
    unit = {"fr": "milliers de dollars É.-U.", "es": "miles de dólares EE.UU."}[language]
    assert unit in cells and unit in text


def test_english_report_keeps_the_english_names(named_portfolio):
    workbook = openpyxl.load_workbook(io.BytesIO(_report("xlsx", "en")))
    cells = {str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row}
    assert {"Africa", "Multi-bilateral donors", "Regular budget technical cooperation (US$ '000)"} <= cells
