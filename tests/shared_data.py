"""Rows built once for the tests of a module, each test still starting from them unchanged: Django's
TestCase.setUpTestData for pytest functions.

A module-scoped fixture builds the rows inside a transaction of its own, rolled back after the module's last test;
each test runs inside it (pytest-django's `db` makes a savepoint of its own transaction, rolled back after the test),
so what a test writes is undone. Each test gets a deep copy of the Python objects built (what it changes on them is
its own) and a copy of the files they stored, in its own media folders (tests/isolation.py).

Only for tests that do not need `transactional_db`: a transactional test ends by emptying the database.
pytest-django runs a module's transactional tests after all the others, so none comes while the rows are kept.

    shared_world = shared_data.module_fixture(World, name="shared_world")

    @pytest.fixture
    def world(shared_world, db, request):
        return shared_world.for_test(request)

(The module fixture is named among the test fixture's arguments so that pytest builds it before `db` opens the
test's transaction.)
"""

import copy
import shutil
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections, transaction

from tests.isolation import isolated


class Shared:
    def __init__(self, value, folder: Path):
        self.value = value
        self.folder = folder

    def for_test(self, request):
        marker = request.node.get_closest_marker("django_db")
        transactional = (marker is not None and marker.kwargs.get("transaction")) or {
            "transactional_db", "live_server"} & set(request.fixturenames)
        assert not transactional, f"{request.node.nodeid} is transactional: it cannot share rows built once"
        for name, kept in (("MEDIA_ROOT", "media"), ("PRIVATE_ROOT", "private")):
            if (self.folder / kept).exists():
                shutil.copytree(self.folder / kept, getattr(settings, name), dirs_exist_ok=True)
        return copy.deepcopy(self.value)


def module_fixture(build: Callable, *, name: str):
    """A module-scoped fixture giving the module's tests build()'s objects as a Shared, built once."""

    def shared(django_db_setup, django_db_blocker, tmp_path_factory):
        with built_once(django_db_blocker, tmp_path_factory, build) as kept:
            yield kept

    shared.shares_rows = True  # tests/ordering.py runs the module's other tests before the rows are built
    return pytest.fixture(scope="module", name=name)(shared)


@contextmanager
def built_once(django_db_blocker, tmp_path_factory, build: Callable):
    """Run `build()` in a transaction kept open (and the isolation every test has) and give what it returns to the
    module's tests; roll it all back at the end."""
    folder = tmp_path_factory.mktemp("module-rows")
    atomics = []
    with django_db_blocker.unblock():
        for alias in connections:
            atomic = transaction.atomic(using=alias)
            atomic._from_testcase = True  # as Django's TestCase does: code under test may open durable blocks
            atomic.__enter__()
            atomics.append((alias, atomic))
        try:
            with isolated(folder):
                value = build()
        except BaseException:
            _roll_back(atomics)
            raise
    try:
        yield Shared(value, folder)
    finally:
        with django_db_blocker.unblock():
            _roll_back(atomics)


def _roll_back(atomics) -> None:
    for alias, atomic in reversed(atomics):
        transaction.set_rollback(True, using=alias)
        atomic.__exit__(None, None, None)
