"""Digests for constituents and for the officers who answer them (issue 18.6): the same digest rows and delivery as
the alerts' digests. A constituent's digest, in their language, lists the cells awaiting their confirmation, the
contemplated involvement coming up in the next 60 days and the Office's answers to their reports and requests; an
officer's lists the constituents' reports awaiting them. Nothing new in the window: no digest."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from accounts.models import DigestFrequency
from alerts.models import DigestSend
from alerts.services import digest_window
from alerts.services.news import digest_news
from alerts.tasks import send_digests
from projects import services
from projects.models import ConstituentGroup, InvolvementStage, RequestStatus, TripartiteInvolvement
from tests.constituents import Portfolio
from tests.factories import ObjectiveFactory, ProjectFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC
BEFORE_THE_WEEK = dt.datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
TUESDAY = dt.datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
WEDNESDAY = dt.datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
MONDAY_DIGEST = dt.datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


@pytest.fixture
def week():
    """In the week 23-30 November 2026: the Office records a workers' cell, the workers report on another which the
    officer confirms, their request is declined, and they report on a third, which awaits the officer."""
    with time_machine.travel(BEFORE_THE_WEEK, tick=False):
        f = Portfolio()
        # Contemplated involvement of the workers at formulation of a project starting on 10 January 2027: 41 days
        # after the digest.
        f.coming = ProjectFactory(symbol="SEN/27/01/USA", countries=[f.senegal], planned_start=dt.date(2027, 1, 10),
                                  planned_end=dt.date(2028, 12, 31), responsible_unit=f.unit)
        TripartiteInvolvement.objects.create(project=f.coming, stage=InvolvementStage.FORMULATION,
                                             group=ConstituentGroup.WORKERS, contemplated=True,
                                             contemplated_description="Comité de pilotage")
        f.request = services.request_submit(user=f.users["workers"], title="Dialogue social dans les ports",
                                            description="Comités de dockers", strategic_objective=ObjectiveFactory(),
                                            country=f.senegal, groups=["WORKERS"])
        f.reported = TripartiteInvolvement.objects.create(
            project=f.partner_project, stage=InvolvementStage.FORMULATION, group=ConstituentGroup.WORKERS)
        f.awaiting_officer = TripartiteInvolvement.objects.create(
            project=f.sen_project, stage=InvolvementStage.EVALUATION, group=ConstituentGroup.WORKERS)
    workers = f.users["workers"]
    with time_machine.travel(TUESDAY, tick=False):
        f.recorded = TripartiteInvolvement.objects.create(
            project=f.sen_project, stage=InvolvementStage.IMPLEMENTATION, group=ConstituentGroup.WORKERS,
            actual_date=dt.date(2026, 11, 20), actual_description="Atelier de validation")
        services.involvement_report(cell=f.reported, user=workers, actual_date=dt.date(2026, 11, 18),
                                    actual_description="Consultation", women=3, men=4)
    with time_machine.travel(WEDNESDAY, tick=False):
        services.involvement_confirm(cell=f.reported, user=f.officer)
        services.request_decide(assistance_request=f.request, user=f.officer, decision=RequestStatus.DECLINED,
                                reason="Pas de fonds cet exercice")
        services.involvement_report(cell=f.awaiting_officer, user=workers, actual_date=dt.date(2026, 11, 21),
                                    actual_description="Évaluation à mi-parcours")
    return f


def _sent() -> dict:
    with time_machine.travel(MONDAY_DIGEST, tick=False):
        send_digests(frequency="WEEKLY")
    return {message.to[0].split("@")[0]: message for message in mail.outbox}


def test_a_french_constituents_digest(week):
    sent = _sent()
    message = sent["c-workers"]
    assert message.extra_headers["Content-Language"] == "fr"
    assert message.subject.startswith("[TCMS] Vos projets avec le Bureau, 23/11/2026")
    body = message.body
    awaiting = body.index("En attente de votre confirmation")
    upcoming = body.index("Participation prévue dans les 60 prochains jours")
    reports = body.index("Réponses à vos comptes rendus")
    requests = body.index("Réponses à vos demandes")
    assert awaiting < upcoming < reports < requests
    assert "SEN/00/01/USA" in body[awaiting:upcoming] and "Atelier" not in body[awaiting:upcoming]
    assert "10/01/2027 · SEN/27/01/USA" in body[upcoming:reports] and "Comité de pilotage" in body[upcoming:reports]
    assert "GLO/00/01/USA" in body[reports:requests]
    assert "Dialogue social dans les ports · Refusée · Pas de fonds cet exercice" in body[requests:]
    assert f"{settings.TCMS_BASE_URL}/projects/requests/{week.request.pk}/" in body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and '<html lang="fr">' in html and "En attente de votre confirmation" in html
    assert "early-warning" not in body.lower() and "alertes" not in body.lower()
    digest = DigestSend.objects.get(recipient=week.users["workers"])
    assert (digest.period_key, digest.status, digest.alerts.count()) == ("2026-W48", "SENT", 0)


def test_the_officers_digest_lists_the_reports_awaiting_them(week):
    message = _sent()["c-officer"]
    assert "Constituents' reports awaiting you" in message.body
    section = message.body[message.body.index("Constituents' reports awaiting you"):]
    assert "SEN/00/01/USA · Evaluation × Workers" in section
    assert "GLO/00/01/USA" not in section  # confirmed: no longer awaiting


def test_no_news_in_the_window_no_digest_and_nothing_twice(week):
    sent = _sent()
    assert "c-employers" not in sent  # nothing in Peru this week
    assert "c-government" not in sent  # its cell was recorded before the week: nothing new
    with time_machine.travel(MONDAY_DIGEST, tick=False):
        send_digests(frequency="WEEKLY")
    assert len(mail.outbox) == len(sent)


def test_a_daily_constituent_hears_in_the_daily_window(week):
    workers = week.users["workers"]
    workers.digest_frequency = DigestFrequency.DAILY
    workers.save()
    with time_machine.travel(dt.datetime(2026, 11, 26, 6, 0, tzinfo=UTC), tick=False):
        send_digests(frequency="DAILY")
    assert [message.to[0] for message in mail.outbox if message.to[0].startswith("c-workers")]
    news = digest_news(workers, digest_window(frequency="DAILY", now=dt.datetime(2026, 11, 26, 6, 0, tzinfo=UTC)))
    assert [item.title for item in news.request_answers] == ["Dialogue social dans les ports"]
    assert [cell.project.symbol for cell in news.report_answers] == ["GLO/00/01/USA"]
