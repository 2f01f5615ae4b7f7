import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree

from delivery.models import Allocation, Approval, Expenditure
from evaluation.models import Evaluation, IndicatorPeriod
from iati import mappings
from iati.codelists import codes
from iati.export import activity_identifier, write_activities_xml
from iati.filters import IatiActivityFilterSet
from partners.models import OrganisationKind
from projects.models import IATI_ACTIVITY_STATUS, IATI_ORGANISATION_ROLE, Project, ProjectStatus
from tests.factories import CountryFactory, OrganisationFactory, ProjectFactory
from tests.iati.factories import EvaluationFactory, ProjectPartnerFactory, add_money, add_results

REF = "XM-DAC-41302"


def export(projects=None, **options) -> etree._Element:
    out = io.BytesIO()
    write_activities_xml(out, projects if projects is not None else Project.objects.all(), **options)
    return etree.fromstring(out.getvalue())


def by_identifier(document) -> dict:
    return {activity.findtext("iati-identifier"): activity for activity in document.iter("iati-activity")}


@pytest.fixture(autouse=True)
def _publisher(settings):
    settings.TCMS_ORGANISATION_IATI_REF = REF
    settings.TCMS_ORGANISATION_NAME = "International Labour Organization"
    settings.TCMS_BASE_URL = "https://tcms.example.org"


def test_portfolio_is_valid_iati_203(portfolio, iati_schema):
    document = export()
    assert document.get("version") == "2.03"
    assert document.get("generated-datetime")
    iati_schema.assertValid(document)
    assert len(document.findall("iati-activity")) == len(portfolio)


# (xpath relative to an activity, codelist) — every coded attribute the export writes
CODED = [
    ("activity-status/@code", "ActivityStatus"),
    ("activity-date/@type", "ActivityDateType"),
    ("participating-org/@role", "OrganisationRole"),
    ("participating-org/@type", "OrganisationType"),
    ("reporting-org/@type", "OrganisationType"),
    ("transaction/provider-org/@type", "OrganisationType"),
    ("transaction/receiver-org/@type", "OrganisationType"),
    ("transaction/transaction-type/@code", "TransactionType"),
    ("budget/@type", "BudgetType"),
    ("budget/@status", "BudgetStatus"),
    ("result/@type", "ResultType"),
    ("result/indicator/@measure", "IndicatorMeasure"),
    ("result/indicator/reference/@vocabulary", "IndicatorVocabulary"),
    ("policy-marker/@code", "PolicyMarker"),
    ("policy-marker/@vocabulary", "PolicyMarkerVocabulary"),
    ("policy-marker/@significance", "PolicySignificance"),
    ("sector/@vocabulary", "SectorVocabulary"),
    ("tag/@vocabulary", "TagVocabulary"),
    ("sector[@vocabulary='1']/@code", "Sector"),
    ("recipient-region/@code", "Region"),
    ("recipient-region/@vocabulary", "RegionVocabulary"),
    ("recipient-country/@code", "Country"),
    ("document-link/category/@code", "DocumentCategory"),
    ("document-link/@format", "FileFormat"),
    ("@default-currency", "Currency"),
    (".//value/@currency", "Currency"),
]


def test_every_code_comes_from_the_iati_codelists(portfolio):
    document = export()
    seen = defaultdict(set)
    for activity in document.iter("iati-activity"):
        for path, codelist in CODED:
            seen[(path, codelist)].update(activity.xpath(path))
    for (path, codelist), values in seen.items():
        assert values, f"the portfolio never exercises {path}"
        unknown = values - codes(codelist)
        assert not unknown, f"{path}: {sorted(unknown)} not in the {codelist} codelist"
    # the portfolio covers every status and every organisation type we map to
    assert seen[("activity-status/@code", "ActivityStatus")] == {"1", "2", "3", "4", "5", "6"}
    assert {"10", "21", "22", "40", "60", "70", "80"} <= seen[("participating-org/@type", "OrganisationType")]
    assert seen[("result/indicator/@measure", "IndicatorMeasure")] == {"1", "2", "5"}


