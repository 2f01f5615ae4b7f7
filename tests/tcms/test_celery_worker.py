"""A real Celery worker runs a task through the embedded broker and through Redis."""

import os
import uuid

import pytest
from celery import Celery

from tests.tcms.celery_worker import running_worker, wait_for_file

pytestmark = pytest.mark.integration


def _send_probe(broker_url: str, transport_options: dict, target) -> str:
    token = uuid.uuid4().hex
    client = Celery("probe-client", broker=broker_url)
    client.conf.broker_transport_options = transport_options
    client.send_task("tcms.tasks.probe", args=[token, str(target)])
    return token


def test_worker_runs_task_through_embedded_filesystem_broker(tmp_path):
    var_dir = tmp_path / "var"
    env = {"TCMS_VAR_DIR": str(var_dir), "CELERY_BROKER_URL": "filesystem://", "DATABASE_URL": ""}
    with running_worker(env=env, log_path=tmp_path / "worker.log"):
        folder = str(var_dir / "broker" / "out")
        options = {"data_folder_in": folder, "data_folder_out": folder,
                   "control_folder": str(var_dir / "broker" / "control")}
        token = _send_probe("filesystem://", options, tmp_path / "done")
        assert wait_for_file(tmp_path / "done", token), (tmp_path / "worker.log").read_text()[-2000:]


@pytest.mark.usefixtures("test_redis_turn")
def test_worker_runs_task_through_redis(tmp_path):
    redis_url = os.environ.get("TCMS_TEST_REDIS_URL")
    if not redis_url:
        if os.environ.get("TCMS_REQUIRE_REDIS_TESTS"):
            pytest.fail("TCMS_REQUIRE_REDIS_TESTS is set but TCMS_TEST_REDIS_URL is not")
        pytest.skip("no Redis configured (set TCMS_TEST_REDIS_URL); CI always sets it")
    env = {"TCMS_VAR_DIR": str(tmp_path / "var"), "CELERY_BROKER_URL": redis_url, "DATABASE_URL": ""}
    with running_worker(env=env, log_path=tmp_path / "worker.log"):
        token = _send_probe(redis_url, {}, tmp_path / "done")
        assert wait_for_file(tmp_path / "done", token), (tmp_path / "worker.log").read_text()[-2000:]
