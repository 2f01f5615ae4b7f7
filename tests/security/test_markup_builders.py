"""Every builder of SVG, HTML or XML escapes by construction: fed quotes, angle brackets, apostrophes and ampersands,
its output parses, holds no element or attribute the text did not come from, and gives the text back as typed.

Found by an attacker's probe: xml.sax.saxutils.escape leaves quotes alone, so an implementation plan titled
`P" onload="…` drew a Gantt chart whose <svg> had an event handler (only the Content Security Policy stopped it).
"""

import datetime as dt
import io
from decimal import Decimal
from xml.etree import ElementTree

import lxml.html
import pytest
from django import forms
from django.urls import reverse
from lxml import etree

from accounts.models import Role
from core.filter_form import filter_fields
from iati.export import write_activities_xml
from projects.models import Project
from reports.builders.charts import bar_chart, gantt_chart
from reports.builders.pdf import render_html
from reports.models import ImplementationPlan, Milestone
from reports.selectors import COUNT, TEXT, Column, GbReport, LessonItem, Period, ReportTable
from tests.factories import ProjectFactory, UserFactory
from tests.security.html_checks import inline_code

ATTRIBUTE = 'P" onload="alert(1)'
HOSTILE = [ATTRIBUTE, "<script>x</script>", "O'Brien", "Jobs & skills", "<![CDATA[x]]> --> <!-- \"'"]
SVG = "{http://www.w3.org/2000/svg}"


def _assert_nothing_injected(root, *, allowed_tags: set[str]):
    for element in root.iter():
        tag = element.tag.removeprefix(SVG) if isinstance(element.tag, str) else "#comment"
        assert tag in allowed_tags, f"an element {tag!r} was injected"
        assert not [name for name in element.attrib if name.lower().startswith("on")], element.attrib


# ---------------------------------------------------------------- SVG charts


@pytest.mark.parametrize("text", HOSTILE)
def test_the_gantt_chart_keeps_hostile_text_as_text(text):
    svg = gantt_chart([(text, dt.date(2001, 1, 1), dt.date(2001, 6, 30), "DONE")], start=dt.date(2001, 1, 1),
                      end=dt.date(2002, 12, 31), title=text)
    root = ElementTree.fromstring(svg)
    _assert_nothing_injected(root, allowed_tags={"svg", "text", "line", "rect"})
    assert root.get("aria-label") == text
    assert [t.text for t in root.iter(f"{SVG}text")][:1] == [text]  # the title
    assert text in [t.text for t in root.iter(f"{SVG}text")][1:]  # the milestone's label


@pytest.mark.parametrize("text", HOSTILE)
def test_the_bar_chart_keeps_hostile_text_as_text(text):
    root = ElementTree.fromstring(bar_chart([(text, Decimal("12.5"))], title=text, kind=COUNT))
    _assert_nothing_injected(root, allowed_tags={"svg", "text", "rect"})
    assert root.get("aria-label") == text
    assert [t.text for t in root.iter(f"{SVG}text")][:2] == [text, text]


def test_a_chart_drops_characters_xml_cannot_hold():
    root = ElementTree.fromstring(gantt_chart([("Sign\x01", dt.date(2001, 1, 1), dt.date(2001, 6, 30), "DONE")],
                                              start=dt.date(2001, 1, 1), end=dt.date(2001, 12, 31),
                                              title="Plan\x0b"))
    assert root.get("aria-label") == "Plan" and "Sign" in [t.text for t in root.iter(f"{SVG}text")]


@pytest.mark.django_db
def test_the_plan_page_draws_no_event_handler_from_a_title(client):
    """As found: a plan titled `P" onload="…`, and a milestone too, on the plan's page."""
    plan = ImplementationPlan.objects.create(title=ATTRIBUTE, start_date=dt.date(2001, 1, 1),
                                             end_date=dt.date(2001, 12, 31))
    Milestone.objects.create(plan=plan, title=f"<script>x</script>{ATTRIBUTE}", owner="O'Brien & Co",
                             due_date=dt.date(2001, 6, 30))
    client.force_login(UserFactory(role=Role.SECRETARIAT))
    response = client.get(reverse("reports:plan", args=[plan.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert not [problem for problem in inline_code(html) if "onload" in problem or "<script>" in problem]
    svg = lxml.html.fromstring(html).xpath("//svg")
    assert len(svg) == 1 and svg[0].get("aria-label") == ATTRIBUTE and not svg[0].get("onload")


# ---------------------------------------------------------------- the PDF report's HTML


def test_the_pdf_report_html_keeps_hostile_text_as_text(db):
    period = Period.of_year(2001)
    table = ReportTable("gender", HOSTILE[1], [Column(HOSTILE[2], TEXT), Column(ATTRIBUTE, COUNT)],
                        [[text, Decimal(index + 1)] for index, text in enumerate(HOSTILE)], note=HOSTILE[3])
    report = GbReport(kind="annual", title=ATTRIBUTE, period=period, previous=period.previous(), as_of=None,
                      tables=[table], lessons=[LessonItem("Lesson", text, text, text) for text in HOSTILE])
    document = lxml.html.fromstring(render_html(report))
    assert not document.xpath("//script")
    assert not document.xpath("//@*[starts-with(name(), 'on')]")
    texts = set(document.xpath("//text()"))
    for text in HOSTILE:
        assert text in texts, text


# ---------------------------------------------------------------- filter selects written as HTML


def test_a_filter_select_keeps_hostile_labels_as_text():
    class Filters(forms.Form):
        region = forms.ChoiceField(choices=[(text, text) for text in HOSTILE], required=False)

    fields = filter_fields(Filters(data={"region": ATTRIBUTE}), cache_key="hostile-test")
    select = lxml.html.fragment_fromstring(str(fields[0]["html"]))
    assert select.tag == "select" and not [el for el in select.iter() if el.tag not in ("select", "option")]
    assert [(option.get("value"), option.text) for option in select] == [(text, text) for text in HOSTILE]
    assert [option.get("value") for option in select if option.get("selected") is not None] == [ATTRIBUTE]
    assert not [name for el in select.iter() for name in el.attrib if name.startswith("on")]


# ---------------------------------------------------------------- IATI XML


@pytest.mark.django_db
def test_the_iati_export_keeps_hostile_text_as_text():
    for text in HOSTILE:
        project = ProjectFactory(title=text, summary=text)
        out = io.BytesIO()
        write_activities_xml(out, Project.objects.filter(pk=project.pk))
        document = etree.fromstring(out.getvalue())
        assert not [el for el in document.iter() if not isinstance(el.tag, str)]  # no comment, no CDATA trick
        assert not [name for el in document.iter() for name in el.attrib if name.startswith("on")]
        assert [n.text for n in document.iterfind(".//title/narrative")] == [text]
        assert [n.text for n in document.iterfind(".//description/narrative")][0] == text
