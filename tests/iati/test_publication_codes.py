"""The codes that say what our data is (issue 16, point 5): the Americas as region 498, donor approvals as
incoming commitments (11), pipeline budgets as indicative (1), and the Declaration principles, Conventions and
cross-cutting themes as tags of our own vocabularies, with the codes the README documents."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import translation
from lxml import etree

from iati.codelists import codes
from iati.export import write_activities_xml
from iati.selectors import vocabulary
from partners.models import Region
from projects.models import Project, ProjectStatus
from tests import reference as reference_data
from tests.factories import OrganisationFactory, ProjectFactory, UserFactory
from tests.iati.factories import (
    AllocationFactory,
    ApprovalFactory,
    ConventionFactory,
    PrincipleFactory,
    ThemeFactory,
)

REF = "XM-DAC-41302"
BASE_URL = "https://tcms.example.org"
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(autouse=True)
def _publisher(settings):
    settings.TCMS_ORGANISATION_IATI_REF = REF
    settings.TCMS_BASE_URL = BASE_URL


def export(projects=None) -> etree._Element:
    out = io.BytesIO()
    write_activities_xml(out, projects if projects is not None else Project.objects.all())
    return etree.fromstring(out.getvalue())


def activity_of(document, project) -> etree._Element:
    return next(a for a in document.iter("iati-activity") if a.findtext("iati-identifier") == f"{REF}-{project.symbol}")


# ---------------------------------------------------------------- regions


def test_the_americas_are_published_as_america_regional(db, iati_schema):
    reference_data.load()
    americas = Region.objects.get(code="AMERICAS")
    project = ProjectFactory(region=americas, countries=[])
    document = export()
    iati_schema.assertValid(document)
    region = activity_of(document, project).find("recipient-region")
    assert region.attrib == {"code": "498", "vocabulary": "1", "percentage": "100"}


def test_reference_names_are_narratives_in_each_language_whatever_the_exporters_language(db, iati_schema):
    reference_data.load()
    project = ProjectFactory(region=Region.objects.get(code="AFRICA"), countries=[])
    with translation.override("fr"):  # e.g. a French administrator's download: the default narrative stays English
        document = export()
    iati_schema.assertValid(document)
    XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
    narratives = activity_of(document, project).findall("recipient-region/narrative")
    assert [(n.get(XML_LANG), n.text) for n in narratives] == [(None, "Africa"), ("fr", "Afrique"), ("es", "África")]


def test_every_region_of_the_reference_data_has_a_code_of_the_region_codelist(db):
    reference_data.load()
    region_codes = dict(Region.objects.values_list("code", "iati_code"))
    assert region_codes["AMERICAS"] == "498"
    assert set(region_codes.values()) == codes("Region")  # the vendored list holds exactly the codes we use


# ---------------------------------------------------------------- approvals


def test_an_approval_is_an_incoming_commitment(db, iati_schema):
    donor = OrganisationFactory(name="Norad", iati_identifier="NO-BRC-971277882")
    project = ProjectFactory(donor=donor)
    ApprovalFactory(project=project, donor=donor, amount_usd=Decimal("240000.00"))
    document = export()
    iati_schema.assertValid(document)
    transactions = activity_of(document, project).findall("transaction")
    types = [t.find("transaction-type").get("code") for t in transactions]
    assert types == ["11", "2"]
    incoming = transactions[0]
    assert incoming.find("provider-org").get("ref") == "NO-BRC-971277882"
    assert incoming.find("receiver-org").get("ref") == REF
    assert incoming.findtext("value") == "240000.00"


# ---------------------------------------------------------------- budgets


def test_a_pipeline_budget_is_indicative_an_approved_one_committed(db, iati_schema):
    by_status = {}
    for status in (ProjectStatus.PIPELINE, ProjectStatus.APPROVED, ProjectStatus.ONGOING):
        project = ProjectFactory(status=status)
        AllocationFactory(project=project, year=2000)
        AllocationFactory(project=project, year=2001)
        by_status[status] = project
    document = export()
    iati_schema.assertValid(document)
    statuses = {status: {b.get("status") for b in activity_of(document, project).findall("budget")}
                for status, project in by_status.items()}
    assert statuses == {ProjectStatus.PIPELINE: {"1"}, ProjectStatus.APPROVED: {"2"}, ProjectStatus.ONGOING: {"2"}}
    assert codes("BudgetStatus") >= {"1", "2"}


def test_an_approved_project_turns_its_pipeline_budget_committed(db):
    project = ProjectFactory(status=ProjectStatus.PIPELINE)
    AllocationFactory(project=project)
    assert {b.get("status") for b in export().iter("budget")} == {"1"}
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.APPROVED)
    assert {b.get("status") for b in export().iter("budget")} == {"2"}


# ---------------------------------------------------------------- principles, Conventions and themes as tags


def _documented_codes() -> dict[str, set[str]]:
    """The codes the README's IATI section lists, per list (its tag table: list | code | label)."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## IATI publication"):]
    section = section[:section.index("\n## ", 1)]
    documented: dict[str, set[str]] = {}
    for match in re.finditer(r"^\| (principles|conventions|themes) \| `([^`]+)` \|", section, re.MULTILINE):
        documented.setdefault(match.group(1), set()).add(match.group(2))
    return documented


