import fcntl
import hashlib
import os
import tempfile
from pathlib import Path

import pytest
from django.test.utils import override_settings
from hypothesis import settings as hypothesis_settings

from tests.browser import chromium

# CI tries the same examples on every run, so that a landing does not depend on the draw; runs elsewhere explore
# new ones (HYPOTHESIS_PROFILE unset).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Celery reads the CELERY_BROKER_URL environment variable in preference to any broker an app is given
# (celery.app.utils.Settings.broker_url). Tests that start their own worker or Redis pass the broker
# explicitly; a variable left in the environment (e.g. by a shell that runs the application) would
# silently send their tasks elsewhere. The settings module has already read it, if it was wanted.
os.environ.pop("CELERY_BROKER_URL", None)
# Tests run on the real date (core/clock.py), even from a shell that set TCMS_TODAY (e.g. for the demo), and so do
# the processes they start; a test that needs another day sets settings.TCMS_TODAY (or moves time with time-machine).
os.environ.pop("TCMS_TODAY", None)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    """Every test hashes passwords with MD5: the production hasher's cost (about a third of a second per hash on
    these machines, for every user a factory makes and every sign-in) is not what any test measures."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def test_redis_turn():
    """Tests that start a Celery worker on the Redis database of TCMS_TEST_REDIS_URL take turns, across pytest-xdist
    workers and test runs: it is one queue, and a worker started by one test could take another's task."""
    url = os.environ.get("TCMS_TEST_REDIS_URL", "")
    if not url:
        yield
        return
    name = hashlib.sha1(url.encode()).hexdigest()[:12]
    with (Path(tempfile.gettempdir()) / f"tcms-test-redis-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(autouse=True)
def _eager_celery_and_media(settings, tmp_path):
    """Unit tests run tasks in-process and keep uploads (public and private) and mail in a temporary folder.

    Integration tests that need a real worker start one explicitly (tests/tcms/celery_worker.py).
    """
    from django.core.cache import cache

    from tcms.celery import app

    cache.clear()  # e.g. the dashboard's cached filter options must not outlive the test that created them
    settings.TCMS_TODAY = None  # the real date, whatever the settings read from the environment
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    yield
    app.conf.task_always_eager = False


def pytest_collection_modifyitems(items):
    """Every transactional test rolls back by re-loading the serialized database.

    A transactional test empties every table when it ends. Without serialized rollback, the rows that
    migrations seed (early-warning rules, slippage reasons, required-evaluation rules) are lost for the
    tests after it, and Django re-creates content types that a later serialized-rollback test then loads a
    second time (duplicate key). Treating every transactional test alike avoids both.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None or not marker.kwargs.get("transaction"):
            continue
        if marker.kwargs.get("serialized_rollback"):
            continue
        item.add_marker(pytest.mark.django_db(**{**marker.kwargs, "serialized_rollback": True}), append=False)


def pytest_terminal_summary(terminalreporter):
    """One line for the browser tests skipped for want of Chromium (tests/browser/chromium.py), rather than a skip
    reason per test that only -rs would show."""
    skipped = [report for report in terminalreporter.stats.get("skipped", [])
               if isinstance(report.longrepr, tuple) and chromium.MISSING in str(report.longrepr[2])]
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} browser tests skipped: {chromium.MISSING}", yellow=True, bold=True)
