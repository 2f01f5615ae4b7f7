"""The scheduled scan through a real Celery worker (Redis when TCMS_TEST_REDIS_URL is set, as in CI; otherwise the
embedded filesystem broker), on the test database: alerts are raised and the immediate red mail goes out."""

import datetime as dt
import os
import time

import pytest
from celery import Celery
from django.conf import settings
from django.utils import timezone

from accounts.models import DigestFrequency
from alerts.models import Alert, DigestSend, DigestStatus
from tcms.schedule import beat_schedule
from tests.alerts.factories import only_rules, project
from tests.factories import UserFactory
from tests.tcms.celery_worker import running_worker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _wait_for(predicate, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


@pytest.mark.usefixtures("test_redis_turn")
def test_scheduled_scan_runs_in_a_real_worker_and_mails_red_alerts_at_once(tmp_path):
    only_rules("PAST_END")
    official = UserFactory(username="official", digest_frequency=DigestFrequency.IMMEDIATE_RED, language="fr")
    today = timezone.now().date()
    late = project(planned_start=today - dt.timedelta(days=800), planned_end=today - dt.timedelta(days=120),
                   responsible_official=official)

    redis_url = os.environ.get("TCMS_TEST_REDIS_URL")
    broker = redis_url or "filesystem://"
    var_dir, mail_dir = tmp_path / "var", tmp_path / "mail"
    env = {"TCMS_VAR_DIR": str(var_dir), "CELERY_BROKER_URL": broker, "DATABASE_URL": _test_database_url(),
           "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(mail_dir),
           "CELERY_TASK_ALWAYS_EAGER": ""}
    entry = beat_schedule()["alerts-scan-early-warnings"]
    with running_worker(env=env, log_path=tmp_path / "worker.log"):
        client = Celery("scheduler-client", broker=broker)
        if not redis_url:
            folder = str(var_dir / "broker" / "out")
            client.conf.broker_transport_options = {"data_folder_in": folder, "data_folder_out": folder}
        client.send_task(entry["task"], args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
        log = tmp_path / "worker.log"
        assert _wait_for(lambda: Alert.objects.filter(project=late).exists()), log.read_text()[-3000:]
        assert _wait_for(lambda: DigestSend.objects.filter(status=DigestStatus.SENT).exists()), log.read_text()[-3000:]
    alert = Alert.objects.get(project=late)
    assert (alert.rule.code, alert.severity, alert.raised_on) == ("PAST_END", "RED", today)
    digest = DigestSend.objects.get()
    assert (digest.recipient, digest.frequency, digest.attempts, digest.language) == (official, "IMMEDIATE", 1, "fr")
    files = list(mail_dir.iterdir())
    assert len(files) == 1 and late.symbol in files[0].read_text()