@pytest.fixture
def supported(db):
    """A project supporting a principle, two Conventions and a theme, with the reference data's codes."""
    reference_data.load()
    project = ProjectFactory(region=Region.objects.get(code="AFRICA"))
    project.principles.set([PrincipleFactory(code="CHILD_LABOUR")])
    project.conventions.set([ConventionFactory(number=182), ConventionFactory(number=138)])
    project.themes.set([ThemeFactory(code="GENDER")])
    return project


def test_principles_conventions_and_themes_are_tags_with_the_documented_codes(supported, iati_schema):
    document = export()
    iati_schema.assertValid(document)
    tags = activity_of(document, supported).findall("tag")
    found = [(t.get("vocabulary"), t.get("vocabulary-uri").rsplit("/", 1)[-1], t.get("code"),
              t.findtext("narrative")) for t in tags]
    assert found == [
        ("99", "principles.csv", "CHILD_LABOUR", "The effective abolition of child labour"),
        ("99", "conventions.csv", "C138", "Minimum Age Convention (1973)"),
        ("99", "conventions.csv", "C182", "Worst Forms of Child Labour Convention (1999)"),
        ("99", "themes.csv", "GENDER", "Gender equality"),
    ]
    assert {t.get("vocabulary") for t in tags} <= codes("TagVocabulary")
    documented = _documented_codes()
    for _vocabulary, uri, code, _label in found:
        assert code in documented[uri.removesuffix(".csv")], f"{code} is not in the README's table"


def test_the_readme_documents_every_code_of_the_reference_data(db):
    """Every principle, Convention and theme load_reference brings has its code in the README, and nothing else."""
    reference_data.load()
    header, principles = vocabulary("principles")
    _header, conventions = vocabulary("conventions")
    _header, themes = vocabulary("themes")
    assert header == ["code", "name"]
    assert _documented_codes() == {"principles": {row[0] for row in principles},
                                   "conventions": {row[0] for row in conventions},
                                   "themes": {row[0] for row in themes}}


def test_each_tag_vocabulary_uri_lists_its_codes(supported, client):
    """The vocabulary-uri of every tag answers a CSV that holds the tag's code and label."""
    client.force_login(UserFactory())
    for tag in activity_of(export(), supported).findall("tag"):
        uri = tag.get("vocabulary-uri")
        assert uri.startswith(BASE_URL)
        response = client.get(urlsplit(uri).path)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert {"code": tag.get("code"), "name": tag.findtext("narrative")}.items() <= next(
            row for row in rows if row["code"] == tag.get("code")).items()


def test_conventions_list_names_their_principle(db, client):
    ConventionFactory(number=182, principle=PrincipleFactory(code="CHILD_LABOUR"))
    client.force_login(UserFactory())
    response = client.get("/api/v1/iati/vocabularies/conventions.csv")
    assert response.content.decode().splitlines() == [
        "code,name,principle", "C182,Worst Forms of Child Labour Convention (1999),CHILD_LABOUR"]


def test_a_project_without_principles_conventions_or_themes_has_no_tag(db, iati_schema):
    project = ProjectFactory()
    document = export()
    iati_schema.assertValid(document)
    assert activity_of(document, project).find("tag") is None