def test_every_mapped_code_is_in_the_codelists():
    assert set(IATI_ACTIVITY_STATUS.values()) <= codes("ActivityStatus")
    assert set(IATI_ORGANISATION_ROLE.values()) <= codes("OrganisationRole")
    assert set(mappings.ORGANISATION_TYPE.values()) | {mappings.NATIONAL_NGO, mappings.INTERNATIONAL_NGO,
                                                       mappings.REPORTING_ORGANISATION_TYPE} <= codes(
        "OrganisationType")
    assert set(mappings.DAC_SECTOR_BY_PROGRAMME.values()) | set(mappings.DAC_SECTOR_BY_OBJECTIVE.values()) <= codes(
        "Sector")
    assert set(mappings.FILE_FORMAT_BY_EXTENSION.values()) <= codes("FileFormat")
    assert mappings.DOCUMENT_CATEGORY_EVALUATION in codes("DocumentCategory")
    assert set(mappings.BUDGET_STATUS) == set(ProjectStatus)
    assert set(mappings.BUDGET_STATUS.values()) <= codes("BudgetStatus")
    assert {mappings.TRANSACTION_INCOMING_COMMITMENT, mappings.TRANSACTION_OUTGOING_COMMITMENT,
            mappings.TRANSACTION_EXPENDITURE} <= codes("TransactionType")
    assert mappings.TAG_VOCABULARY_OWN in codes("TagVocabulary")
    for kind in OrganisationKind:
        assert mappings.organisation_type(kind, has_country=True) in codes("OrganisationType")


def test_elements_follow_the_schema_sequence(portfolio):
    """Spot-check beyond the XSD: document-link comes before result, budgets before transactions."""
    activity = by_identifier(export())[f"{REF}-RAF/00/M07/USA"]
    tags = [child.tag for child in activity]
    assert tags.index("budget") < tags.index("transaction") < tags.index("document-link") < tags.index("result")


def test_activity_content(portfolio):
    activities = by_identifier(export())
    ongoing = activities[f"{REF}-RAF/00/M07/USA"]
    assert ongoing.find("reporting-org").attrib == {"ref": REF, "type": "40"}
    assert ongoing.findtext("reporting-org/narrative") == "International Labour Organization"
    title = ongoing.find("title/narrative")
    assert title.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    # three countries: percentages with two decimals summing to 100
    shares = {c.get("code"): Decimal(c.get("percentage")) for c in ongoing.findall("recipient-country")}
    assert set(shares) == {"KE", "SN", "TZ"} and sum(shares.values()) == 100
    assert ongoing.find("recipient-region") is None
    # IPEC and DECLARATION both map to 16070: one DAC sector at 100 %; programmes under vocabulary 98 split 50/50
    dac = ongoing.findall("sector[@vocabulary='1']")
    assert [(s.get("code"), s.get("percentage")) for s in dac] == [("16070", "100")]
    assert [(s.get("code"), s.get("percentage")) for s in ongoing.findall("sector[@vocabulary='98']")] == [
        ("IPEC", "50"), ("DECLARATION", "50")]
    objective = ongoing.find("sector[@vocabulary='99']")
    assert objective.get("code") == "1" and objective.get("percentage") == "100"
    assert objective.get("vocabulary-uri") == "https://tcms.example.org/api/v1/iati/vocabularies/objectives.csv"
    # the donor's identifier holds forbidden characters: named, typed, but no ref
    funding = ongoing.findall("participating-org[@role='1']")
    assert [(f.findtext("narrative"), f.get("ref"), f.get("type")) for f in funding] == [
        ("US Department of Labor", None, "10")]
    assert ongoing.find("policy-marker").attrib == {"vocabulary": "1", "code": "1", "significance": "2"}
    link = ongoing.find("document-link")
    # The report's download view (which checks the reader's permission), never a public /media/ file.
    report = Evaluation.objects.get(projects__symbol="RAF/00/M07/USA", report__endswith=".pdf")
    assert link.get("url") == f"https://tcms.example.org{reverse('evaluation:report', args=[report.pk])}"
    assert link.get("format") == "application/pdf" and link.find("category").get("code") == "A07"

    regional = activities[f"{REF}-RAF/01/02/NOR"]
    region = regional.find("recipient-region")
    assert region.attrib == {"code": "298", "vocabulary": "1", "percentage": "100"}
    assert [s.get("code") for s in regional.findall("sector[@vocabulary='1']")] == ["11330", "32130"]
    # no extending partner: the publisher is the extending organisation
    assert regional.find("participating-org[@role='3']").get("ref") == REF

    later_biennium = activities[f"{REF}-RER/00/05/NOR"]
    assert [s.get("code") for s in later_biennium.findall("sector[@vocabulary='1']")] == ["16080"]  # from SO4

    docx = activities[f"{REF}-RLA/99/03/MUL"].findall("document-link")
    assert [d.get("format") for d in docx] == [mappings.FILE_FORMAT_BY_EXTENSION["docx"]]  # no report: no link
    # no summary: the title stands as the description
    assert activities[f"{REF}-RLA/99/03/MUL"].findtext("description/narrative") == Project.objects.get(
        symbol="RLA/99/03/MUL").title


