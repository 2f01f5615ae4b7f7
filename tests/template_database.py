"""The test database, migrated once and copied by every test process (pytest-django's django_db_setup, overridden in
tests/conftest.py).

Migrating an empty database costs a test process about 18 s (most of it Django rendering the models' state
thousands of times over the 61 migrations), and each pytest-xdist worker used to do it. Instead the first process
that needs a database migrates a template under a lock, and every process copies the template into its own test
database: SQLite copies the file, PostgreSQL creates the database WITH TEMPLATE. The template is kept between runs,
named after a key that hashes every installed app's migration files (and the Django version and database engine):
change a migration and the next run builds a new template and deletes the old one. pytest's `--create-db` rebuilds
it once for that run. Where they live: SQLite beside the test database in var/ (`test_template_<key>.sqlite3`);
PostgreSQL as the database `<test database>_template_<key>` on the same server.
"""

import fcntl
import hashlib
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db import connections

KEY_LENGTH = 12
# Each database's rows as the migrations left them, serialized once at set-up: the transactional tests' serialized
# rollback re-loads them. Kept here too, because the connection object Django hands out can be replaced during the
# run (it happened after a test that migrates backwards and forwards), and a new one lacks the attribute.
_SERIALIZED: dict[str, str] = {}


def migrations_key(vendor: str) -> str:
    """Changes whenever a migration file of any installed app does (or Django, or the kind of database)."""
    digest = hashlib.sha256(f"{django.__version__} {vendor}".encode())
    for app in sorted(apps.get_app_configs(), key=lambda config: config.label):
        for path in sorted((Path(app.path) / "migrations").glob("*.py")):
            digest.update(f"{app.label}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:KEY_LENGTH]


def set_up(*, worker: str | None, rebuild_run: str | None, verbosity: int = 0) -> list:
    """Give every database connection its test database, copied from the template; return what Django's
    teardown_databases takes to destroy them.

    `worker` is the pytest-xdist worker id (the suffix pytest-django has put on the test database names);
    `rebuild_run` names a run (the same in all its workers) that must build a fresh template once.
    """
    old_config = []
    for alias in connections:
        connection = connections[alias]
        test_name = connection.creation._get_test_db_name()
        base_name = test_name.removesuffix(f"_{worker}") if worker else test_name
        template = _Template.for_connection(connection, base_name)
        with _locked(template.lock_path):
            if not template.exists() or (rebuild_run and template.built_by() != rebuild_run):
                template.build(verbosity)
                template.mark_built_by(rebuild_run)
            old_name = connection.settings_dict["NAME"]
            template.copy_to(test_name)
        connection.close()
        settings.DATABASES[alias]["NAME"] = test_name
        connection.settings_dict["NAME"] = test_name
        # For the transactional tests' serialized rollback (tests/conftest.py gives them all one).
        _SERIALIZED[alias] = connection._test_serialized_contents = connection.creation.serialize_db_to_string()
        connection.ensure_connection()
        old_config.append((connection, old_name, True))
    return old_config


def keep_serialized_contents() -> None:
    """Give every current connection the rows serialized at set-up (Django's serialized rollback reads them)."""
    for alias, contents in _SERIALIZED.items():
        connections[alias]._test_serialized_contents = contents


@contextmanager
def _locked(path: Path):
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


class _Template:
    """The migrated template of one connection's test database."""

    def __init__(self, connection, base_name: str):
        self.connection = connection
        self.key = migrations_key(connection.vendor)
        self.base_name = base_name

    @staticmethod
    def for_connection(connection, base_name: str) -> "_Template":
        if connection.vendor == "sqlite":
            return _SqliteTemplate(connection, base_name)
        if connection.vendor == "postgresql":
            return _PostgresTemplate(connection, base_name)
        raise NotImplementedError(f"no template database for {connection.vendor}")

    @property
    def name(self) -> str:
        raise NotImplementedError

    @property
    def lock_path(self) -> Path:
        where = f"{self.connection.settings_dict.get('HOST')}:{self.connection.settings_dict.get('PORT')}:{self.name}"
        return Path(tempfile.gettempdir()) / f"tcms-test-template-{hashlib.sha1(where.encode()).hexdigest()[:12]}.lock"

    @property
    def marker_path(self) -> Path:
        """Names the `--create-db` run that built the template, so its other workers do not build it again."""
        return Path(tempfile.gettempdir()) / f"{self.lock_path.stem}.built-by"

    def built_by(self) -> str:
        return self.marker_path.read_text() if self.marker_path.exists() else ""

    def mark_built_by(self, run: str | None) -> None:
        self.marker_path.write_text(run or "")

    def build(self, verbosity: int) -> None:
        """Migrate a new database under a temporary name, then give it the template's name (so that a build cut
        short leaves no template behind), and delete the templates of other keys."""
        building = self.building_name
        creation = self.connection.creation
        saved_name, saved_test = self.connection.settings_dict["NAME"], dict(self.connection.settings_dict["TEST"])
        self.connection.settings_dict["TEST"]["NAME"] = building
        try:
            creation.create_test_db(verbosity=verbosity, autoclobber=True, serialize=False)
            self.connection.close()
            self.finish(building)
        finally:
            self.connection.close()
            self.connection.settings_dict["NAME"] = saved_name
            settings.DATABASES[self.connection.alias]["NAME"] = saved_name
            self.connection.settings_dict["TEST"] = saved_test
        self.delete_others()

    @property
    def building_name(self) -> str:
        raise NotImplementedError

    def exists(self) -> bool:
        raise NotImplementedError

    def finish(self, building: str) -> None:
        raise NotImplementedError

    def delete_others(self) -> None:
        raise NotImplementedError

    def copy_to(self, test_name: str) -> None:
        raise NotImplementedError


class _SqliteTemplate(_Template):
    @property
    def name(self) -> str:
        return str(Path(self.base_name).with_name(f"test_template_{self.key}.sqlite3"))

    @property
    def building_name(self) -> str:
        return f"{self.name}.building"

    def exists(self) -> bool:
        return Path(self.name).exists()

    def finish(self, building: str) -> None:
        import sqlite3

        # One self-contained file: the write-ahead log folded in and switched off, so a plain copy is complete.
        with sqlite3.connect(building) as database:
            database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            database.execute("PRAGMA journal_mode=DELETE")
        database.close()
        _remove_sqlite(building, main=False)
        os.replace(building, self.name)

    def delete_others(self) -> None:
        for path in Path(self.name).parent.glob("test_template_*.sqlite3*"):
            if path.name != Path(self.name).name:
                path.unlink(missing_ok=True)

    def copy_to(self, test_name: str) -> None:
        _remove_sqlite(test_name)  # with any write-ahead log an earlier run left, which would not match the copy
        shutil.copyfile(self.name, f"{test_name}.copying")
        os.replace(f"{test_name}.copying", test_name)


def _remove_sqlite(name: str, main: bool = True) -> None:
    for suffix in ("", "-wal", "-shm", "-journal") if main else ("-wal", "-shm", "-journal"):
        Path(f"{name}{suffix}").unlink(missing_ok=True)


class _PostgresTemplate(_Template):
    @property
    def name(self) -> str:
        return f"{self.base_name[:30]}_template_{self.key}"

    @property
    def building_name(self) -> str:
        return f"{self.name}_building"

    def _cursor(self):
        return self.connection.creation._nodb_cursor()

    def _quote(self, name: str) -> str:
        return self.connection.ops.quote_name(name)

    def exists(self) -> bool:
        with self._cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name])
            return cursor.fetchone() is not None

    def finish(self, building: str) -> None:
        self.connection.close_pool()
        with self._cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {self._quote(self.name)}")
            cursor.execute(f"ALTER DATABASE {self._quote(building)} RENAME TO {self._quote(self.name)}")

    def delete_others(self) -> None:
        prefix = f"{self.base_name[:30]}_template_"
        with self._cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s) AND datname <> %s",
                           [prefix, self.name])
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP DATABASE IF EXISTS {self._quote(name)}")

    def copy_to(self, test_name: str) -> None:
        self.connection.close()
        self.connection.close_pool()
        with self._cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {self._quote(test_name)}")
            cursor.execute(f"CREATE DATABASE {self._quote(test_name)} WITH TEMPLATE {self._quote(self.name)}")
