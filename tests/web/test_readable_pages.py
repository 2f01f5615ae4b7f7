"""People read labels, not codes (issue 17): the main pages of the first hour, for each role and language, show no
early-warning rule code, no choice value, no True/False and no raw fraction in their text.

The data makes every kind of text appear: a project with a partner, a tripartite cell contemplated and not realised,
a changed gender marker and flag, a revised date (its history), money that fires the delivery rules (a scan raises
the alerts, one explained with a reason), an evaluation, results with progress, and digests of every kind."""

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.models import Role
from alerts import services as alert_services
from alerts.models import Alert, DigestSend, RuleCode
from delivery import services as delivery_services
from projects import services
from projects.models import Project
from tests.evaluation.factories import EvaluationFactory, IndicatorFactory, PeriodFactory, ResultFactory
from tests.factories import InputTypeFactory, OrganisationFactory, ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2001, 10, 31)
LANGUAGES = ("en", "fr", "es")
ROLES = (Role.OFFICER, Role.MANAGER, Role.SECRETARIAT, Role.ADMIN)
# A rate or share shown as a fraction (0.6866, or 0,6866 in French and Spanish).
RAW_FRACTION = re.compile(r"\b0[.,]\d{4}\b")
RAW_BOOLEAN = re.compile(r"\b(True|False)\b")
APPS_WITH_CHOICES = ("accounts", "partners", "projects", "delivery", "evaluation", "alerts", "reports")


def choice_codes() -> set[str]:
    """The stored values of every choice field that people see as a label (ONGOING, FORMULATION, RED…): upper-case
    identifiers whose label differs (PDF, whose label is PDF, is no code, nor IFI, which its label "Bretton Woods
    institution / IFI" spells out)."""
    codes = set(RuleCode.values)
    for label in APPS_WITH_CHOICES:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                for value, text in getattr(field, "flatchoices", None) or ():
                    if (isinstance(value, str) and re.fullmatch(r"[A-Z][A-Z0-9_]{2,}", value)
                            and not re.search(rf"\b{value}\b", str(text))):
                        codes.add(value)
    return codes


class _VisibleText(HTMLParser):
    """The text of a page as people read it: no scripts, styles or data blocks, no attribute values."""

    HIDDEN = {"script", "style", "template", "head"}

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def problems_in(text: str, codes: set[str]) -> list[str]:
    words = set(re.findall(r"[A-Z][A-Z0-9_]{2,}", text))
    return sorted(words & codes) + RAW_FRACTION.findall(text) + RAW_BOOLEAN.findall(text)


@pytest.fixture
def first_hour(settings):
    """A unit with its people and a project whose pages show every kind of figure, label and history line."""
    settings.TCMS_TODAY = AS_OF

    class FirstHour:
        pass

    f = FirstHour()
    unit = UnitFactory(code="CO-DAKAR")
    f.users = {role: UserFactory(username=f"walk-{role.lower()}", role=role, units=[unit]) for role in ROLES}
    officer = f.users[Role.OFFICER]
    f.project = ProjectFactory(responsible_unit=unit, symbol="INT/00/01/NOR", title="Apprenticeships for young people",
                               planned_start=dt.date(2000, 1, 1), planned_end=dt.date(2001, 12, 31))
    services.partner_add(project=f.project, organisation=OrganisationFactory(name="Norwegian Agency", acronym="NORAD"),
                         role="FUNDING", user=officer)
    services.tripartite_set(project=f.project, stage="FORMULATION", group="WORKERS", contemplated=True,
                            contemplated_description="Unions in the design workshop", user=officer)
    f.project.refresh_from_db()
    services.project_update(project=f.project, user=officer, version=f.project.version, gender_marker=2,
                            is_crisis_response=True, actual_start=dt.date(2000, 2, 1))
    f.project.refresh_from_db()
    services.project_revise_date(project=f.project, field="planned_end", new_value=dt.date(2002, 6, 30),
                                 reason="Late start", user=officer, version=f.project.version)
    InputTypeFactory(code="EXPERTS")
    rows = {"allocations": "project_symbol,year,funding_source,amount_usd\nINT/00/01/NOR,2001,XBTC,120000\n",
            "expenditure": "project_symbol,period,input_type,currency,amount\nINT/00/01/NOR,2001-03,EXPERTS,USD,"
                           "30000\n"}
    for kind, text in rows.items():
        result = delivery_services.financial_import(kind=kind, source=text.encode(), filename=f"{kind}.csv")
        assert result.ok, result.errors
    EvaluationFactory(projects=[f.project], planned_date=dt.date(2001, 6, 30))
    period = PeriodFactory(indicator=IndicatorFactory(result=ResultFactory(project=f.project)), target=Decimal("50"),
                           actual=Decimal("20"))
    assert period.actual == Decimal("20")
    alert_services.scan(as_of=AS_OF, notify=False)
    f.alerts = list(Alert.objects.filter(project=f.project).select_related("rule"))
    assert {RuleCode.LOW_DELIVERY, RuleCode.TRIPARTITE_GAP} <= {alert.rule.code for alert in f.alerts}
    low_delivery = next(alert for alert in f.alerts if alert.rule.code == RuleCode.LOW_DELIVERY)
    alert_services.alert_explain(alert=low_delivery, user=f.users[Role.MANAGER], reason_code="RECRUITMENT",
                                 comment="The adviser came late.")
    f.digests = [DigestSend.objects.create(recipient=f.users[Role.MANAGER], frequency=frequency, period_key=key)
                 for frequency, key in (("DAILY", "2001-10-31"), ("WEEKLY", "2001-W44"),
                                        ("IMMEDIATE", "red-1140f8a9c2d4e6f8a0b2c4d6"))]
    for digest in f.digests:
        digest.alerts.set(f.alerts)
    return f