def test_employers_and_workers_map_to_ngo_types(portfolio):
    types = {}
    for activity in export().iter("iati-activity"):
        for org in activity.findall("participating-org"):
            types[org.findtext("narrative")] = org.get("type")
    assert types["Workers' organisation partner"] == "21"  # no country: international
    assert types["National workers' centre"] == "22"
    assert types["Employers' organisation partner"] == "22"
    assert types["International employers' body"] == "21"
    assert types["Government partner"] == "10"
    assert types["Research institution partner"] == "80"


def test_round_trip_matches_the_database(portfolio):
    activities = by_identifier(export())
    assert set(activities) == {activity_identifier(p.symbol, publisher_ref=REF) for p in portfolio}
    for project in Project.objects.all():
        activity = activities[f"{REF}-{project.symbol}"]
        dates = {d.get("type"): d.get("iso-date") for d in activity.findall("activity-date")}
        expected = {"1": project.planned_start, "2": project.actual_start, "3": project.planned_end,
                    "4": project.actual_end}
        assert dates == {k: v.isoformat() for k, v in expected.items() if v is not None}
        assert activity.find("activity-status").get("code") == IATI_ACTIVITY_STATUS[project.status]

        def total(transaction_type, activity=activity):
            return sum((Decimal(t.findtext("value")) for t in activity.findall("transaction")
                        if t.find("transaction-type").get("code") == transaction_type), Decimal(0))

        spent = Expenditure.objects.filter(project=project).aggregate(s=Sum("amount_usd"))["s"] or Decimal(0)
        assert total("4") == spent
        approved = Approval.objects.filter(project=project).aggregate(s=Sum("amount_usd"))["s"] or Decimal(0)
        assert total("11") == total("2") == approved
        assert total("1") == 0  # an approval is a commitment, not funds received

        budgets = defaultdict(Decimal)
        for budget in activity.findall("budget"):
            budgets[(budget.get("type"), budget.find("period-start").get("iso-date")[:4])] += Decimal(
                budget.findtext("value"))
        for year in (2000, 2001):
            current = Allocation.objects.filter(project=project, year=year).aggregate(s=Sum("amount_usd"))["s"]
            if current is None:
                assert ("1", str(year)) not in budgets
                continue
            revised = budgets.get(("2", str(year)), budgets[("1", str(year))])
            assert revised == current
        if project.allocations.exists():
            # 2000: 120,000 originally + 30,000, revised to 150,000 + 30,000; 2001 never revised
            assert budgets[("1", "2000")] == Decimal("150000.00")
            assert budgets[("2", "2000")] == Decimal("180000.00")
            assert ("2", "2001") not in budgets

        exported = {}
        for indicator in activity.iter("indicator"):
            for period in indicator.findall("period"):
                target = period.find("target")
                actual = period.find("actual")
                exported[(indicator.findtext("title/narrative"), period.find("period-start").get("iso-date"))] = (
                    target.get("value") if target is not None else None,
                    actual.get("value") if actual is not None else None)
        stored = {}
        for period in IndicatorPeriod.objects.filter(indicator__result__project=project).select_related("indicator"):
            stored[(period.indicator.title, period.start.isoformat())] = (
                None if period.target is None else Decimal(period.target),
                None if period.actual is None else Decimal(period.actual))
        assert set(exported) == set(stored)
        for key, (target, actual) in exported.items():
            assert (None if target is None else Decimal(target), None if actual is None else Decimal(actual)) == \
                stored[key]


def test_expenditure_is_aggregated_by_quarter(portfolio):
    activity = by_identifier(export())[f"{REF}-RAF/00/M07/USA"]  # 11 months of expenditure, two lines each
    expenditure = [t for t in activity.findall("transaction") if t.find("transaction-type").get("code") == "4"]
    assert [t.find("transaction-date").get("iso-date") for t in expenditure] == [
        "2000-03-31", "2000-06-30", "2000-09-30", "2000-11-30"]


