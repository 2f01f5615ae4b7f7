"""Digests: windows, recipients, language, exactly-once delivery (also through a real SMTP server), schedule."""

import datetime as dt
from email import message_from_bytes

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail

from accounts.models import DigestFrequency, Role
from alerts import services
from alerts.models import Alert, DigestSend, DigestStatus, Rule
from alerts.services import digest_window, scan
from alerts.tasks import deliver_digest, send_digests, send_immediate_red
from tests.alerts.factories import member, only_rules, project
from tests.factories import UnitFactory, UserFactory
from tests.faults.servers import free_port

pytestmark = pytest.mark.django_db
UTC = dt.UTC
TUESDAY_SCAN = dt.datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
WEDNESDAY_DIGEST = dt.datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
MONDAY_DIGEST = dt.datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


def test_digest_windows():
    daily = digest_window(frequency="DAILY", now=dt.datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    assert (daily.key, daily.start, daily.end) == (
        "2026-11-24", dt.datetime(2026, 11, 24, 6, tzinfo=UTC), dt.datetime(2026, 11, 25, 6, tzinfo=UTC))
    assert digest_window(frequency="DAILY", now=dt.datetime(2026, 11, 25, 5, 59, tzinfo=UTC)).key == "2026-11-23"
    assert digest_window(frequency="WEEKLY", now=dt.datetime(2026, 11, 30, 5, 59, tzinfo=UTC)).key == "2026-W47"
    weekly = digest_window(frequency="WEEKLY", now=MONDAY_DIGEST)
    assert (weekly.key, weekly.start, weekly.end) == (
        "2026-W48", dt.datetime(2026, 11, 23, 6, tzinfo=UTC), MONDAY_DIGEST)
    # Across a year end: ISO week 53 of 2026 starts on Monday 28 December.
    assert digest_window(frequency="WEEKLY", now=dt.datetime(2027, 1, 4, 7, tzinfo=UTC)).key == "2026-W53"


@pytest.fixture
def portfolio():
    """Two projects of unit RESP; the first backstopped by unit BACK. Who hears about what is the point."""
    only_rules("PAST_END")
    responsible, backstopping = UnitFactory(code="RESP"), UnitFactory(code="BACK")
    people = {
        "official": UserFactory(username="official", language="en", digest_frequency=DigestFrequency.WEEKLY),
        "manager": UserFactory(username="manager", role=Role.MANAGER, language="fr",
                               digest_frequency=DigestFrequency.WEEKLY),
        "focal": UserFactory(username="focal", language="es", digest_frequency=DigestFrequency.DAILY),
        "quiet_focal": UserFactory(username="quiet_focal", digest_frequency=DigestFrequency.DAILY),
        "plain_member": UserFactory(username="plain_member", digest_frequency=DigestFrequency.DAILY),
        "unsubscribed": UserFactory(username="unsubscribed", role=Role.MANAGER, digest_frequency=DigestFrequency.NONE),
    }
    member(people["manager"], responsible, is_manager=True)
    member(people["unsubscribed"], responsible, is_manager=True)
    member(people["focal"], backstopping, is_focal_point=True)
    member(people["quiet_focal"], backstopping, is_focal_point=True, receives_digest=False)
    member(people["plain_member"], responsible)
    member(people["plain_member"], backstopping)
    first = project(symbol="RLA/12/01/USA", responsible_unit=responsible, backstopping_unit=backstopping,
                    responsible_official=people["official"], planned_start=dt.date(2024, 1, 1),
                    planned_end=dt.date(2026, 10, 1))
    second = project(symbol="INT/98/M07/USA", responsible_unit=responsible, planned_start=dt.date(2024, 1, 1),
                     planned_end=dt.date(2026, 11, 1))
    with time_machine.travel(TUESDAY_SCAN, tick=False):
        scan(as_of=TUESDAY_SCAN.date(), notify=False)
    return people, first, second


def _by_recipient():
    return {message.to[0].split("@")[0]: message for message in mail.outbox}


def test_weekly_digest_one_mail_per_recipient_with_their_alerts_in_their_language(portfolio):
    people, first, second = portfolio
    with time_machine.travel(MONDAY_DIGEST, tick=False):
        send_digests(frequency="WEEKLY")
    sent = _by_recipient()
    assert set(sent) == {"official", "manager"}
    assert "RLA/12/01/USA" in sent["official"].body and "INT/98/M07/USA" not in sent["official"].body
    assert "RLA/12/01/USA" in sent["manager"].body and "INT/98/M07/USA" in sent["manager"].body
    manager_mail = sent["manager"]
    assert manager_mail.extra_headers["Content-Language"] == "fr"
    html, mimetype = manager_mail.alternatives[0]
    assert mimetype == "text/html" and '<html lang="fr">' in html
    alert = Alert.objects.get(project=first)
    assert f"http://testserver.example/alerts/{alert.pk}/" in manager_mail.body
    assert f'href="http://testserver.example/alerts/{alert.pk}/"' in html
    assert "http://testserver.example/accounts/profile/" in manager_mail.body  # where the frequency is chosen
    assert 'href="http://testserver.example/accounts/profile/"' in html
    assert "23/11/2026 06:00 – 30/11/2026 06:00 (UTC)" in manager_mail.subject  # the week as people read it
    assert sent["official"].extra_headers["Content-Language"] == "en"
    record = DigestSend.objects.get(recipient=people["manager"])
    assert (record.frequency, record.period_key, record.status, record.attempts) == ("WEEKLY", "2026-W48", "SENT", 1)
    assert set(record.alerts.all()) == set(Alert.objects.all())
    assert record.message_id == manager_mail.extra_headers["Message-ID"]
    assert record.message_id == f"<tcms-digest-{record.pk}@testserver.example>"


def test_digest_names_the_rule_in_the_recipients_language(portfolio):
    with time_machine.travel(MONDAY_DIGEST, tick=False):
        send_digests(frequency="WEEKLY")
    sent = _by_recipient()
    french_html, _mimetype = sent["manager"].alternatives[0]
    for text in (sent["manager"].body, french_html):
        assert "Date de fin dépassée mais projet non clos" in text
        assert "Past its end date but not closed" not in text
    assert "Past its end date but not closed" in sent["official"].body


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.TCMS_BASE_URL = "http://testserver.example"


def test_daily_digest_goes_to_daily_users_and_only_for_their_window(portfolio):
    people, first, _second = portfolio
    with time_machine.travel(dt.datetime(2026, 11, 24, 6, 30, tzinfo=UTC), tick=False):
        send_digests(frequency="DAILY")  # the window 23 Nov 06:00 → 24 Nov 06:00 holds Tuesday 05:00's scan
    assert [m.to[0] for m in mail.outbox] == [people["focal"].email]
    focal_mail = mail.outbox[0]
    assert focal_mail.extra_headers["Content-Language"] == "es" and "23/11/2026 06:00" in focal_mail.subject
    assert "RLA/12/01/USA" in focal_mail.body and "INT/98/M07/USA" not in focal_mail.body
    with time_machine.travel(WEDNESDAY_DIGEST, tick=False):
        send_digests(frequency="DAILY")  # nothing happened in the next window
    assert len(mail.outbox) == 1


def test_task_run_twice_sends_one_mail(portfolio):
    with time_machine.travel(MONDAY_DIGEST, tick=False):
        send_digests(frequency="WEEKLY")
        send_digests(frequency="WEEKLY")
    with time_machine.travel(MONDAY_DIGEST + dt.timedelta(hours=5), tick=False):
        send_digests()
    assert sorted(m.to[0].split("@")[0] for m in mail.outbox) == ["manager", "official"]
    assert DigestSend.objects.filter(frequency="WEEKLY").count() == 2


def test_a_claimed_digest_is_never_sent_again(portfolio):
    """The worker died after the relay accepted the mail and before marking it SENT: the row stays SENDING."""
    people, _first, _second = portfolio
    with time_machine.travel(MONDAY_DIGEST, tick=False):
        services.digests_plan(frequency="WEEKLY", now=MONDAY_DIGEST)
    digest = DigestSend.objects.get(recipient=people["manager"])
    DigestSend.objects.filter(pk=digest.pk).update(status=DigestStatus.SENDING, attempts=1)
    assert deliver_digest(digest.pk) == "skipped"   # e.g. the broker redelivering the task (acks_late)
    send_digests(frequency="WEEKLY")
    assert [m.to[0].split("@")[0] for m in mail.outbox] == ["official"]
    digest.refresh_from_db()
    assert (digest.status, digest.attempts) == (DigestStatus.SENDING, 1)


def test_immediate_mail_for_a_new_red_alert(django_capture_on_commit_callbacks):
    only_rules("PAST_END")
    unit = UnitFactory(code="RESP")
    eager = UserFactory(username="eager", digest_frequency=DigestFrequency.IMMEDIATE_RED, language="fr")
    weekly = UserFactory(username="weekly", role=Role.MANAGER, digest_frequency=DigestFrequency.WEEKLY)
    member(weekly, unit, is_manager=True)
    p = project(responsible_unit=unit, responsible_official=eager, planned_start=dt.date(2024, 1, 1),
                planned_end=dt.date(2026, 9, 1))
    with django_capture_on_commit_callbacks(execute=True):
        scan(as_of=dt.date(2026, 9, 15))   # amber: no immediate mail
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        result = scan(as_of=dt.date(2026, 12, 15))   # red now
    assert result.escalated == 1
    assert [m.to[0] for m in mail.outbox] == [eager.email]
    assert mail.outbox[0].extra_headers["Content-Language"] == "fr"
    assert p.symbol in mail.outbox[0].body
    send_immediate_red(alert_ids=result.red_alert_ids)  # the same task again: nothing more
    assert len(mail.outbox) == 1
    assert DigestSend.objects.get().frequency == "IMMEDIATE"


# ----------------------------------------------------------------------------------------- real SMTP server


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"


@pytest.mark.integration
def test_smtp_down_then_up_each_digest_delivered_exactly_once(portfolio, settings):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = False
    with time_machine.travel(MONDAY_DIGEST, tick=False):
        send_digests(frequency="WEEKLY")   # nothing listens: the attempt fails and a retry is due
    failed = list(DigestSend.objects.order_by("pk"))
    assert [(d.status, d.attempts) for d in failed] == [(DigestStatus.FAILED, 1)] * 2
    assert all("Connection refused" in d.last_error or "Errno" in d.last_error for d in failed)

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with time_machine.travel(MONDAY_DIGEST + dt.timedelta(hours=1), tick=False):
            send_digests()   # the next run retries what failed
            send_digests()
        for digest in failed:
            deliver_digest(digest.pk)   # a duplicated task finds the row SENT
    finally:
        controller.stop()
    recipients = sorted(message["To"] for message in sink.messages)
    assert recipients == sorted(d.recipient.email for d in failed)
    assert all(d.status == DigestStatus.SENT for d in DigestSend.objects.all())
    by_to = {message["To"]: message for message in sink.messages}
    manager_message = by_to[DigestSend.objects.get(recipient__username="manager").recipient.email]
    assert manager_message["Content-Language"] == "fr"
    assert manager_message.is_multipart()
    assert [part.get_content_type() for part in manager_message.get_payload()] == ["text/plain", "text/html"]
    assert [d.attempts for d in DigestSend.objects.order_by("pk")] == [2, 2]


def test_delivery_retries_with_exponential_backoff():
    """The countdowns themselves are Celery's (retry_backoff); here: the task is wired for them."""
    from celery.utils.time import get_exponential_backoff_interval

    assert deliver_digest.autoretry_for == (services.DigestDeliveryError,)
    assert (deliver_digest.retry_backoff, deliver_digest.retry_backoff_max, deliver_digest.max_retries) == (30, 1800, 5)
    countdowns = [get_exponential_backoff_interval(factor=30, retries=n, maximum=1800, full_jitter=False)
                  for n in range(6)]
    assert countdowns == [30, 60, 120, 240, 480, 960]


# -------------------------------------------------------------------------------------------------- schedule


def test_schedule_runs_scan_daily_and_digests_daily_and_on_monday(settings):
    from tcms.celery import app
    from tcms.schedule import beat_schedule

    entries = {name: entry for name, entry in beat_schedule().items() if name.startswith("alerts-")}
    assert {entry["task"] for entry in entries.values()} == {"alerts.tasks.scan_early_warnings",
                                                             "alerts.tasks.send_digests"}
    start = dt.datetime(2026, 11, 22, 0, 30, tzinfo=UTC)   # a Sunday
    last_run = dict.fromkeys(entries, start)
    fired = []
    for hour in range(1, 7 * 24 + 1):   # Sunday 01:30 to the next Sunday 00:30, hour by hour
        moment = start + dt.timedelta(hours=hour)
        with time_machine.travel(moment, tick=False):
            for name, entry in entries.items():
                schedule = entry["schedule"]
                schedule.app = app
                if schedule.is_due(last_run[name]).is_due:
                    fired.append((name, moment.strftime("%a %H:%M")))
                    last_run[name] = moment
    assert [when for name, when in fired if name == "alerts-weekly-digests"] == ["Mon 06:30"]
    days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    assert [when for name, when in fired if name == "alerts-daily-digests"] == [f"{day} 06:30" for day in days]
    assert [when for name, when in fired if name == "alerts-scan-early-warnings"] == [f"{day} 05:30" for day in days]


def test_text_stored_with_a_control_character_reaches_the_digest_without_it(portfolio):
    """Text stored before TCMS refused control characters: the mail (and its stored copy) holds none of them."""
    people, first, second = portfolio
    Rule.objects.filter(code="PAST_END").update(name="Past\x0b its end\x01")
    type(people["official"]).objects.filter(pk=people["official"].pk).update(first_name="Ada\x01", last_name="L")
    with time_machine.travel(MONDAY_DIGEST, tick=False):
        send_digests(frequency="WEEKLY")
    sent = _by_recipient()["official"]
    html, _mimetype = sent.alternatives[0]
    for text in (sent.subject, sent.body, html, DigestSend.objects.get(recipient=people["official"]).body_text):
        assert "\x0b" not in text and "\x01" not in text
    assert "Past its end" in sent.body and "Past its end" in html and "Dear Ada L," in sent.body


def test_send_now_mails_the_day_so_far_and_later_digests_only_what_came_after(admin_user):
    """Send digests now on the day alerts are raised: the day so far goes out at once; a second "now" and the
    scheduled digest of the whole day carry only later changes, so nothing is mailed twice and nothing is lost."""
    only_rules("PAST_END")
    focal = UserFactory(username="focal", digest_frequency=DigestFrequency.DAILY)
    first = project(symbol="RLA/12/01/USA", responsible_official=focal, planned_start=dt.date(2024, 1, 1),
                    planned_end=dt.date(2026, 10, 1))
    with time_machine.travel(dt.datetime(2026, 11, 24, 9, 0, tzinfo=UTC), tick=False):
        scan(as_of=dt.date(2026, 11, 24))
    with time_machine.travel(dt.datetime(2026, 11, 24, 9, 5, tzinfo=UTC), tick=False):
        run = services.digests_send_now(as_of=dt.date(2026, 11, 24), user=admin_user)
    (daily, _weekly) = run.plans
    assert [user.username for user in daily.recipients] == ["focal"]
    (digest,) = DigestSend.objects.filter(recipient=focal)
    assert list(digest.alerts.values_list("project__symbol", flat=True)) == ["RLA/12/01/USA"]
    with time_machine.travel(dt.datetime(2026, 11, 24, 15, 0, tzinfo=UTC), tick=False):
        project(symbol="INT/98/M07/USA", responsible_official=focal, planned_start=dt.date(2024, 1, 1),
                planned_end=dt.date(2026, 11, 1))
        scan(as_of=dt.date(2026, 11, 24))
    with time_machine.travel(dt.datetime(2026, 11, 24, 15, 5, tzinfo=UTC), tick=False):
        services.digests_send_now(as_of=dt.date(2026, 11, 24), user=admin_user)
    with time_machine.travel(dt.datetime(2026, 11, 25, 6, 30, tzinfo=UTC), tick=False):
        send_digests(frequency="DAILY")  # the whole day 24 Nov 06:00 → 25 Nov 06:00: nothing after 15:00
    sent = [list(d.alerts.values_list("project__symbol", flat=True))
            for d in DigestSend.objects.filter(recipient=focal).order_by("pk")]
    assert sent == [["RLA/12/01/USA"], ["INT/98/M07/USA"]]
    assert first.alerts.count() == 1


def test_send_now_refuses_a_day_after_today_and_a_non_administrator():
    from django.core.exceptions import PermissionDenied, ValidationError

    admin = UserFactory(username="boss", role=Role.ADMIN)
    with pytest.raises(ValidationError):
        services.digests_send_now(as_of=dt.date.max, user=admin)
    with pytest.raises(PermissionDenied):
        services.digests_send_now(as_of=dt.date(2001, 1, 1), user=UserFactory(username="clerk"))
