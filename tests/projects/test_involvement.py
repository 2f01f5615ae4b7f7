"""A tripartite cell confirmed by its constituent group (issue 18.3): report → confirm, dispute → alert → answer,
each leaving the right state and history, through the services and the API (POST /api/v1/tripartite/{id}/report/
and confirm/, answer/ for the officer)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from alerts import services as alert_services
from alerts.models import Alert, AlertState
from projects import services
from projects.models import Confirmation
from projects.selectors import project_history
from tests.constituents import Portfolio

pytestmark = pytest.mark.django_db
DAY = dt.date(2000, 6, 1)


@pytest.fixture
def portfolio():
    return Portfolio()


@pytest.fixture
def cell(portfolio):
    """A workers' cell the Office recorded on the Senegal project."""
    return portfolio.workers_cell(actual_date=dt.date(2000, 4, 1), actual_description="Steering committee met")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(user, cell, action: str, data=None):
    return api(user).post(reverse(f"tripartite-{action}", args=[cell.pk]), data or {}, format="json")


def reasons(project) -> list[str]:
    return [entry.reason for entry in project_history(project) if entry.record.startswith("Tripartite")]


def test_report_then_the_officer_confirms(portfolio, cell):
    workers = portfolio.users["workers"]
    answer = post(workers, cell, "report", {"actual_date": "2000-05-02", "actual_description": "Training of trainers",
                                            "women": 12, "men": 9})
    assert answer.status_code == 200, answer.content
    assert answer.json()["confirmation"] == "reported"
    cell.refresh_from_db()
    assert (cell.actual_date, cell.women, cell.men, cell.actual_organisation) == (
        dt.date(2000, 5, 2), 12, 9, portfolio.workers)
    assert cell.reported_by == workers and cell.reported_at is not None
    answer = post(portfolio.officer, cell, "confirm")
    assert answer.status_code == 200 and answer.json()["confirmation"] == "confirmed"
    cell.refresh_from_db()
    assert cell.confirmation == Confirmation.CONFIRMED and cell.confirmed_by == portfolio.officer
    assert reasons(portfolio.sen_project)[:2] == ["The Office accepts the constituent's report",
                                                  "Reported by the constituent"]


def test_dispute_raises_the_alert_and_the_answer_keeps_it_until_the_constituent_confirms(portfolio, cell):
    workers, officer = portfolio.users["workers"], portfolio.officer
    answer = post(workers, cell, "report", {"not_involved": True})
    assert answer.status_code == 200 and answer.json()["confirmation"] == "disputed"
    alert_services.scan(as_of=DAY, notify=False)
    alert = Alert.objects.get(project=portfolio.sen_project, rule__code="TRIPARTITE_DISPUTED")
    assert alert.severity == "AMBER" and alert.detail == {"disputed": ["IMPLEMENTATION/WORKERS"]}
    answer = post(officer, cell, "answer", {"comment": "The minutes of 1 April list two CNTS members."})
    assert answer.status_code == 200 and answer.json()["confirmation"] == "disputed"
    assert answer.json()["officer_comment"] == "The minutes of 1 April list two CNTS members."
    answer = post(workers, cell, "confirm")
    assert answer.status_code == 200 and answer.json()["confirmation"] == "confirmed"
    cell.refresh_from_db()
    assert not cell.not_involved and cell.actual_date == dt.date(2000, 4, 1)
    alert_services.scan(as_of=DAY, notify=False)
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED
    assert reasons(portfolio.sen_project)[:3] == [
        "The constituent confirms the Office's record", "The minutes of 1 April list two CNTS members.",
        "The constituent says they were not involved"]


def test_the_officer_accepts_not_involved_which_clears_the_actual_involvement(portfolio, cell):
    services.involvement_report(cell=cell, user=portfolio.users["workers"], not_involved=True)
    cell = services.involvement_confirm(cell=cell, user=portfolio.officer)
    assert cell.confirmation == Confirmation.CONFIRMED and cell.not_involved and cell.actual_date is None


def test_who_may_report_confirm_and_answer(portfolio, cell):
    government, employers = portfolio.users["government"], portfolio.users["employers"]
    body = {"actual_date": "2000-05-02", "actual_description": "x"}
    assert post(government, cell, "report", body).status_code == 403  # sees the project, not their group
    assert post(employers, cell, "report", body).status_code == 404  # does not see the project
    assert post(portfolio.users["workers"], cell, "answer", {"comment": "no"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.involvement_answer(cell=cell, user=government, comment="no")
    cell.refresh_from_db()
    assert cell.confirmation == Confirmation.RECORDED and cell.reported_by is None


@pytest.mark.parametrize(("body", "field"), [
    ({}, "actual_date"),
    ({"actual_date": "2000-05-02"}, "actual_description"),
    ({"actual_date": "2999-01-01", "actual_description": "later"}, "actual_date"),
    ({"actual_date": "2000-05-02", "actual_description": "x", "women": -1}, "women"),
])
def test_a_bad_report_answers_400_naming_the_field_and_changes_nothing(portfolio, cell, body, field):
    answer = post(portfolio.users["workers"], cell, "report", body)
    assert answer.status_code == 400 and field in answer.json(), answer.content
    cell.refresh_from_db()
    assert cell.confirmation == Confirmation.RECORDED


def test_states_that_allow_nothing_are_refused(portfolio, cell):
    assert post(portfolio.officer, cell, "confirm").status_code == 400  # nothing reported yet
    assert "confirmation" in post(portfolio.officer, cell, "answer", {"comment": "why?"}).json()
    services.involvement_report(cell=cell, user=portfolio.users["workers"], actual_date=dt.date(2000, 5, 2),
                                actual_description="x")
    assert "comment" in post(portfolio.officer, cell, "answer", {"comment": " "}).json()
    services.involvement_confirm(cell=cell, user=portfolio.officer)
    answer = post(portfolio.users["workers"], cell, "report", {"not_involved": True})
    assert answer.status_code == 400 and "confirmation" in answer.json()


def test_another_organisations_pending_report_shows_without_its_details(portfolio, cell):
    from partners.models import OrganisationKind
    from tests.factories import OrganisationFactory, UserFactory

    other_union = OrganisationFactory(name="Union nationale des syndicats autonomes du Sénégal", acronym="UNSAS",
                                      kind=OrganisationKind.WORKERS, country=portfolio.senegal)
    colleague = UserFactory(username="c-unsas", role="CONSTITUENT", organisation=other_union)
    services.involvement_report(cell=cell, user=portfolio.users["workers"], actual_date=dt.date(2000, 5, 2),
                                actual_description="Training of trainers", women=3, men=4)
    seen = api(colleague).get(reverse("tripartite-detail", args=[cell.pk])).json()
    assert seen["actual_description"] is None and seen["women"] is None and seen["confirmation"] is None
    assert "reported_by" not in seen
    assert post(colleague, cell, "report", {"not_involved": True}).status_code == 403
    own = api(portfolio.users["workers"]).get(reverse("tripartite-detail", args=[cell.pk])).json()
    assert own["actual_description"] == "Training of trainers" and own["confirmation"] == "reported"