def first_hour_urls(f, role) -> list[str]:
    project = f.project.pk
    urls = [reverse("home"), reverse("projects:list")]
    urls += [f"{reverse('projects:detail', args=[project])}?tab={tab}" for tab in (
        "overview", "classification", "partners", "tripartite", "delivery", "results", "evaluations", "alerts",
        "history")]
    urls += [reverse("delivery:project", args=[project]), reverse("alerts:project", args=[project]),
             reverse("evaluation:project_results", args=[project]),
             reverse("delivery:dashboard"), f"{reverse('delivery:dashboard')}?sort=-rate",
             reverse("alerts:list"), reverse("alerts:slippage"), reverse("evaluation:plan"), reverse("reports:list")]
    urls += [reverse("alerts:detail", args=[alert.pk]) for alert in f.alerts]
    if role in (Role.OFFICER, Role.MANAGER, Role.ADMIN):
        urls += [reverse("projects:create"), reverse("projects:edit", args=[project])]
    if role == Role.ADMIN:
        urls += [reverse("alerts:mail")] + [reverse("alerts:mail_detail", args=[d.pk]) for d in f.digests]
    return urls


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_the_first_hour_pages_show_labels_not_codes(client, first_hour, role, language):
    user = first_hour.users[role]
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    codes = choice_codes()
    found = {}
    for url in first_hour_urls(first_hour, role):
        response = client.get(url)
        assert response.status_code == 200, url
        problems = problems_in(visible_text(response.content.decode()), codes)
        if problems:
            found[url] = problems
    assert not found, f"raw codes or fractions in the visible text ({role}, {language}): {found}"


def test_the_walk_catches_codes_fractions_and_booleans():
    codes = choice_codes()
    assert {"LOW_DELIVERY", "FORMULATION", "ONGOING", "FUNDING", "RED"} <= codes and "PDF" not in codes
    html = ("<p>stage: — → FORMULATION; contemplated: — → True</p><p>rate 0.6866 · taux 0,6866</p>"
            "<script>var code = 'LOW_DELIVERY';</script><p title='ONGOING'>Ongoing 68.7%</p>")
    assert problems_in(visible_text(html), codes) == ["FORMULATION", "0.6866", "0,6866", "True"]


def test_history_and_figures_read_as_labels(client, first_hour):
    client.force_login(first_hour.users[Role.OFFICER])
    history = visible_text(client.get(f"{reverse('projects:detail', args=[first_hour.project.pk])}?tab=history")
                           .content.decode())
    assert "Stage: — → Formulation" in history and "Contemplated: — → Yes" in history
    assert "Gender marker: 1 — " in history and "Crisis response: No → Yes" in history
    assert "Planned end: 31/12/2001 → 30/06/2002" in history
    low_delivery = next(alert for alert in first_hour.alerts if alert.rule.code == RuleCode.LOW_DELIVERY)
    detail = visible_text(client.get(reverse("alerts:detail", args=[low_delivery.pk])).content.decode())
    assert "Allocation (US$) 120,000" in detail and "Delivery rate 25.0%" in detail
    assert "Low delivery for the time of year" in detail


def test_slippage_by_objective_names_the_objective(client, first_hour):
    client.force_login(first_hour.users[Role.MANAGER])
    objective = Project.objects.get(pk=first_hour.project.pk).strategic_objective
    page = visible_text(client.get(reverse("alerts:slippage")).content.decode())
    assert f"{objective.code}. {objective.title}" in page


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "31/10/2001 06:00 – 01/11/2001 06:00 (UTC)"), ("fr", "31/10/2001 06:00 – 01/11/2001 06:00 (UTC)")])
def test_digest_periods_read_as_dates(client, first_hour, language, expected):
    admin = first_hour.users[Role.ADMIN]
    admin.language = language
    admin.save(update_fields=["language"])
    client.force_login(admin)
    page = visible_text(client.get(reverse("alerts:mail")).content.decode())
    assert expected in page and "red-1140f8" not in page and "2001-W44" not in page
