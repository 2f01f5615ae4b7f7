"""The portfolio as IATI 2.03 activity XML, written incrementally.

`iter_activities_xml` yields the document in pieces (one per chunk of projects): the command writes them to a
file, the API streams them. One activity is built as a small lxml tree and written out straight away with
lxml's incremental `xmlfile`, so the whole document never sits in memory. Children are appended in the order
of the schema's sequence (iati-activities-schema.xsd): lxml does not reorder them.
"""

import calendar
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from typing import BinaryIO

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from lxml import etree

from core.text import xml_safe
from evaluation.models import IATI_INDICATOR_MEASURE, IATI_RESULT_TYPE, Measure
from iati import mappings as m
from iati.selectors import CHUNK_SIZE, ActivityData, activity_chunks, funding_sources
from projects.models import IATI_ACTIVITY_STATUS, IATI_ORGANISATION_ROLE, FundingSource, PartnerRole, Project

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# The schema wants at least one iati-activity: an empty selection is answered, not published as an invalid file.
NOTHING_MATCHES = _("No project matches these filters: an IATI activity file holds at least one activity.")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Publisher:
    """Who publishes, and in which language our texts are written (titles and summaries exist in one language)."""

    ref: str
    name: str
    language: str
    base_url: str

    @classmethod
    def from_settings(cls) -> "Publisher":
        return cls(ref=settings.TCMS_ORGANISATION_IATI_REF, name=settings.TCMS_ORGANISATION_NAME,
                   language=settings.LANGUAGE_CODE.split("-")[0], base_url=settings.TCMS_BASE_URL)

    def vocabulary_uri(self, name: str) -> str:
        return f"{self.base_url}/api/v1/iati/vocabularies/{name}.csv"


def activity_identifier(symbol: str, *, publisher_ref: str) -> str:
    """The publisher's reference, a hyphen, the symbol as it is (RLA/12/01/USA).

    The IATI rulesets forbid / & | ? in organisation identifiers only; activity identifiers may hold '/', and
    the symbol is the identifier every partner already knows, so it is kept unchanged.
    """
    return f"{publisher_ref}-{symbol}"


# ---------------------------------------------------------------- small helpers


