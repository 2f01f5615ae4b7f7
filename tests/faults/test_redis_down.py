"""Redis down: pages and /healthz keep answering, and queued work waits in the outbox until Redis is back."""

import pytest
import redis
from django.db import transaction
from django.urls import reverse

from core import outbox
from core.models import TaskOutbox
from tcms.celery import app
from tests.factories import ProjectFactory, UserFactory
from tests.faults.servers import RedisServer

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _forget_broker_connections():
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def own_redis(tmp_path, settings):
    server = RedisServer(tmp_path)
    server.start()
    previous = (app.conf.broker_url, app.conf.broker_transport_options)
    settings.CELERY_BROKER_URL = server.url
    app.conf.broker_url = server.url
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    app.conf.broker_connection_timeout = 2
    app.conf.task_always_eager = False  # these tests are about the real broker
    _forget_broker_connections()  # connections to the previous broker must not be reused
    try:
        yield server
    finally:
        server.stop()
        app.conf.broker_url, app.conf.broker_transport_options = previous
        _forget_broker_connections()


def _queued(server) -> int:
    return redis.Redis.from_url(server.url).llen("celery")


def test_redis_down_pages_answer_and_work_is_sent_when_it_returns(client, own_redis):
    user = UserFactory(username="during-outage", role="ADMIN")
    project = ProjectFactory()
    client.force_login(user)

    with transaction.atomic():
        outbox.enqueue("tcms.tasks.heartbeat")
    assert TaskOutbox.objects.get().sent_at is not None and _queued(own_redis) == 1

    own_redis.stop()
    with transaction.atomic():  # e.g. "run the scan now", a report request: the page's own write commits
        outbox.enqueue("alerts.tasks.send_digests", frequency="DAILY")
        outbox.enqueue("tcms.tasks.heartbeat")
    pending = TaskOutbox.objects.filter(sent_at__isnull=True)
    assert pending.count() == 2
    assert all(row.attempts == 1 and "Error" in row.last_error for row in pending)

    health = client.get(reverse("healthz"))
    assert health.status_code == 503 and health.json()["broker"]["ok"] is False
    assert health.json()["database"]["ok"] is True
    for url in (reverse("home"), reverse("projects:list"), reverse("projects:detail", args=[project.pk]),
                reverse("alerts:list"), "/api/v1/"):
        assert client.get(url).status_code == 200, url
    assert outbox.relay_outbox() == {"sent": 0, "failed": 1, "pending": 2}

    own_redis.start()
    assert outbox.relay_outbox() == {"sent": 2, "failed": 0, "pending": 0}
    assert _queued(own_redis) == 2
    assert outbox.relay_outbox() == {"sent": 0, "failed": 0, "pending": 0}  # nothing is sent twice
    assert client.get(reverse("healthz")).json()["broker"]["ok"] is True


def test_nothing_is_queued_when_the_transaction_rolls_back(own_redis):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue("tcms.tasks.heartbeat")
        raise RuntimeError("the page's write failed")
    assert not TaskOutbox.objects.exists() and _queued(own_redis) == 0


def test_eager_mode_runs_the_task_in_process(settings):
    from core.models import WorkerHeartbeat

    app.conf.task_always_eager = True
    with transaction.atomic():
        outbox.enqueue("tcms.tasks.heartbeat")
    assert TaskOutbox.objects.get().sent_at is not None and WorkerHeartbeat.objects.count() == 1


def test_a_dead_publishers_claim_is_taken_over(own_redis, time_machine):
    time_machine.move_to("2026-11-27 09:00:00+00:00", tick=False)
    row = TaskOutbox.objects.create(task="tcms.tasks.heartbeat")
    TaskOutbox.objects.filter(pk=row.pk).update(claimed_at="2026-11-27 08:59:30+00:00")
    assert outbox.relay_outbox()["sent"] == 0  # claimed 30 s ago: its publisher may still be at work
    time_machine.move_to("2026-11-27 09:05:00+00:00", tick=False)
    assert outbox.relay_outbox()["sent"] == 1 and _queued(own_redis) == 1
