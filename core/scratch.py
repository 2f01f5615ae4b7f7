"""What an import must remember about every row of a file while it reads the file a row at a time: the first row of
each key (so that a repeated key is refused naming the row it repeats), sums per group of rows.

Held in Python, that would grow with the file (a dict entry per row); it is kept instead in a private temporary
SQLite database (the standard library's sqlite3): SQLite keeps it in a small page cache (SCRATCH_CACHE_KIB) and
spills the rest to a temporary file it deletes when the database is closed. Keys are written as their repr(), so a
key is a tuple of ints, strings, dates and None (whose repr is stable).
"""

import sqlite3
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Self

from core.tabular import RowError

# The page cache of a scratch database, in KiB (SQLite's default is about 2 MiB).
SCRATCH_CACHE_KIB = 2048


def scratch_database() -> sqlite3.Connection:
    """A new private temporary database (deleted when closed), tuned for throwaway data."""
    database = sqlite3.connect("", isolation_level=None)
    database.execute(f"PRAGMA cache_size = -{SCRATCH_CACHE_KIB}")
    database.execute("PRAGMA journal_mode = OFF")
    database.execute("PRAGMA synchronous = OFF")
    return database


class ScratchTables:
    """Tables of a scratch database that an import fills as it goes through its file, gone with it: use as a
    context manager, or close(). A subclass creates its tables in __init__ after calling this one's."""

    def __init__(self):
        self.database = scratch_database()
        self.database.execute("BEGIN")  # never committed: the database goes when it is closed

    def close(self) -> None:
        self.database.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class FirstRows(ScratchTables):
    """The first row of each key seen in a file, given a chunk of rows at a time (a few statements a chunk)."""

    def __init__(self):
        super().__init__()
        self.database.execute("CREATE TABLE first_row (key TEXT PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID")
        self.database.execute("CREATE TABLE chunk (key TEXT PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID")

    def earlier(self, keyed_rows: Iterable[tuple[Hashable, int]]) -> dict[int, int]:
        """For (key, row) pairs in the file's order: {row: the row where its key was seen first} for each row whose
        key was seen before (earlier in these pairs or in an earlier call); the keys not seen before are kept."""
        first_in_chunk: dict[str, int] = {}
        repeated = {}
        for key, row in keyed_rows:
            text = repr(key)
            if text in first_in_chunk:
                repeated[row] = text
            else:
                first_in_chunk[text] = row
        if not first_in_chunk:
            return {}
        self.database.executemany("INSERT INTO chunk VALUES (?, ?)", first_in_chunk.items())
        seen_before = dict(self.database.execute(
            "SELECT chunk.key, first_row.row FROM chunk JOIN first_row ON first_row.key = chunk.key"))
        self.database.execute("INSERT OR IGNORE INTO first_row SELECT key, row FROM chunk")
        self.database.execute("DELETE FROM chunk")
        answer = {row: seen_before[text] for text, row in first_in_chunk.items() if text in seen_before}
        answer.update((row, seen_before.get(text, first_in_chunk[text])) for row, text in repeated.items())
        return answer

    def sift(self, checked: Iterable[tuple[int, list[RowError], Hashable, object]], errors: list[RowError],
             duplicate: Callable[[int, int], RowError]) -> Iterator:
        """Go through a chunk of checked rows, (row, its errors, its key, what it holds), in the file's order: a row's
        errors are appended to `errors`; a row without errors whose key was seen before gets `duplicate(row, first
        row)`; what the other rows hold is yielded, so that the caller's later errors keep the rows' order."""
        checked = list(checked)
        earlier = self.earlier((key, row) for row, row_errors, key, _held in checked if not row_errors)
        for row, row_errors, _key, held in checked:
            if row_errors:
                errors.extend(row_errors)
            elif row in earlier:
                errors.append(duplicate(row, earlier[row]))
            else:
                yield held