def _number(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 12.5000 → 12.5, 100.00 → 100."""
    return format(value.normalize(), "f")


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _split_hundred(count: int) -> list[Decimal]:
    """`count` percentages with two decimals summing to exactly 100 (the first takes the rounding remainder)."""
    share = (HUNDRED / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    parts = [share] * count
    parts[0] += HUNDRED - share * count
    return parts


def _sub(parent, tag: str, attrib: dict | None = None, text: str | None = None):
    """A child element. Every value passes core.text.xml_safe: lxml refuses characters XML cannot hold, and text
    stored before TCMS refused them must not stop the publication."""
    element = etree.SubElement(parent, tag, {name: xml_safe(value) for name, value in (attrib or {}).items()})
    if text is not None:
        element.text = xml_safe(text)
    return element


def _narrative(parent, text: str, language: str | None = None):
    _sub(parent, "narrative", {XML_LANG: language} if language else None, text)


def _reference_narratives(parent, instance, field: str, language: str) -> None:
    """A reference name (region, country, objective...) in the activity's language, then one narrative per other
    language it has a name in (IATI allows a narrative per language, xml:lang on all but the default)."""
    with translation.override(language):
        _narrative(parent, getattr(instance, field))
    for other in settings.MODELTRANSLATION_LANGUAGES:
        name = getattr(instance, f"{field}_{other}", None)
        if other != language and name:
            _narrative(parent, name, other)


def _valid_org_ref(ref: str) -> str | None:
    ref = (ref or "").strip()
    if not ref or m.FORBIDDEN_IDENTIFIER_CHARACTERS & set(ref):
        return None
    return ref


def _org_attrib(organisation) -> dict:
    attrib = {}
    ref = _valid_org_ref(organisation.iati_identifier)
    if ref:
        attrib["ref"] = ref
    attrib["type"] = m.organisation_type(organisation.kind, has_country=organisation.country_id is not None)
    return attrib


def _month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


# ---------------------------------------------------------------- the activity


class ActivityBuilder:
    def __init__(self, publisher: Publisher, sources: dict[int, FundingSource]):
        self.publisher = publisher
        self.sources = sources
        self.reporting_attrib = {"ref": publisher.ref, "type": m.REPORTING_ORGANISATION_TYPE}

    def build(self, data: ActivityData):
        project = data.project
        activity = etree.Element("iati-activity", {
            "last-updated-datetime": project.updated_at.isoformat(timespec="seconds"),
            XML_LANG: self.publisher.language,
            "default-currency": m.CURRENCY,
        })
        _sub(activity, "iati-identifier",
             text=activity_identifier(project.symbol, publisher_ref=self.publisher.ref))
        reporting = _sub(activity, "reporting-org", self.reporting_attrib)
        _narrative(reporting, self.publisher.name)
        _narrative(_sub(activity, "title"), project.title, self.publisher.language)
        description = _sub(activity, "description", {"type": "1"})
        _narrative(description, project.summary.strip() or project.title, self.publisher.language)
        self._participating_orgs(activity, project)
        _sub(activity, "activity-status", {"code": IATI_ACTIVITY_STATUS[project.status]})
        self._dates(activity, project)
        self._geography(activity, project)
        self._sectors(activity, project)
        self._tags(activity, project)
        _sub(activity, "policy-marker", {"vocabulary": m.POLICY_MARKER_VOCABULARY_DAC, "code": m.POLICY_MARKER_GENDER,
                                         "significance": str(project.gender_marker)})
        self._budgets(activity, project)
        self._transactions(activity, project, data.monthly_expenditure)
        self._document_links(activity, project)
        self._results(activity, project)
        return activity

    def _participating_orgs(self, activity, project: Project) -> None:
        partners = [(IATI_ORGANISATION_ROLE[p.role], p.organisation) for p in project.iati_partners]
        funding = IATI_ORGANISATION_ROLE[PartnerRole.FUNDING]
        if project.donor_id and not any(role == funding and org.id == project.donor_id for role, org in partners):
            partners.insert(0, (funding, project.donor))
        for role, organisation in partners:
            element = _sub(activity, "participating-org", {**_org_attrib(organisation), "role": role})
            _narrative(element, organisation.name)
        # We run every project: unless a partner is named as extending, the publisher is the extending organisation.
        extending = IATI_ORGANISATION_ROLE[PartnerRole.EXTENDING]
        if not any(role == extending for role, _ in partners):
            element = _sub(activity, "participating-org", {**self.reporting_attrib, "role": extending})
            _narrative(element, self.publisher.name)

    def _dates(self, activity, project: Project) -> None:
        for code, value in ((m.ACTIVITY_DATE_PLANNED_START, project.planned_start),
                            (m.ACTIVITY_DATE_ACTUAL_START, project.actual_start),
                            (m.ACTIVITY_DATE_PLANNED_END, project.planned_end),
                            (m.ACTIVITY_DATE_ACTUAL_END, project.actual_end)):
            if value is not None:
                _sub(activity, "activity-date", {"type": code, "iso-date": value.isoformat()})

    def _geography(self, activity, project: Project) -> None:
        countries = sorted(project.iati_countries, key=lambda c: c.iso2)
        if countries:
            for country, share in zip(countries, _split_hundred(len(countries)), strict=True):
                element = _sub(activity, "recipient-country", {"code": country.iso2, "percentage": _number(share)})
                _reference_narratives(element, country, "name", self.publisher.language)
        elif project.region.iati_code:
            element = _sub(activity, "recipient-region", {
                "code": project.region.iati_code, "vocabulary": m.REGION_VOCABULARY_DAC, "percentage": "100"})
            _reference_narratives(element, project.region, "name", self.publisher.language)

    def _sectors(self, activity, project: Project) -> None:
        programmes = ([project.primary_programme] if project.primary_programme else []) + [
            p for p in sorted(project.iati_other_programmes, key=lambda p: p.code)
            if p.id != project.primary_programme_id]
        dac_codes = list(dict.fromkeys(
            m.DAC_SECTOR_BY_PROGRAMME.get(p.code) for p in programmes if p.code in m.DAC_SECTOR_BY_PROGRAMME))
        if not dac_codes and project.strategic_objective.code in m.DAC_SECTOR_BY_OBJECTIVE:
            dac_codes = [m.DAC_SECTOR_BY_OBJECTIVE[project.strategic_objective.code]]
        for code, share in zip(dac_codes, _split_hundred(len(dac_codes)) if dac_codes else [], strict=True):
            _sub(activity, "sector", {"vocabulary": m.SECTOR_VOCABULARY_DAC, "code": code,
                                      "percentage": _number(share)})
        objective = project.strategic_objective
        element = _sub(activity, "sector", {
            "vocabulary": m.SECTOR_VOCABULARY_OBJECTIVE, "vocabulary-uri": self.publisher.vocabulary_uri("objectives"),
            "code": objective.code, "percentage": "100"})
        _reference_narratives(element, objective, "title", self.publisher.language)
        for programme, share in zip(programmes, _split_hundred(len(programmes)) if programmes else [], strict=True):
            element = _sub(activity, "sector", {
                "vocabulary": m.SECTOR_VOCABULARY_PROGRAMME,
                "vocabulary-uri": self.publisher.vocabulary_uri("programmes"),
                "code": programme.code, "percentage": _number(share)})
            _reference_narratives(element, programme, "title", self.publisher.language)

    def _tags(self, activity, project: Project) -> None:
        themes = {t.code: t for t in project.iati_themes}  # a code once, whatever its biennium
        for tag_list, entries in (
                (m.TAG_LIST_PRINCIPLES, [(p.code, p) for p in project.iati_principles]),
                (m.TAG_LIST_CONVENTIONS, [(m.convention_code(c.number), c) for c in project.iati_conventions]),
                (m.TAG_LIST_THEMES, list(themes.items()))):
            for code, reference in entries:
                element = _sub(activity, "tag", {"vocabulary": m.TAG_VOCABULARY_OWN, "code": code,
                                                 "vocabulary-uri": self.publisher.vocabulary_uri(tag_list)})
                _reference_narratives(element, reference, "title", self.publisher.language)

    def _budgets(self, activity, project: Project) -> None:
        original = defaultdict(Decimal)
        current = defaultdict(Decimal)
        revised_years = set()
        for allocation in project.iati_allocations:
            revisions = allocation.iati_revisions  # in the order they were made
            first = allocation.amount_usd
            if revisions:
                # The first revision records the amount the allocation was created with (old amount empty).
                earliest = revisions[0]
                first = earliest.new_amount_usd if earliest.old_amount_usd is None else earliest.old_amount_usd
            original[allocation.year] += first
            current[allocation.year] += allocation.amount_usd
            if first != allocation.amount_usd:
                revised_years.add(allocation.year)
        status = m.BUDGET_STATUS[project.status]
        for year in sorted(original):
            self._budget(activity, m.BUDGET_ORIGINAL, status, year, original[year])
            if year in revised_years:
                self._budget(activity, m.BUDGET_REVISED, status, year, current[year])

    def _budget(self, activity, budget_type: str, status: str, year: int, amount: Decimal) -> None:
        start = date(year, 1, 1).isoformat()
        element = _sub(activity, "budget", {"type": budget_type, "status": status})
        _sub(element, "period-start", {"iso-date": start})
        _sub(element, "period-end", {"iso-date": date(year, 12, 31).isoformat()})
        _sub(element, "value", {"currency": m.CURRENCY, "value-date": start}, _money(amount))

    def _transaction(self, activity, code: str, when: date, amount: Decimal, description: str,
                     provider: tuple[dict, str] | None, receiver: tuple[dict, str] | None,
                     earmarking: str | None = None) -> None:
        element = _sub(activity, "transaction")
        _sub(element, "transaction-type", {"code": code})
        _sub(element, "transaction-date", {"iso-date": when.isoformat()})
        _sub(element, "value", {"currency": m.CURRENCY, "value-date": when.isoformat()}, _money(amount))
        _narrative(_sub(element, "description"), description)
        for tag, party in (("provider-org", provider), ("receiver-org", receiver)):
            if party is not None:
                attrib, name = party
                _narrative(_sub(element, tag, attrib), name)
        if earmarking is not None:
            _sub(element, "aid-type", {"code": earmarking, "vocabulary": m.AID_TYPE_VOCABULARY_EARMARKING})

    def _transactions(self, activity, project: Project,
                      monthly_expenditure: dict[tuple[date, int], Decimal]) -> None:
        us = (self.reporting_attrib, self.publisher.name)
        implementers = [p.organisation for p in project.iati_partners if p.role == PartnerRole.IMPLEMENTING]
        implementer = (_org_attrib(implementers[0]), implementers[0].name) if len(implementers) == 1 else None
        for approval in project.iati_approvals:
            donor = (_org_attrib(approval.donor), approval.donor.name)
            self._transaction(activity, m.TRANSACTION_INCOMING_COMMITMENT, approval.date, approval.amount_usd,
                              f"Funds approved by {approval.donor.name}", donor, us)
            self._transaction(activity, m.TRANSACTION_OUTGOING_COMMITMENT, approval.date, approval.amount_usd,
                              f"Commitment of the funds approved by {approval.donor.name}", us, implementer)
        # One transaction per quarter and source of funds (the sources in their reference order).
        quarters: dict[tuple[int, int, int], tuple] = {}
        order = {source_id: index for index, source_id in enumerate(self.sources)}
        for month, source_id in sorted(monthly_expenditure):
            key = (month.year, (month.month - 1) // 3 + 1, source_id)
            total, _ = quarters.get(key, (Decimal(0), month))
            quarters[key] = (total + monthly_expenditure[(month, source_id)], month)
        for (year, quarter, source_id), (total, last_month) in sorted(
                quarters.items(), key=lambda item: (item[0][:2], order.get(item[0][2], 0))):
            source = self.sources[source_id]
            # Dated on the last day of the last month posted, so an open quarter is never dated in the future.
            self._transaction(activity, m.TRANSACTION_EXPENDITURE, _month_end(last_month), total,
                              f"Expenditure {year} Q{quarter}: {source.name}", us, None,
                              earmarking=m.EARMARKING_BY_BUDGET_TYPE[source.budget_type])

    def _document_links(self, activity, project: Project) -> None:
        for evaluation in project.iati_evaluations:
            extension = evaluation.report.name.rsplit(".", 1)[-1].lower()
            file_format = m.FILE_FORMAT_BY_EXTENSION.get(extension)
            if file_format is None:
                continue
            # The report's download view (the file itself has no public address).
            url = f"{self.publisher.base_url}{evaluation.report.url}"
            element = _sub(activity, "document-link", {"url": url, "format": file_format})
            _narrative(_sub(element, "title"), evaluation.title)
            _sub(element, "category", {"code": m.DOCUMENT_CATEGORY_EVALUATION})
            if evaluation.actual_date:
                _sub(element, "document-date", {"iso-date": evaluation.actual_date.isoformat()})

    def _results(self, activity, project: Project) -> None:
        for result in project.iati_results:
            if not result.iati_indicators:
                continue  # IATI requires at least one indicator per result
            element = _sub(activity, "result", {"type": IATI_RESULT_TYPE[result.kind]})
            _narrative(_sub(element, "title"), result.title)
            if result.description.strip():
                _narrative(_sub(element, "description"), result.description)
            for indicator in result.iati_indicators:
                self._indicator(element, indicator)

    def _indicator(self, result_element, indicator) -> None:
        qualitative = indicator.measure == Measure.QUALITATIVE
        attrib = {"measure": IATI_INDICATOR_MEASURE[indicator.measure]}
        if not qualitative:
            attrib["ascending"] = "1" if indicator.ascending else "0"
        element = _sub(result_element, "indicator", attrib)
        _narrative(_sub(element, "title"), indicator.title)
        if indicator.means_of_verification.strip():
            _narrative(_sub(element, "description"), f"Means of verification: {indicator.means_of_verification}")
        if indicator.framework_indicator_id:
            _sub(element, "reference", {"vocabulary": m.INDICATOR_VOCABULARY_OWN,
                                        "code": indicator.framework_indicator.code})
        for baseline in indicator.iati_baselines:
            baseline_attrib = {"year": str(baseline.year)}
            if not qualitative and baseline.value is not None:
                baseline_attrib["value"] = _number(baseline.value)
            baseline_element = _sub(element, "baseline", baseline_attrib)
            if baseline.comment.strip():
                _narrative(_sub(baseline_element, "comment"), baseline.comment)
        for period in indicator.iati_periods:
            self._period(element, period, qualitative=qualitative)

    def _period(self, indicator_element, period, *, qualitative: bool) -> None:
        element = _sub(indicator_element, "period")
        _sub(element, "period-start", {"iso-date": period.start.isoformat()})
        _sub(element, "period-end", {"iso-date": period.end.isoformat()})
        comment = period.comment.strip()
        if qualitative:
            if comment:
                _narrative(_sub(_sub(element, "actual"), "comment"), comment)
            return
        if period.target is not None:
            _sub(element, "target", {"value": _number(period.target)})
        if period.actual is not None:
            actual = _sub(element, "actual", {"value": _number(period.actual)})
            if comment:
                _narrative(_sub(actual, "comment"), comment)
        for sex, value in (("female", period.actual_women), ("male", period.actual_men)):
            if value is not None:
                actual = _sub(element, "actual", {"value": _number(value)})
                _sub(actual, "dimension", {"name": "sex", "value": sex})


# ---------------------------------------------------------------- the document


class _Buffer:
    """A write target that hands over what it received since the last call, for streaming."""

    def __init__(self):
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self._parts.append(data)

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def iter_activities_xml(projects: QuerySet[Project], *, chunk_size: int = CHUNK_SIZE,
                        publisher: Publisher | None = None, generated_at: datetime | None = None,
                        counter: list[int] | None = None) -> Iterator[bytes]:
    """The IATI document for `projects`, in pieces. `counter[0]`, when given, counts the activities written."""
    builder = ActivityBuilder(publisher or Publisher.from_settings(), funding_sources())
    generated_at = generated_at or timezone.now()
    buffer = _Buffer()
    with etree.xmlfile(buffer, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("iati-activities", {"version": m.IATI_VERSION,
                                            "generated-datetime": generated_at.isoformat(timespec="seconds")}):
            for chunk in activity_chunks(projects, chunk_size=chunk_size):
                for data in chunk:
                    xf.write(builder.build(data))
                if counter is not None:
                    counter[0] += len(chunk)
                xf.flush()
                yield buffer.drain()
    yield buffer.drain()


def write_activities_xml(out: BinaryIO, projects: QuerySet[Project], **options) -> int:
    """Write the document to a binary file; returns the number of activities."""
    counter = [0]
    for piece in iter_activities_xml(projects, counter=counter, **options):
        out.write(piece)
    return counter[0]