def test_qualitative_and_sex_disaggregated_indicators(portfolio):
    activity = by_identifier(export())[f"{REF}-RAF/00/M07/USA"]
    indicators = activity.findall("result/indicator")
    qualitative = next(i for i in indicators if i.get("measure") == "5")
    assert qualitative.get("ascending") is None
    assert qualitative.find("baseline").get("value") is None
    assert qualitative.findtext("baseline/comment/narrative") == "No tripartite council"
    assert qualitative.findtext("period/actual/comment/narrative") == "Council meets quarterly"
    percentage = next(i for i in indicators if i.get("measure") == "2")
    assert percentage.get("ascending") == "0"
    counted = next(i for i in indicators if i.get("measure") == "1")
    assert counted.get("ascending") == "1"
    actuals = counted.find("period").findall("actual")
    assert [(a.get("value"), a.find("dimension").get("value") if a.find("dimension") is not None else None)
            for a in actuals] == [("35.5", None), ("15", "female"), ("20.5", "male")]
    # a result without indicators is left out (IATI requires one)
    assert [r.get("type") for r in activity.findall("result")] == ["2", "1"]


def test_status_and_since_filters(portfolio):
    def identifiers(query):
        filterset = IatiActivityFilterSet(query, queryset=Project.objects.all())
        assert filterset.is_valid(), filterset.errors
        return set(by_identifier(export(filterset.qs)))

    query = QueryDict(mutable=True)
    query.setlist("status", [ProjectStatus.ONGOING, ProjectStatus.SUSPENDED])
    assert identifiers(query) == {f"{REF}-RAF/00/M07/USA", f"{REF}-SEN/00/07/NOR", f"{REF}-RER/00/05/NOR"}
    Project.objects.exclude(symbol="KEN/02/01/NOR").update(updated_at=dt.datetime(2001, 1, 1, tzinfo=dt.UTC))
    Project.objects.filter(symbol="KEN/02/01/NOR").update(updated_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    assert identifiers(QueryDict("since=2026-11-01")) == {f"{REF}-KEN/02/01/NOR"}
    assert len(identifiers(QueryDict("since=2000-12-31"))) == len(portfolio)


def test_chunks_cover_every_project_once_in_order(portfolio, iati_schema):
    document = export(chunk_size=3)
    iati_schema.assertValid(document)
    symbols = [a.findtext("iati-identifier").removeprefix(f"{REF}-") for a in document.iter("iati-activity")]
    assert symbols == list(Project.objects.order_by("id").values_list("symbol", flat=True))


def _small_portfolio(count: int, start: int) -> None:
    kenya = CountryFactory(iso3="KEN", iso2="KE")
    for n in range(start, start + count):
        project = ProjectFactory(symbol=f"KEN/00/{n:02d}/NOR", countries=[kenya],
                                 donor=OrganisationFactory(name=f"Donor {n}"))
        ProjectPartnerFactory(project=project)
        add_money(project, months=2, index=n)
        add_results(project)
        EvaluationFactory(projects=[project])


@pytest.mark.django_db
def test_query_count_does_not_grow_with_projects():
    def count_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            activities = len(export().findall("iati-activity"))
        return activities, len(queries)

    _small_portfolio(3, 0)
    three = count_queries()
    _small_portfolio(27, 3)
    thirty = count_queries()
    assert (three[0], thirty[0]) == (3, 30)
    assert thirty[1] == three[1]


def test_percentages_sum_to_100_per_vocabulary(portfolio):
    for activity in export().iter("iati-activity"):
        countries = [Decimal(c.get("percentage")) for c in activity.findall("recipient-country")]
        regions = [Decimal(r.get("percentage")) for r in activity.findall("recipient-region")]
        assert bool(countries) != bool(regions)  # one or the other, never both
        assert sum(countries or regions) == 100
        by_vocabulary = defaultdict(Decimal)
        for sector in activity.findall("sector"):
            by_vocabulary[sector.get("vocabulary")] += Decimal(sector.get("percentage"))
        assert set(by_vocabulary) >= {"1", "99"}
        assert all(total == 100 for total in by_vocabulary.values()), by_vocabulary


def test_nothing_to_publish_gives_an_empty_well_formed_document(portfolio):
    document = export(Project.objects.none())
    assert document.tag == "iati-activities" and len(document) == 0
