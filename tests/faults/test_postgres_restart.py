"""PostgreSQL restarted under a running web server: the very next request works again, with no restart of ours.

The server keeps its connection between requests (CONN_MAX_AGE); CONN_HEALTH_CHECKS makes Django test it before
use and open a new one when the database went away, so no request fails after the restart.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.faults.servers import PostgresServer, free_port, wait_port

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(settings.DATABASE_IS_SQLITE and not os.environ.get("TCMS_REQUIRE_PG_FAULT_TESTS"),
                       reason="runs where PostgreSQL is the database (DATABASE_URL) or TCMS_REQUIRE_PG_FAULT_TESTS"),
]


def _database_health(port: int) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            body = response.read()
    except urllib.error.HTTPError as error:  # 503 while the worker is absent: the body still says why
        body = error.read()
    return json.loads(body)["database"]


def test_web_server_recovers_after_postgresql_restart(tmp_path):
    # Not under tmp_path: pytest's base folder is private to the user, and the server runs as postgres.
    cluster = Path(tempfile.mkdtemp(prefix="tcms-fault-pg-"))
    database = PostgresServer(cluster)
    database.init()
    database.start()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database.url, "DB_CONN_MAX_AGE": "600", "TCMS_VAR_DIR": str(tmp_path / "var"),
           "CELERY_BROKER_URL": "", "LOG_LEVEL": "WARNING", "DEBUG": "0"}
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "tcms.wsgi:application", "--bind", f"127.0.0.1:{port}",
                            "--workers", "1", "--threads", "1", "--timeout", "30"], cwd=settings.BASE_DIR, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_port(port, timeout=30)
        assert _database_health(port)["ok"] is True
        started = time.monotonic()
        database.stop()
        database.start()
        # The kept connection died with the old server: the first request after the restart must still work.
        assert _database_health(port)["ok"] is True, "the first request after the restart failed"
        database.stop()
        assert _database_health(port)["ok"] is False  # while down: an answer, not a crash
        database.start()
        assert _database_health(port)["ok"] is True
        assert time.monotonic() - started < 60
    finally:
        web.terminate()
        try:
            web.wait(timeout=10)
        except subprocess.TimeoutExpired:
            web.kill()
        database.stop()
        shutil.rmtree(cluster, ignore_errors=True)
