"""A worker killed (SIGKILL) in the middle of sending a digest: the task is handed out again (acks_late +
reject_on_worker_lost, Redis visibility timeout), and the new worker sends no second mail."""

import asyncio
import datetime as dt
import os
import signal
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from celery import Celery
from django.conf import settings

from alerts.models import Alert, DigestSend, DigestStatus, Rule
from tests.factories import ProjectFactory, UserFactory
from tests.faults.servers import RedisServer, free_port
from tests.tcms.celery_worker import running_worker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VISIBILITY_SECONDS = 3


class SlowSink:
    """Accepts mail, but holds the first answer until released: the worker is killed while it waits."""

    def __init__(self):
        self.messages: list[bytes] = []
        self.entered = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.original_content)
        self.entered.set()
        while not self.release.is_set():
            await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_worker_killed_while_sending_a_digest_sends_no_second_mail(tmp_path):
    official = UserFactory(username="official", email="official@example.org")
    alert = Alert.objects.create(project=ProjectFactory(responsible_official=official),
                                 rule=Rule.objects.get(code="PAST_END"), period=2026, severity="RED",
                                 raised_on=dt.date(2026, 10, 31))
    digest = DigestSend.objects.create(recipient=official, frequency="DAILY", period_key="2026-11-26")
    digest.alerts.add(alert)

    redis = RedisServer(tmp_path)
    redis.start()
    sink = SlowSink()
    smtp_port = free_port()
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    env = {"TCMS_VAR_DIR": str(tmp_path / "var"), "CELERY_BROKER_URL": redis.url, "DATABASE_URL": _test_database_url(),
           "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
           "EMAIL_PORT": str(smtp_port), "EMAIL_TIMEOUT": "30", "CELERY_TASK_ALWAYS_EAGER": "",
           "TCMS_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS), "TCMS_BROKER_RESTORE_INTERVAL": "1",
           "TCMS_BROKER_RESTORE_THROTTLE": "1"}
    try:
        client = Celery("fault-client", broker=redis.url)
        with running_worker(env=env, log_path=tmp_path / "first.log") as first:
            client.send_task("alerts.tasks.deliver_digest", args=[digest.pk])
            assert sink.entered.wait(60), (tmp_path / "first.log").read_text()[-3000:]
            os.killpg(first.pid, signal.SIGKILL)  # mid-task: the message is with the relay, no answer yet
            first.wait(timeout=10)
        sink.release.set()
        digest.refresh_from_db()
        assert digest.status == DigestStatus.SENDING and digest.attempts == 1

        second_log = tmp_path / "second.log"
        with running_worker(env=env, log_path=second_log):
            # The unacknowledged task comes back once its visibility timeout has passed.
            assert _wait(lambda: "deliver_digest" in second_log.read_text() and "succeeded" in second_log.read_text(),
                         VISIBILITY_SECONDS + 30), second_log.read_text()[-3000:]
        assert "'skipped'" in second_log.read_text()
        digest.refresh_from_db()
        assert len(sink.messages) == 1, "the digest was mailed twice"
        assert digest.status == DigestStatus.SENDING and digest.attempts == 1  # uncertain: an admin may release it
    finally:
        sink.release.set()
        smtp.stop()
        redis.stop()
