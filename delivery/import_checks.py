"""What a financial import checks beyond its cells, and the per-row plan its preview shows (delivery/services.py
calls these before it writes anything).

A line's key is its project, period, type of input, currency and source of funds (EXPENDITURE_KEY): two lines
that differ only by source are two lines.

Rules of an expenditure file, each refusing the row with its column (the file is refused whole):
- `period`: not before January of the project's start year (actual start, else planned start), nor more than
  12 months after the month of its planned end;
- `amount`: a negative line (a reversal) is accepted, unless, once the file is applied (its lines replacing the
  stored lines of the same key, the other stored lines kept), the US$ sum of the project's lines of that period,
  type of input and source of funds falls below zero: then each of the file's rows of that group that lowers it
  is refused (a source's reversal cannot cancel what another source paid).

The plan says for each row whether it creates a line, replaces one (with the amount it replaces) or leaves it as
it is; it is set-based like the checks (the stored lines are loaded once per chunk of rows, by the caller).
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils.translation import gettext as _

from core.scratch import ScratchTables
from core.tabular import RowError
from projects.models import Project

# What identifies an expenditure line: a file's line replaces the stored line of the same key.
EXPENDITURE_KEY = ("project_id", "period", "input_type_id", "currency", "funding_source_id")
# The lines whose US$ sum may not fall below zero: a reversal may cancel what was spent, not more.
SPEND_GROUP = ("project_id", "period", "input_type_id", "funding_source_id")
# How late, after the month of its planned end, a project may still book expenditure (closing entries).
MONTHS_AFTER_END = 12


def expenditure_key(line: Mapping) -> tuple:
    """The key of an expenditure line: a parsed row of a file or a stored line (as a dict of its fields)."""
    return tuple(line[name] for name in EXPENDITURE_KEY)


def _spend_group(line: Mapping) -> tuple:
    return tuple(line[name] for name in SPEND_GROUP)


def project_periods(project_ids: Iterable[int], chunk_size: int) -> dict[int, tuple[dt.date, dt.date, dt.date]]:
    """{project id: (first period it may book, last period it may book, its planned end)}: one query per chunk."""
    ids = sorted(set(project_ids))
    periods = {}
    for start in range(0, len(ids), chunk_size):
        for project_id, planned_start, actual_start, planned_end in Project.objects.filter(
                id__in=ids[start:start + chunk_size]).values_list("id", "planned_start", "actual_start", "planned_end"):
            first = dt.date((actual_start or planned_start).year, 1, 1)
            months = planned_end.year * 12 + planned_end.month - 1 + MONTHS_AFTER_END
            periods[project_id] = (first, dt.date(months // 12, months % 12 + 1, 1), planned_end)
    return periods


def period_refusal(period: dt.date, allowed: tuple[dt.date, dt.date, dt.date] | None) -> str | None:
    """Why a project may not book expenditure in `period` (its `period` cell), or None."""
    if allowed is None:
        return None
    first, last, planned_end = allowed
    if period < first:
        return _("%(period)s is before the project's start year (%(year)s).") % {
            "period": f"{period:%Y-%m}", "year": first.year}
    if period > last:
        return _("%(period)s is more than %(months)s months after the project's planned end (%(end)s).") % {
            "period": f"{period:%Y-%m}", "months": MONTHS_AFTER_END, "end": planned_end.isoformat()}
    return None


class SpendTotals(ScratchTables):
    """The negative-spend rule over a file gone through a chunk of lines at a time: the US$ sum of each group
    (project, period, type of input, source of funds) the file touches, once its lines are applied, and its lines
    that lower one.

    Kept in a scratch database (core.scratch), in cents, so that what the rule holds does not grow in memory with
    the file."""

    def __init__(self):
        super().__init__()
        self.database.execute("CREATE TABLE total (spend_group TEXT PRIMARY KEY, cents INTEGER NOT NULL) "
                              "WITHOUT ROWID")
        self.database.execute("CREATE TABLE lowering (row INTEGER PRIMARY KEY, spend_group TEXT NOT NULL, "
                              "input_code TEXT NOT NULL, source_code TEXT NOT NULL, period TEXT NOT NULL)")

    def add(self, lines: list[dict], stored: Mapping[tuple, Mapping]) -> None:
        """A chunk of the file's lines, each with its key fields, "row", "amount_usd" (its US$ value once applied),
        "input_code" and "source_code"; `stored`: {key: stored line with "amount_usd"} as stored before the chunk
        is applied, covering at least the chunk's groups (a group met in an earlier chunk keeps the sum it has
        reached)."""
        groups = {_spend_group(line) for line in lines}
        stored_cents: dict[tuple, int] = dict.fromkeys(groups, 0)
        for line in stored.values():
            group = _spend_group(line)
            if group in stored_cents:
                stored_cents[group] += _cents(line["amount_usd"])
        self.database.executemany("INSERT OR IGNORE INTO total VALUES (?, ?)",
                                  [(repr(group), cents) for group, cents in stored_cents.items()])
        changes, lowering = [], []
        for line in lines:
            old = stored.get(expenditure_key(line))
            change = _cents(line["amount_usd"]) - (_cents(old["amount_usd"]) if old else 0)
            group = repr(_spend_group(line))
            if change:
                changes.append((change, group))
            if change < 0:
                lowering.append((line["row"], group, line["input_code"], line["source_code"],
                                 f"{line['period']:%Y-%m}"))
        self.database.executemany("UPDATE total SET cents = cents + ? WHERE spend_group = ?", changes)
        self.database.executemany("INSERT INTO lowering VALUES (?, ?, ?, ?, ?)", lowering)

    def errors(self) -> list[RowError]:
        """The `amount` errors of the lines that lower a group whose sum ends below zero, in the file's order."""
        return [RowError(row, "amount", _(
            "With this amount the expenditure of %(source)s on %(input)s in %(period)s would be negative "
            "(US$ %(total)s): a reversal cannot exceed what was spent.") % {
            "source": source_code, "input": input_code, "period": period, "total": Decimal(cents).scaleb(-2)})
            for row, input_code, source_code, period, cents in self.database.execute(
                "SELECT lowering.row, lowering.input_code, lowering.source_code, lowering.period, total.cents "
                "FROM lowering "
                "JOIN total ON total.spend_group = lowering.spend_group WHERE total.cents < 0 ORDER BY lowering.row")]

def _cents(amount: Decimal) -> int:
    return int(amount.scaleb(2))


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount} {currency}"


def plan_entry(row: int, key: str, new: Decimal, old: Decimal | None, unit: str) -> dict:
    """One row of the preview (core.imports.ImportOutcome.plan): what the row does to the stored value."""
    if old is None:
        return {"row": row, "key": key, "action": "create", "changes": [_money(new, unit)]}
    if old == new:
        return {"row": row, "key": key, "action": "unchanged", "changes": []}
    return {"row": row, "key": key, "action": "replace", "changes": [f"{_money(old, unit)} → {_money(new, unit)}"]}
