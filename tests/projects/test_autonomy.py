"""A programme requiring autonomy and the governments of its countries (issue 18.5): the government constituent
sees it and records that it was informed and agrees (or not), page and API, kept in the project's history; the
rule AUTONOMY_NOT_AGREED fires while an ongoing autonomous project lacks an agreement and clears once each
government agrees."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from alerts import services as alert_services
from alerts.conditions import CONDITIONS, ScanContext
from alerts.models import Alert, AlertState, Rule
from partners.models import OrganisationKind
from projects import services
from projects.models import AutonomyAgreement, ProjectStatus
from projects.permissions import visible_projects
from projects.selectors import project_history
from tests.constituents import Portfolio
from tests.factories import OrganisationFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2000, 6, 1)


@pytest.fixture
def portfolio():
    f = Portfolio()
    f.autonomous = ProjectFactory(symbol="RAF/00/01/NOR", countries=[f.senegal, f.peru], is_autonomous=True,
                                  autonomy_reason="Own governing board", responsible_unit=f.unit)
    f.peru_government = OrganisationFactory(name="Ministerio de Trabajo del Perú", acronym="MTPE",
                                            kind=OrganisationKind.GOVERNMENT, country=f.peru)
    f.users["peru"] = UserFactory(username="c-peru", role="CONSTITUENT", organisation=f.peru_government,
                                  language="es")
    return f


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def fire(as_of=DAY) -> dict[int, dict]:
    rule = Rule.objects.get(code="AUTONOMY_NOT_AGREED")
    return {pid: finding.detail for pid, finding in CONDITIONS["AUTONOMY_NOT_AGREED"](rule, ScanContext(as_of)).items()}


def test_each_countrys_government_sees_the_programme_and_records_its_word(portfolio, client):
    government = portfolio.users["government"]
    assert visible_projects(government, type(portfolio.autonomous).objects.filter(pk=portfolio.autonomous.pk))
    client.force_login(government)
    url = reverse("projects:autonomy", args=[portfolio.autonomous.pk])
    page = client.get(url).content.decode()
    assert "autonomy-form" in page and portfolio.peru.name in page
    refused = client.post(url, {"informed_on": "2000-05-01", "agrees": "no", "comment": ""})
    assert refused.status_code == 200 and not AutonomyAgreement.objects.exists()
    saved = client.post(url, {"informed_on": "2000-05-01", "agrees": "yes", "comment": ""})
    assert saved.status_code == 302
    agreement = AutonomyAgreement.objects.get()
    assert (agreement.country, agreement.organisation, agreement.agrees, agreement.recorded_by) == (
        portfolio.senegal, portfolio.government, True, government)
    answer = api(portfolio.users["peru"]).post(reverse("autonomy-agreement-list"), {
        "project": portfolio.autonomous.pk, "informed_on": "2000-05-03", "agrees": False,
        "comment": "Not consulted on the board"}, format="json")
    assert answer.status_code == 201, answer.content
    assert (answer.json()["country"], answer.json()["agrees"]) == ("PER", False)
    history = [entry.reason for entry in project_history(portfolio.autonomous)
               if entry.record.startswith("Government agreement")]
    # newest first; each reason in the language of the page or call that made the change (the page's is French)
    assert history == ["The government does not agree", "Le gouvernement donne son accord"]


def test_only_the_government_of_a_country_of_the_programme_records(portfolio, client):
    workers, employers = portfolio.users["workers"], portfolio.users["employers"]
    with pytest.raises(PermissionDenied):
        services.autonomy_agreement_record(project=portfolio.autonomous, user=workers, informed_on=DAY, agrees=True)
    with pytest.raises(PermissionDenied):
        services.autonomy_agreement_record(project=portfolio.autonomous, user=portfolio.officer, informed_on=DAY,
                                           agrees=True)
    with pytest.raises(PermissionDenied):  # not autonomous
        services.autonomy_agreement_record(project=portfolio.sen_project, user=portfolio.users["government"],
                                           informed_on=DAY, agrees=True)
    client.force_login(workers)
    url = reverse("projects:autonomy", args=[portfolio.autonomous.pk])
    assert "autonomy-form" not in client.get(url).content.decode()
    assert client.post(url, {"informed_on": "2000-05-01", "agrees": "yes"}).status_code == 403
    client.force_login(employers)  # Peru's employers see it (their country) but are not its government
    assert client.post(url, {"informed_on": "2000-05-01", "agrees": "yes"}).status_code == 403
    hidden = ProjectFactory(countries=[portfolio.peru], is_autonomous=True, autonomy_reason="Board")
    client.force_login(portfolio.users["government"])
    assert client.get(reverse("projects:autonomy", args=[hidden.pk])).status_code == 404
    assert api(portfolio.users["government"]).post(reverse("autonomy-agreement-list"), {
        "project": hidden.pk, "informed_on": "2000-05-01", "agrees": True}, format="json").status_code == 403
    with pytest.raises(ValidationError) as error:
        services.autonomy_agreement_record(project=portfolio.autonomous, user=portfolio.users["government"],
                                           informed_on=dt.date(2999, 1, 1), agrees=True)
    assert "informed_on" in error.value.message_dict
    assert not AutonomyAgreement.objects.exists()


def test_the_rule_fires_until_each_government_agrees(portfolio):
    project = portfolio.autonomous
    assert fire() == {project.pk: {"countries": ["PER", "SEN"]}}
    services.autonomy_agreement_record(project=project, user=portfolio.users["government"], informed_on=DAY,
                                       agrees=True)
    services.autonomy_agreement_record(project=project, user=portfolio.users["peru"], informed_on=DAY,
                                       agrees=False, comment="Not consulted")
    alert_services.scan(as_of=DAY, notify=False)
    alert = Alert.objects.get(project=project, rule__code="AUTONOMY_NOT_AGREED")
    assert (alert.severity, alert.detail) == ("AMBER", {"countries": ["PER"]})
    services.autonomy_agreement_record(project=project, user=portfolio.users["peru"], informed_on=DAY, agrees=True)
    assert fire() == {}
    alert_services.scan(as_of=DAY, notify=False)
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED


def test_the_rule_asks_only_ongoing_autonomous_projects(portfolio):
    portfolio.autonomous.status = ProjectStatus.PIPELINE
    portfolio.autonomous.save()
    ProjectFactory(countries=[portfolio.senegal])  # not autonomous
    ProjectFactory(is_autonomous=True, autonomy_reason="Board")  # no country: no government to ask
    assert fire() == {}


def test_the_rule_has_its_names_in_three_languages():
    rule = Rule.objects.get(code="AUTONOMY_NOT_AGREED")
    assert (rule.name_en, rule.name_fr, rule.name_es) == (
        "Autonomous programme without the government's agreement", "Programme autonome sans l'accord du gouvernement",
        "Programa autónomo sin el acuerdo del gobierno")
    assert rule.enabled and rule.amber_threshold == 1
