"""What an import remembers of every row, kept out of memory (core/scratch.py)."""

import datetime as dt

from core.scratch import FirstRows
from core.tabular import RowError


def test_first_rows_answers_the_row_a_key_was_first_seen_in_across_chunks():
    with FirstRows() as first_rows:
        assert first_rows.earlier([((1, dt.date(2026, 1, 1), "EUR"), 2), ((2, None, "EUR"), 3)]) == {}
        # A key of an earlier chunk, a key twice in this chunk, a key new to this one.
        assert first_rows.earlier([((1, dt.date(2026, 1, 1), "EUR"), 4), ((3, None, "USD"), 5),
                                   ((3, None, "USD"), 6), ((2, None, "EUR"), 7), ((9, None, "X"), 8)]) == {
            4: 2, 6: 5, 7: 3}
        assert first_rows.earlier([((3, None, "USD"), 9)]) == {9: 5}
        assert first_rows.earlier([]) == {}


def test_sift_keeps_the_rows_order_of_errors():
    def duplicate(row, first):
        return RowError(row, "key", f"Duplicate of row {first}")

    with FirstRows() as first_rows:
        errors = []
        kept = list(first_rows.sift([(2, [], "a", "A"), (3, [RowError(3, "x", "bad")], None, None),
                                     (4, [], "a", "A again"), (5, [], "b", "B")], errors, duplicate))
        assert kept == ["A", "B"]
        assert [(e.row, e.message) for e in errors] == [(3, "bad"), (4, "Duplicate of row 2")]
        list(first_rows.sift([(6, [], "b", "B again")], errors, duplicate))
        assert errors[-1].message == "Duplicate of row 5"
