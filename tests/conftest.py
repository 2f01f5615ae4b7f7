import fcntl
import gc
import hashlib
import os
import tempfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test.utils import override_settings
from hypothesis import settings as hypothesis_settings

from tests import isolation, ordering, template_database
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

DURATIONS = ordering.Recorder(Path(settings.VAR_DIR) / ordering.DURATIONS_FILE, ordering.BASELINE)


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_modify_db_settings,
                    django_db_createdb):
    """Each test process copies its test database from a template migrated once (tests/template_database.py),
    rather than migrating its own; it is destroyed at the end as pytest-django's would be."""
    from django.test.utils import teardown_databases

    workerinput = getattr(request.config, "workerinput", {})
    # --create-db: one fresh template for this run, built by whichever worker comes first.
    rebuild_run = (workerinput.get("testrunuid") or uuid.uuid4().hex) if django_db_createdb else None
    verbosity = max(request.config.option.verbose, 0)
    with django_db_blocker.unblock():
        old_config = template_database.set_up(worker=workerinput.get("workerid"), rebuild_run=rebuild_run,
                                              verbosity=verbosity)
    yield
    with django_db_blocker.unblock():
        teardown_databases(old_config, verbosity=verbosity)


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
def _eager_celery_and_media(tmp_path):
    """Every test in isolation (tests/isolation.py): tasks in-process, files and mail in its temporary folder."""
    with isolation.isolated(tmp_path):
        yield


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language. A request through the test client activates the language it
    asked for (LocaleMiddleware) in this thread and leaves it active, so without this a test after a French page
    would read French names."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    template_database.keep_serialized_contents()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    template_database.keep_serialized_contents()  # the flush after a transactional test reads it too


def pytest_configure(config):
    """The garbage collector runs less often: with Python's default (a young-generation pass every 700
    allocations) it took about a tenth of each test process's time."""
    gc.set_threshold(10_000, 10, 10)


def pytest_collection_finish(session):
    """What lives for the whole run (Django, the libraries, the collected tests) is set aside from the garbage
    collector, so that its passes over the old generation do not scan it again and again."""
    gc.collect()
    gc.freeze()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist's controller gives every worker the same recorded durations, so that they order alike."""
    node.workerinput["test_durations"] = DURATIONS.load()


def pytest_runtest_logreport(report):
    DURATIONS.add(report)


def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):  # the controller (or the only process) has every report
        DURATIONS.save()


@pytest.hookimpl(tryfirst=True)  # before pytest-django's own sort (tests/ordering.py)
def pytest_collection_modifyitems(config, items):
    """The slowest modules first (tests/ordering.py); every transactional test rolls back by re-loading the
    serialized database.

    A transactional test empties every table when it ends. Without serialized rollback, the rows that
    migrations seed (early-warning rules, slippage reasons, required-evaluation rules) are lost for the
    tests after it, and Django re-creates content types that a later serialized-rollback test then loads a
    second time (duplicate key). Treating every transactional test alike avoids both.
    """
    ordering.order(items, getattr(config, "workerinput", {}).get("test_durations") or DURATIONS.load())
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
