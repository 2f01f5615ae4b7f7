"""The pages: list with filters and a constant query count, detail actions with and without HTMX, project alerts,
slippage analysis, and the administrators' pages (run, mail, rules)."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from accounts.models import Role
from alerts.models import Alert, AlertState, DigestSend, DigestStatus, Rule, SlippageReason
from tests.alerts.factories import project
from tests.factories import RegionFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_alerts(n, *, unit=None, region=None, rule="PAST_END", severity="AMBER"):
    rule = Rule.objects.get(code=rule)
    alerts = []
    for _ in range(n):
        kwargs = {"responsible_unit": unit} if unit else {}
        if region:
            kwargs["region"] = region
        alerts.append(Alert.objects.create(project=project(**kwargs), rule=rule, period=2026, severity=severity,
                                           raised_on=dt.date(2026, 6, 30)))
    return alerts


@pytest.fixture
def unit():
    return UnitFactory(code="RO-AMERICAS")


@pytest.fixture
def officer(client, unit):
    user = UserFactory(role=Role.OFFICER, units=[unit])
    client.force_login(user)
    return user


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=Role.ADMIN))
    return client


def test_list_filters_and_constant_query_count(client, officer, unit, django_assert_max_num_queries):
    americas = RegionFactory(code="AMERICAS")
    make_alerts(2, unit=unit, region=americas, severity="RED")
    make_alerts(3)
    url = reverse("alerts:list")
    with django_assert_max_num_queries(20) as few:
        response = client.get(url)
    assert response.status_code == 200 and response.content.count(b'href="/alerts/') >= 5
    make_alerts(60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    red_here = client.get(url, {"severity": "RED", "region": "AMERICAS", "unit": unit.code, "rule": "PAST_END"})
    assert len(red_here.context["page"].object_list) == 2
    assert client.get(url, {"state": "RESOLVED"}).context["page"].paginator.count == 0
    assert client.get(url, {"page": 2}).context["page"].number == 2


def test_list_htmx_returns_the_table_only(client, officer):
    make_alerts(1)
    response = client.get(reverse("alerts:list"), HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and b"<table" in response.content


def test_detail_actions_without_javascript(client, officer, unit):
    (alert,) = make_alerts(1, unit=unit)
    detail = reverse("alerts:detail", args=[alert.pk])
    page = client.get(detail)
    assert page.status_code == 200 and b"Acknowledge" in page.content
    response = client.post(reverse("alerts:action", args=[alert.pk, "acknowledge"]))
    assert response.status_code == 302 and response.url == detail
    response = client.post(reverse("alerts:action", args=[alert.pk, "explain"]), {"reason": "SECURITY", "comment": ""})
    assert response.status_code == 400
    response = client.post(reverse("alerts:action", args=[alert.pk, "explain"]),
                           {"reason": "SECURITY", "comment": "Office closed for two months."})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.state, alert.slippage_reason.code) == (AlertState.EXPLAINED, "SECURITY")


def test_detail_actions_with_htmx_return_the_panel(client, officer, unit):
    (alert,) = make_alerts(1, unit=unit)
    response = client.post(reverse("alerts:action", args=[alert.pk, "acknowledge"]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"<html" not in response.content
    assert b'data-state="ACKNOWLEDGED"' in response.content
    response = client.post(reverse("alerts:action", args=[alert.pk, "resolve"]), {"note": "x"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 400   # not explained yet


def test_actions_on_another_units_project_are_forbidden(client, officer):
    (alert,) = make_alerts(1)
    assert b"Acknowledge" not in client.get(reverse("alerts:detail", args=[alert.pk])).content
    assert client.post(reverse("alerts:action", args=[alert.pk, "acknowledge"])).status_code == 403
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN


def test_project_alerts_page_and_fragment(client, officer):
    (alert,) = make_alerts(1)
    make_alerts(1)
    url = reverse("alerts:project", args=[alert.project_id])
    page = client.get(url)
    assert page.status_code == 200 and list(page.context["alerts"]) == [alert]
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and alert.rule.name.encode() in fragment.content


def test_slippage_analysis_by_reason_region_objective_and_source(client, officer, django_assert_max_num_queries):
    africa, americas = RegionFactory(code="AFRICA"), RegionFactory(code="AMERICAS")
    recruitment = SlippageReason.objects.get(code="RECRUITMENT")
    security = SlippageReason.objects.get(code="SECURITY")
    for region, reason in [(africa, recruitment), (africa, recruitment), (americas, security), (africa, security)]:
        (alert,) = make_alerts(1, region=region)
        Alert.objects.filter(pk=alert.pk).update(state=AlertState.EXPLAINED, slippage_reason=reason)
    make_alerts(1)  # not explained: not counted
    with django_assert_max_num_queries(12):
        response = client.get(reverse("alerts:slippage"))
    analysis = response.context["analysis"]
    assert analysis.explained == 4
    totals = {reason.code: count for reason, count in analysis.totals}
    assert (totals["RECRUITMENT"], totals["SECURITY"], totals["OTHER"]) == (2, 2, 0)
    reasons = [reason.code for reason in analysis.reasons]
    by_region = {label: counts for label, counts, _total in analysis.by_dimension["region"]}
    assert by_region[africa.name][reasons.index("RECRUITMENT")] == 2
    assert by_region[americas.name][reasons.index("SECURITY")] == 1
    assert [total for _l, _c, total in analysis.by_dimension["source"]] == [4]
    assert [total for _l, _c, total in analysis.by_dimension["objective"]] == [4]
    chart = json.loads(re.search(r'id="slippage-data"[^>]*>(.*?)</script>', response.content.decode()).group(1))
    assert chart["counts"][reasons.index("RECRUITMENT")] == 2


def test_slippage_analysis_in_french_names_regions_and_reasons_in_french(client, officer):
    africa = RegionFactory(code="AFRICA", name_en="Africa", name_fr="Afrique", name_es="África")
    (alert,) = make_alerts(1, region=africa)
    Alert.objects.filter(pk=alert.pk).update(state=AlertState.EXPLAINED,
                                             slippage_reason=SlippageReason.objects.get(code="RECRUITMENT"))
    officer.language = "fr"
    officer.save(update_fields=["language"])
    response = client.get(reverse("alerts:slippage"))
    assert [label for label, _c, _t in response.context["analysis"].by_dimension["region"]] == ["Afrique"]
    page = response.content.decode()
    assert "Retards de recrutement" in page and "Recruitment delays" not in page


@pytest.mark.parametrize("name", ["alerts:run", "alerts:mail", "alerts:rules"])
def test_admin_pages_are_for_administrators(client, officer, name):
    assert client.get(reverse(name)).status_code == 403


def test_run_page_enqueues_scan_and_digests(admin_client, django_capture_on_commit_callbacks):
    official = UserFactory(username="ama", first_name="Ama", last_name="Mensah", digest_frequency="DAILY")
    project(planned_start=dt.date(2020, 1, 1), planned_end=dt.date(2021, 1, 1), responsible_official=official)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(reverse("alerts:run"), {"what": "scan"})
    assert response.status_code == 302 and len(callbacks) >= 1
    assert Alert.objects.filter(rule__code="PAST_END", severity="RED").exists()
    # The same day: the digest of the day so far goes out at once, and the page says to whom.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(reverse("alerts:run"), {"what": "digests"}, follow=True)
    assert len(callbacks) == 1
    assert DigestSend.objects.filter(recipient=official, frequency="DAILY").count() == 1
    text = response.content.decode()
    assert "1 e-mail queued for the worker, to Ama Mensah &lt;ama@tcms.example.org&gt;" in text
    # Again: nothing new to send, and the page says why.
    response = admin_client.post(reverse("alerts:run"), {"what": "digests"}, follow=True)
    text = response.content.decode()
    assert "no alert was raised or changed in this window" in text or "it is not sent twice" in text
    assert DigestSend.objects.count() == 1


def test_run_page_says_why_no_digest_goes_out(admin_client, django_capture_on_commit_callbacks):
    project(planned_start=dt.date(2020, 1, 1), planned_end=dt.date(2021, 1, 1))  # nobody follows it
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("alerts:run"), {"what": "scan"})
    text = admin_client.post(reverse("alerts:run"), {"what": "digests"}, follow=True).content.decode()
    assert "but nobody follows" in text
    assert not DigestSend.objects.exists()


def test_run_page_takes_an_as_of_date_and_refuses_one_after_today(admin_client, settings,
                                                                   django_capture_on_commit_callbacks):
    settings.TCMS_TODAY = dt.date(2001, 10, 31)
    project(planned_start=dt.date(1999, 1, 1), planned_end=dt.date(2000, 6, 30))
    page = admin_client.get(reverse("alerts:run"))
    assert page.context["form"]["as_of"].initial == dt.date(2001, 10, 31)
    response = admin_client.post(reverse("alerts:run"), {"what": "scan", "as_of": "2001-11-01"})
    assert response.status_code == 400 and "Give today (31/10/2001) or an earlier day" in response.content.decode()
    assert not Alert.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("alerts:run"), {"what": "scan", "as_of": "2001-03-31"})
    assert set(Alert.objects.values_list("period", "raised_on")) == {(2001, dt.date(2001, 3, 31))}


def test_mail_page_lists_digests_and_reads_files(admin_client, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    (tmp_path / "20261130-060000-1.log").write_text("Subject: [TCMS] digest\n\nHello")
    (alert,) = make_alerts(1)
    digest = DigestSend.objects.create(recipient=UserFactory(), frequency="WEEKLY", period_key="2026-W48",
                                       status=DigestStatus.SENDING, body_text="Hello there",
                                       claimed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    digest.alerts.add(alert)
    page = admin_client.get(reverse("alerts:mail"))
    assert page.status_code == 200 and b"20261130-060000-1.log" in page.content
    assert "23/11/2026 06:00 – 30/11/2026 06:00 (UTC)" in page.content.decode()  # the week 2026-W48, as dates
    assert list(page.context["uncertain"]) == [digest]
    assert b"Hello" in admin_client.get(reverse("alerts:mail"), {"file": "20261130-060000-1.log"}).content
    assert admin_client.get(reverse("alerts:mail"), {"file": "../secret_key"}).status_code == 404
    assert b"Hello there" in admin_client.get(reverse("alerts:mail_detail", args=[digest.pk])).content
    admin_client.post(reverse("alerts:mail_detail", args=[digest.pk]))
    digest.refresh_from_db()
    assert digest.status == DigestStatus.FAILED


def test_rule_page_edits_thresholds(admin_client):
    url = reverse("alerts:rule_edit", args=["PAST_END"])
    assert admin_client.get(url).status_code == 200
    data = {"name": "Past end", "enabled": "on", "amber_threshold": "10", "red_threshold": "5", "params": "{}",
            "description": "x"}
    response = admin_client.post(url, data)
    assert response.status_code == 200 and b"must not be below" in response.content
    response = admin_client.post(url, {**data, "red_threshold": "120"})
    assert response.status_code == 302
    rule = Rule.objects.get(code="PAST_END")
    assert (rule.amber_threshold, rule.red_threshold) == (10, 120)
