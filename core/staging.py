"""Many rows written set-based: gathered in a staging table, then moved into their table by one upsert.

On PostgreSQL the staging table is filled with COPY (psycopg 3's `cursor.copy()`): the rows go to the server as one
stream, with no statement and no model instance per row; on SQLite with batched INSERTs (slower, the same shape).
The upsert is one `INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE`, which both databases run. The staging table
is a temporary table of the connection, created in the caller's transaction and dropped when the caller is done
(a rolled-back transaction takes it away too); nothing reaches the real table before the upsert.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Self

from django.db import connection

# Rows per INSERT statement where there is no COPY (SQLite: 999 variables at most in old versions).
INSERT_BATCH = 100


class StagingTable:
    """A temporary table with some columns of a model's table (their database names, as `attname`: "project_id"),
    filled by add() a chunk of rows at a time, moved into the model's table by upsert(). Use as a context manager."""

    def __init__(self, model, columns: Sequence[str]):
        self.table = model._meta.db_table
        self.name = f"staging_{self.table}"
        self.columns = list(columns)
        self.rows = 0

    def _quoted(self, names: Iterable[str]) -> str:
        return ", ".join(connection.ops.quote_name(name) for name in names)

    def __enter__(self) -> Self:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
            # The model's own column types, no row, no constraint: rows are checked when they reach the table.
            cursor.execute(f"CREATE TEMPORARY TABLE {self.name} AS SELECT {self._quoted(self.columns)} "
                           f"FROM {connection.ops.quote_name(self.table)} WHERE 1 = 0")
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:  # after an error the transaction is rolled back, and the table with it
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.name}")

    def add(self, rows: Sequence[Sequence]) -> None:
        """Rows of values in the order of the columns (ints, strings, dates, Decimals, None)."""
        if not rows:
            return
        self.rows += len(rows)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.name} ({self._quoted(self.columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            marks = "(" + ", ".join(["%s"] * len(self.columns)) + ")"
            for start in range(0, len(rows), INSERT_BATCH):
                batch = rows[start:start + INSERT_BATCH]
                cursor.execute(f"INSERT INTO {self.name} ({self._quoted(self.columns)}) VALUES "
                               + ", ".join([marks] * len(batch)), [value for row in batch for value in row])

    def upsert(self, *, key: Sequence[str], update: Sequence[str]) -> None:
        """Every staged row into the model's table: inserted, or, where a row of the same `key` (the columns of a
        unique constraint) is there, its `update` columns replaced. One statement."""
        if not self.rows:
            return
        columns = self._quoted(self.columns)
        changes = ", ".join(f"{name} = excluded.{name}" for name in map(connection.ops.quote_name, update))
        with connection.cursor() as cursor:
            # "WHERE 1 = 1": SQLite needs a WHERE to read ON CONFLICT as the upsert's, not the SELECT's join clause.
            cursor.execute(f"INSERT INTO {connection.ops.quote_name(self.table)} ({columns}) "
                           f"SELECT {columns} FROM {self.name} WHERE 1 = 1 "
                           f"ON CONFLICT ({self._quoted(key)}) DO UPDATE SET {changes}")

    def distinct(self, *columns: str) -> list[tuple]:
        """The distinct values of some staged columns (e.g. the project and month pairs the rows touch)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT {self._quoted(columns)} FROM {self.name}")
            return cursor.fetchall()


def upsert_rows(model, rows: Sequence[Mapping], *, key: Sequence[str]) -> None:
    """Rows (each a dict of the same columns, by their database names) into the model's table through a staging
    table: inserted, or, where a row of the same `key` is there, its other columns replaced."""
    if not rows:
        return
    columns = list(rows[0])
    with StagingTable(model, columns) as staged:
        staged.add([[row[name] for name in columns] for row in rows])
        staged.upsert(key=key, update=[name for name in columns if name not in key])
