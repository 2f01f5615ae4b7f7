"""Writes: the one way allocations, expenditure, exchange rates and approvals get in (upload page, command, API,
demo).

An import is validated row by row, collecting every error (row, column, reason); if any row is wrong nothing
is written. Re-importing the same file changes nothing; a row whose amount changed replaces the stored one
(an allocation keeps the earlier amount as a revision). Expenditure imports keep the ProjectMonthSpend rollup
equal to Σ expenditure of each touched project and month (and SourceMonthSpend of each project, month and source
of funds), in the same transaction; allocation and expenditure imports (and allocation_set) keep the
ProjectYearDelivery rollup equal to Σ allocation and the twelve month amounts of each touched project and year
(and SourceYearDelivery of each project, year and source), also in the same transaction.

Who may: allocations and expenditure follow the project's edit rule (projects/permissions.py, as the pages ask):
a row of a project the user may not change is an error of its `project_symbol` cell, so the file is refused whole;
exchange rates are reference data (delivery.manage_exchange_rates: administrators). `user=None` is a system actor
(a management command run by an operator, demo or benchmark seeding, a Celery task) and is allowed; pages and the
API always pass the acting user.

Speed: lookups (projects, input types, sources, rates, existing rows) are loaded once per file in chunks,
no query per row. An expenditure file's new and changed lines are staged (core.staging: COPY on PostgreSQL) and
written by one upsert once the whole file has passed, then the rollups of the months they touch, once each,
through the same staging (issue 19.3).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import refusal_message, require
from core.locks import serialise
from core.scratch import FirstRows
from core.staging import StagingTable, upsert_rows
from core.tabular import (
    PREVIEW_ROWS,
    CellError,
    RowError,
    TableError,
    TableImportResult,
    excerpt,
    file_sha256,
    parse_date,
    parse_decimal,
    parse_int,
    parse_period,
    read_table,
    row_chunks,
    source_name,
    with_progress,
)
from delivery.import_checks import (
    EXPENDITURE_KEY,
    SpendTotals,
    expenditure_key,
    period_refusal,
    plan_entry,
    project_periods,
)
from delivery.models import (
    CUMULATIVE_FIELDS,
    REFERENCE_CURRENCY,
    Allocation,
    AllocationRevision,
    Approval,
    ExchangeRate,
    Expenditure,
    ImportBatch,
    ImportKind,
    ImportStatus,
    ProjectMonthSpend,
    ProjectYearDelivery,
    SourceMonthSpend,
    SourceYearDelivery,
)
from delivery.permissions import IMPORT_FINANCIALS, MANAGE_EXCHANGE_RATES
from partners.selectors import organisations_find
from projects.models import FundingSource, InputType, Project
from projects.permissions import CHANGE_PROJECT, projects_not_editable

CENT = Decimal("0.01")
# What an expenditure import stages of each new or changed line (core.staging), in this order.
STAGED_COLUMNS = (*EXPENDITURE_KEY, "amount", "exchange_rate", "amount_usd", "batch_id")
CHUNK = 2000  # ids per IN (...) list: well under SQLite's variable limit
WRITE_BATCH = 5000

LAYOUTS: dict[str, list[str]] = {
    ImportKind.ALLOCATIONS: ["project_symbol", "year", "funding_source", "amount_usd"],
    ImportKind.EXPENDITURE: ["project_symbol", "period", "input_type", "currency", "amount"],
    ImportKind.RATES: ["currency", "period", "units_per_usd"],
    ImportKind.APPROVALS: ["project_symbol", "donor", "date", "amount", "currency"],
}
# Columns a file may leave out (absent or empty, each has its meaning: see the importer).
OPTIONAL_COLUMNS: dict[str, list[str]] = {
    ImportKind.EXPENDITURE: ["funding_source"],
}
# One example row per kind (its required columns), for the downloadable templates.
TEMPLATE_EXAMPLES: dict[str, list[str]] = {
    ImportKind.ALLOCATIONS: ["RLA/12/01/USA", "2026", "XBTC", "250000.00"],
    ImportKind.EXPENDITURE: ["RLA/12/01/USA", "2026-10", "EXPERTS", "EUR", "12500.00"],
    ImportKind.RATES: ["EUR", "2026-10", "0.921000"],
    ImportKind.APPROVALS: ["RLA/12/01/USA", "NORAD", "2026-03-15", "500000.00", "NOK"],
}
FINANCIAL_KINDS = tuple(LAYOUTS)
# Beyond delivery.import_financials, the kinds that need a permission of their own.
KIND_PERMS = {ImportKind.RATES: MANAGE_EXCHANGE_RATES}


@dataclass
class ImportResult(TableImportResult):
    """A financial import's result: the shared counts, the dry run's plan of its rows and the batch it wrote."""

    plans: list[dict] = field(default_factory=list)  # a dry run's import_checks.plan_entry() of its first rows
    plans_total: int = 0  # every row's
    plan_limit: int | None = PREVIEW_ROWS  # how many plan entries are kept (None: all)
    batch: ImportBatch | None = None

    def add_plan(self, describe: Callable[..., dict], *args) -> None:
        """Count a row of the plan, and describe it (`describe(*args)`) while the plan keeps rows."""
        self.plans_total += 1
        if self.plan_limit is None or len(self.plans) < self.plan_limit:
            self.plans.append(describe(*args))


def columns(kind: str) -> list[str]:
    """Every column a file of the kind may have: the required ones, then the optional ones."""
    return [*LAYOUTS[kind], *OPTIONAL_COLUMNS.get(kind, [])]


class _Rollback(Exception):
    """Raised inside the transaction of a dry run so that everything it did is undone."""


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _currency(value: str) -> str:
    code = (value or "").strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise CellError(_("“%(value)s” is not an ISO 4217 currency code (three letters, e.g. EUR).") % {
            "value": excerpt(value)})
    return code


def _project_ids(symbols: set[str]) -> dict[str, int]:
    found = {}
    for chunk in _chunks(sorted(symbols)):
        found.update(Project.objects.filter(symbol__in=chunk).values_list("symbol", "id"))
    return found


def _not_editable(user, projects: dict[str, int]) -> set[int]:
    """The ids of the file's projects that the user may not change: one query per chunk, not one per row."""
    refused = set()
    for chunk in _chunks(sorted(projects.values())):
        refused |= projects_not_editable(user, chunk)
    return refused


class _FileProjects:
    """The projects a file names, looked up as its chunks of rows come (one query a chunk for the symbols not met
    before), with those the user may not change and, if asked, the periods each may book and its main source of
    funds."""

    def __init__(self, user, *, periods: bool = False, main_sources: bool = False):
        self.user, self.with_periods, self.with_main_sources = user, periods, main_sources
        self.ids: dict[str, int | None] = {}
        self.not_editable: set[int] = set()
        self.periods: dict[int, tuple] = {}
        self.main_sources: dict[int, tuple[int, str]] = {}  # project id: (id, code) of its main source of funds

    def load(self, rows: list) -> None:
        new = {record["project_symbol"].strip() for _n, record in rows} - self.ids.keys()
        if not new:
            return
        found = _project_ids(new)
        self.ids.update((symbol, found.get(symbol)) for symbol in new)
        self.not_editable |= _not_editable(self.user, found)
        if self.with_periods:
            self.periods.update(project_periods(found.values(), CHUNK))
        if self.with_main_sources:
            self.main_sources.update(_main_sources(found.values()))

    def row_project_id(self, record: dict, number: int, *, errors: list[RowError], result: ImportResult) -> int | None:
        """The id of the row's project, or None with a row error naming the unknown symbol or the project the user
        may not change."""
        symbol = record["project_symbol"].strip()
        project_id = self.ids.get(symbol)
        if project_id is None:
            errors.append(RowError(number, "project_symbol",
                                   _("No project with symbol “%(symbol)s”.") % {"symbol": excerpt(symbol)}))
        elif project_id in self.not_editable:
            errors.append(RowError(number, "project_symbol", refusal_message(CHANGE_PROJECT, symbol)))
            result.refused = True
            return None
        return project_id


def _main_sources(project_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """{project id: (id, code) of its main source of funds}: one query per chunk."""
    found = {}
    for chunk in _chunks(sorted(set(project_ids))):
        found.update((project_id, (source_id, code)) for project_id, source_id, code in Project.objects.filter(
            id__in=chunk).values_list("id", "funding_source_id", "funding_source__code"))
    return found


def _duplicate(column: str) -> Callable[[int, int], RowError]:
    def error(row: int, first: int) -> RowError:
        return RowError(row, column, _("Duplicate of row %(first)s (same key).") % {"first": first})

    return error


def may_import(user, kind: str) -> bool:
    """Whether the user may import files of this kind at all (the pages offer only those); None: a system actor."""
    return user is None or all(user.has_perm(perm) for perm in (IMPORT_FINANCIALS, KIND_PERMS.get(kind)) if perm)


def _rates_for(currencies: set[str], periods: set) -> dict[tuple[str, object], Decimal]:
    if not currencies or not periods:
        return {}
    rows = ExchangeRate.objects.filter(currency__in=sorted(currencies), period__in=sorted(periods))
    return {(r.currency, r.period): r.units_per_usd for r in rows.only("currency", "period", "units_per_usd")}


class _FileRates:
    """The rates of the (currency, month) pairs a file needs, looked up as its chunks come (one query a chunk)."""

    def __init__(self):
        self.rates: dict[tuple[str, dt.date], Decimal | None] = {}

    def load(self, pairs: set[tuple[str, dt.date]]) -> None:
        new = {pair for pair in pairs if pair[0] != REFERENCE_CURRENCY} - self.rates.keys()
        if new:
            found = _rates_for({currency for currency, _p in new}, {period for _c, period in new})
            self.rates.update((pair, found.get(pair)) for pair in new)

    def get(self, currency: str, period: dt.date) -> Decimal | None:
        return Decimal(1) if currency == REFERENCE_CURRENCY else self.rates.get((currency, period))


def _no_rate(currency: str, period: dt.date) -> str:
    return _("No exchange rate for %(currency)s in %(period)s: import the rates of that month first.") % {
        "currency": currency, "period": period.strftime("%Y-%m")}


def to_usd(amount: Decimal, units_per_usd: Decimal) -> Decimal:
    return (amount / units_per_usd).quantize(CENT, rounding=ROUND_HALF_UP)


def financial_import(*, kind: str, source, filename: str = "", user=None, dry_run: bool = False,
                     progress: Callable[[int, int], None] | None = None,
                     plan_rows: int | None = PREVIEW_ROWS) -> ImportResult:
    """Import one allocations, expenditure, exchange-rates or approvals file (CSV or XLSX; layouts in the README):
    `source` is bytes, a path or an open file, read a row at a time (core.tabular), a chunk of rows after another.
    `progress(done, total)`, if given, is called as the rows are gone through. A dry run's plan keeps its first
    `plan_rows` rows (None: all), and counts them all."""
    if kind not in LAYOUTS:
        raise ValueError(f"Unknown import kind {kind!r}; expected one of {', '.join(LAYOUTS)}")
    require(user, IMPORT_FINANCIALS)
    if kind in KIND_PERMS:
        require(user, KIND_PERMS[kind])
    filename = filename or source_name(source)
    result = ImportResult(kind=kind, file_name=filename, dry_run=dry_run, plan_limit=plan_rows)
    checksum = file_sha256(source)
    try:
        table = read_table(source, required=LAYOUTS[kind], optional=OPTIONAL_COLUMNS.get(kind, ()),
                           filename=filename)
    except TableError as exc:
        result.errors = exc.errors
    else:
        result.rows_total = len(table.rows)
        try:
            with transaction.atomic():
                # Two uploads of the same kind at once: the second waits, then finds the first one's rows.
                serialise(f"financial_import:{kind}")
                batch = None
                if not dry_run:
                    batch = ImportBatch.objects.create(kind=kind, file_name=filename[:255], checksum=checksum,
                                                       uploaded_by=user, status=ImportStatus.APPLIED,
                                                       rows_total=result.rows_total)
                _IMPORTERS[kind](with_progress(table.rows, progress), result=result, batch=batch, user=user)
                if result.errors or dry_run:
                    raise _Rollback
                batch.rows_created, batch.rows_updated, batch.rows_unchanged = (
                    result.created, result.updated, result.unchanged)
                batch.save(update_fields=["rows_created", "rows_updated", "rows_unchanged"])
                result.batch = batch
        except _Rollback:
            pass
    if result.errors:
        result.created = result.updated = result.unchanged = 0
        result.plans, result.plans_total = [], 0
        if not dry_run:
            # The refusal is recorded (who tried what, and why) while none of the rows are.
            result.batch = ImportBatch.objects.create(
                kind=kind, file_name=filename[:255], checksum=checksum, uploaded_by=user,
                status=ImportStatus.FAILED, rows_total=result.rows_total,
                errors=[e.as_dict() for e in result.errors[:1000]])
    return result


# How the importers go through a file: a chunk of rows at a time, each row's cells parsed (its errors kept in the
# row's order), its key checked against the rows before it (core.scratch.FirstRows), then the chunk's lookups (one
# query each) and, for a real import while no row is refused, the chunk's writes. A refused row anywhere refuses
# the file: the rows after it are still checked, nothing more is looked up or written, and the transaction is
# rolled back. Errors come in stages, as they did when the whole file was held: the rows' own errors, else the
# errors that need lookups (rates), else the file-wide rules (negative spend).


# ---------------------------------------------------------------- exchange rates


def _import_rates(rows, *, result: ImportResult, batch, user) -> None:
    with FirstRows() as first_rows:
        for chunk in row_chunks(rows):
            checked = []
            for number, record in chunk:
                row_errors, values = [], {}
                for column, parse in (("currency", _currency), ("period", parse_period),
                                      ("units_per_usd", lambda v: parse_decimal(v, allow_negative=False,
                                                                                 max_digits=18, places=6))):
                    try:
                        values[column] = parse(record[column])
                    except CellError as exc:
                        row_errors.append(RowError(number, column, str(exc)))
                if not row_errors and values["currency"] == REFERENCE_CURRENCY:
                    row_errors.append(RowError(number, "currency", _("US$ is the reference currency: it has no rate.")))
                elif not row_errors and values["units_per_usd"] <= 0:
                    row_errors.append(RowError(number, "units_per_usd", _("The rate must be greater than zero.")))
                key = None if row_errors else (values["currency"], values["period"])
                checked.append((number, row_errors, key, (number, values)))
            parsed = list(first_rows.sift(checked, result.errors, _duplicate("period")))
            if result.errors:
                continue
            existing = _rates_for({v["currency"] for _n, v in parsed}, {v["period"] for _n, v in parsed})
            to_write = []
            for number, values in parsed:
                old = existing.get((values["currency"], values["period"]))
                if result.dry_run:
                    result.add_plan(plan_entry, number, f"{values['currency']} {values['period']:%Y-%m}",
                                    values["units_per_usd"], old, _("per US$"))
                if old is None:
                    result.created += 1
                elif old != values["units_per_usd"]:
                    result.updated += 1
                else:
                    result.unchanged += 1
                    continue
                to_write.append(ExchangeRate(**values))
            if not result.dry_run:
                ExchangeRate.objects.bulk_create(to_write, batch_size=WRITE_BATCH, update_conflicts=True,
                                                 unique_fields=["currency", "period"], update_fields=["units_per_usd"])


def _unknown_source(number: int, value: str, sources: dict[str, int]) -> RowError:
    return RowError(number, "funding_source", _("Unknown source of funds “%(code)s” (one of %(codes)s).") % {
        "code": excerpt(value), "codes": ", ".join(sorted(sources))})


# ---------------------------------------------------------------- allocations


def _import_allocations(rows, *, result: ImportResult, batch, user) -> None:
    sources = dict(FundingSource.objects.values_list("code", "id"))
    projects = _FileProjects(user)
    reason = _("Imported from %(file)s") % {"file": result.file_name or _("a file")}
    with FirstRows() as first_rows:
        for chunk in row_chunks(rows):
            projects.load(chunk)
            checked = []
            for number, record in chunk:
                row_errors = []
                project_id = projects.row_project_id(record, number, errors=row_errors, result=result)
                try:
                    year = parse_int(record["year"], minimum=1950, maximum=2100)
                except CellError as exc:
                    row_errors.append(RowError(number, "year", str(exc)))
                source_code = record["funding_source"].strip().upper()
                source_id = sources.get(source_code)
                if source_id is None:
                    row_errors.append(_unknown_source(number, record["funding_source"], sources))
                try:
                    amount = parse_decimal(record["amount_usd"], allow_negative=False)
                except CellError as exc:
                    row_errors.append(RowError(number, "amount_usd", str(exc)))
                if row_errors:
                    checked.append((number, row_errors, None, None))
                    continue
                label = f"{record['project_symbol'].strip()} {year} {source_code}"
                key = (project_id, year, source_id)
                checked.append((number, row_errors, key, (number, label, key, amount)))
            parsed = list(first_rows.sift(checked, result.errors, _duplicate("funding_source")))
            if result.errors:
                continue
            existing = {}
            for allocation in Allocation.objects.filter(project_id__in=sorted({key[0] for _n, _l, key, _a in parsed}),
                                                        year__in=sorted({key[1] for _n, _l, key, _a in parsed})).only(
                    "id", "project_id", "year", "funding_source_id", "amount_usd"):
                existing[(allocation.project_id, allocation.year, allocation.funding_source_id)] = allocation
            new, changed = [], []
            for number, label, key, amount in parsed:
                allocation = existing.get(key)
                if result.dry_run:
                    result.add_plan(plan_entry, number, label, amount, getattr(allocation, "amount_usd", None),
                                    REFERENCE_CURRENCY)
                project_id, year, source_id = key
                if allocation is None:
                    new.append(Allocation(project_id=project_id, year=year, funding_source_id=source_id,
                                          amount_usd=amount))
                elif allocation.amount_usd != amount:
                    changed.append((allocation, amount))
                else:
                    result.unchanged += 1
            result.created += len(new)
            result.updated += len(changed)
            if not result.dry_run:
                _write_allocations(new, changed, reason=reason, user=user, batch=batch)


def _write_allocations(new: list[Allocation], changed: list[tuple[Allocation, Decimal]], *, reason: str, user,
                       batch: ImportBatch | None = None) -> None:
    """The one place Allocation rows are written (by the import and by allocation_set): new rows and changed
    amounts in bulk, a revision for each (the earlier amount, the reason, who, the batch), and the year rollup
    of the touched projects and years."""
    revisions = [AllocationRevision(allocation=allocation, old_amount_usd=allocation.amount_usd, new_amount_usd=amount,
                                    reason=reason, revised_by=user, batch=batch) for allocation, amount in changed]
    now = timezone.now()
    for allocation, amount in changed:
        allocation.amount_usd, allocation.updated_at = amount, now
    Allocation.objects.bulk_create(new, batch_size=WRITE_BATCH)
    if any(a.pk is None for a in new):  # a backend that cannot return ids from a bulk insert
        keys = {(a.project_id, a.year, a.funding_source_id) for a in new}
        by_key = {}
        for chunk in _chunks(sorted({a.project_id for a in new})):
            for a in Allocation.objects.filter(project_id__in=chunk):
                by_key[(a.project_id, a.year, a.funding_source_id)] = a
        new[:] = [by_key[k] for k in keys]
    Allocation.objects.bulk_update([a for a, _amount in changed], ["amount_usd", "updated_at"],
                                   batch_size=WRITE_BATCH)
    revisions += [AllocationRevision(allocation=a, old_amount_usd=None, new_amount_usd=a.amount_usd, reason=reason,
                                     revised_by=user, batch=batch) for a in new]
    AllocationRevision.objects.bulk_create(revisions, batch_size=WRITE_BATCH)
    refresh_year_delivery({(a.project_id, a.year) for a in [*new, *(a for a, _amount in changed)]})


# ---------------------------------------------------------------- expenditure


def _expenditure_plan(line: dict) -> dict:
    """The preview row of a line, named by its key as written in the file (the source of funds when it names one;
    without, the line is the project's main source's)."""
    label = f"{line['symbol']} {line['period']:%Y-%m} {line['input_code']} {line['currency']}"
    if line["source_named"]:
        label = f"{label} {line['source_code']}"
    return plan_entry(line["row"], label, line["amount"], line["old"], line["currency"])


def _expenditure_line(number: int, record: dict, *, projects: _FileProjects, input_types: dict[str, int],
                      sources: dict[str, int], errors: list[RowError], result: ImportResult) -> dict | None:
    """A row parsed into an expenditure line, or None with its errors (each naming its column) in `errors`."""
    project_id = projects.row_project_id(record, number, errors=errors, result=result)
    try:
        period = parse_period(record["period"].strip())
    except CellError as exc:
        errors.append(RowError(number, "period", str(exc)))
    else:
        refusal = period_refusal(period, projects.periods.get(project_id))
        if refusal:
            errors.append(RowError(number, "period", refusal))
    input_code = record["input_type"].strip().upper()
    input_type_id = input_types.get(input_code)
    if input_type_id is None:
        errors.append(RowError(number, "input_type", _("Unknown type of input “%(code)s” (one of %(codes)s).") % {
            "code": excerpt(record["input_type"]), "codes": ", ".join(sorted(input_types))}))
    try:
        currency = _currency(record["currency"])
    except CellError as exc:
        errors.append(RowError(number, "currency", str(exc)))
    try:
        amount = parse_decimal(record["amount"])
    except CellError as exc:
        errors.append(RowError(number, "amount", str(exc)))
    named_source = record.get("funding_source", "").strip().upper()
    if named_source:
        source_id, source_code = sources.get(named_source), named_source
        if source_id is None:
            errors.append(_unknown_source(number, record["funding_source"], sources))
    else:
        source_id, source_code = projects.main_sources.get(project_id, (None, ""))
    if errors:
        return None
    return {"row": number, "project_id": project_id, "period": period, "input_type_id": input_type_id,
            "currency": currency, "funding_source_id": source_id, "amount": amount,
            "symbol": record["project_symbol"].strip(), "input_code": input_code,
            "source_code": source_code, "source_named": bool(named_source)}


def _import_expenditure(rows, *, result: ImportResult, batch, user) -> None:
    """A line's key is its project, period, type of input, currency and source of funds; a row whose optional
    `funding_source` is absent or empty is booked to its project's main source."""
    input_types = dict(InputType.objects.values_list("code", "id"))
    sources = dict(FundingSource.objects.values_list("code", "id"))
    projects = _FileProjects(user, periods=True, main_sources=True)
    rates = _FileRates()
    missing_rates: list[RowError] = []
    with FirstRows() as first_rows, SpendTotals() as spend, StagingTable(Expenditure, STAGED_COLUMNS) as staged:
        for chunk in row_chunks(rows):
            projects.load(chunk)
            checked = []
            for number, record in chunk:
                row_errors = []
                line = _expenditure_line(number, record, projects=projects, input_types=input_types,
                                         sources=sources, errors=row_errors, result=result)
                checked.append((number, row_errors, line and expenditure_key(line), line))
            lines = list(first_rows.sift(checked, result.errors, _duplicate("currency")))
            if result.errors:
                continue
            rates.load({(line["currency"], line["period"]) for line in lines})
            missing_rates += [RowError(line["row"], "currency", _no_rate(line["currency"], line["period"]))
                              for line in lines if rates.get(line["currency"], line["period"]) is None]
            if missing_rates:
                continue
            _expenditure_chunk(lines, rates=rates, spend=spend, staged=staged, result=result, batch=batch)
        if result.errors:
            return
        if missing_rates:
            result.errors += missing_rates
            return
        result.errors += spend.errors()
        if result.errors or result.dry_run:
            return
        _write_expenditure(staged)


def _write_expenditure(staged: StagingTable) -> None:
    """The file's new and changed lines, staged, into Expenditure (one upsert), then the rollups of the months
    they touch (each project and month once)."""
    staged.upsert(key=EXPENDITURE_KEY, update=["amount", "exchange_rate", "amount_usd", "batch_id"])
    touched: dict[int, set] = defaultdict(set)
    for project_id, period in staged.distinct("project_id", "period"):
        # SQLite hands a staged date back as its text
        touched[project_id].add(dt.date.fromisoformat(period) if isinstance(period, str) else period)
    refresh_month_spend(touched)
    refresh_year_delivery({(project_id, period.year) for project_id, periods in touched.items() for period in periods})


def _expenditure_chunk(lines: list[dict], *, rates: _FileRates, spend: SpendTotals, staged: StagingTable,
                       result: ImportResult, batch) -> None:
    """The stored lines a chunk's lines replace, its plan and counts, its sums per group (the negative-spend rule)
    and, for a real import, its new and changed lines staged (written once the whole file has passed)."""
    existing = {expenditure_key(stored): stored for stored in Expenditure.objects.filter(
        project_id__in=sorted({line["project_id"] for line in lines}),
        period__in=sorted({line["period"] for line in lines})).values(*EXPENDITURE_KEY, "amount", "amount_usd")}
    for line in lines:
        old = existing.get(expenditure_key(line))
        line["old"] = old["amount"] if old else None
        if old is not None and old["amount"] == line["amount"]:
            # Unchanged: its US$ value stays as it was fixed at posting, even if the month's rate was revised.
            line["amount_usd"] = old["amount_usd"]
        else:
            rate = rates.get(line["currency"], line["period"])
            line["exchange_rate"], line["amount_usd"] = rate, to_usd(line["amount"], rate)
    spend.add(lines, existing)
    to_write = []
    for line in lines:
        if result.dry_run:
            result.add_plan(_expenditure_plan, line)
        if line["old"] is None:
            result.created += 1
        elif line["old"] != line["amount"]:
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        if not result.dry_run:
            to_write.append([*(line[name] for name in EXPENDITURE_KEY), line["amount"], line["exchange_rate"],
                             line["amount_usd"], batch.pk])
    staged.add(to_write)


def refresh_month_spend(touched: dict[int, set]) -> None:
    """Recompute the month rollups (ProjectMonthSpend and, by source of funds, SourceMonthSpend) of the given
    {project_id: {periods}}, set-based: one aggregate read per chunk of projects, one upsert per rollup
    (core.staging).

    The aggregate covers the cross product of the touched projects and periods (a superset of the touched
    pairs, recomputed to the same value), which keeps the read to one IN-list query per chunk of projects.
    """
    if not touched:
        return
    project_ids = sorted(touched)
    periods = sorted(set().union(*touched.values()))
    by_source, by_month = [], defaultdict(Decimal)
    for chunk in _chunks(project_ids):
        for pid, period, source_id, total in (
                Expenditure.objects.filter(project_id__in=chunk, period__in=periods)
                .values("project_id", "period", "funding_source_id").annotate(total=Sum("amount_usd"))
                .values_list("project_id", "period", "funding_source_id", "total")):
            if period in touched[pid]:
                total = _money(total)
                by_source.append({"project_id": pid, "period": period, "funding_source_id": source_id,
                                  "amount_usd": total})
                by_month[(pid, period)] += total
    upsert_rows(SourceMonthSpend, by_source, key=("project_id", "period", "funding_source_id"))
    upsert_rows(ProjectMonthSpend, [{"project_id": pid, "period": period, "amount_usd": total}
                                     for (pid, period), total in by_month.items()], key=("project_id", "period"))


def refresh_year_delivery(keys: Iterable[tuple[int, int]]) -> None:
    """Recompute the year rollups (ProjectYearDelivery and SourceYearDelivery) of the given (project_id, year)
    pairs from Allocation and the month rollups, set-based: per year and chunk of projects four aggregate reads
    and their upserts (core.staging)."""
    projects_by_year: dict[int, set] = defaultdict(set)
    for project_id, year in keys:
        projects_by_year[year].add(project_id)
    for year, project_ids in sorted(projects_by_year.items()):
        for chunk in _chunks(sorted(project_ids)):
            _write_year_delivery(year, Q(project_id__in=chunk), expected=set(chunk))


def rebuild_year_delivery(*, years: Iterable[int] | None = None) -> int:
    """Recompute the year rollups from scratch (all years, or the given ones) from Allocation and the month
    rollups; returns the ProjectYearDelivery row count.

    For repairs and for data loaded outside the import services (demo and benchmark seeding)."""
    with transaction.atomic():
        if years is None:
            years = ({d.year for d in ProjectMonthSpend.objects.dates("period", "year")}
                     | set(Allocation.objects.values_list("year", flat=True).distinct()))
            ProjectYearDelivery.objects.all().delete()
            SourceYearDelivery.objects.all().delete()
        years = sorted(set(years))
        ProjectYearDelivery.objects.filter(year__in=years).delete()
        SourceYearDelivery.objects.filter(year__in=years).delete()
        for year in years:
            in_year = Q(period__gte=dt.date(year, 1, 1), period__lte=dt.date(year, 12, 1))
            project_ids = sorted(
                set(Allocation.objects.filter(year=year).values_list("project_id", flat=True).distinct())
                | set(ProjectMonthSpend.objects.filter(in_year).values_list("project_id", flat=True).distinct()))
            for chunk in _chunks(project_ids):
                _write_year_delivery(year, Q(project_id__in=chunk), expected=set())
        return ProjectYearDelivery.objects.filter(year__in=years).count()


def _money(amount) -> Decimal:
    """A US$ sum as an exact Decimal (SQLite may hand sums back as floats)."""
    value = Decimal(repr(amount)) if isinstance(amount, float) else Decimal(amount or 0)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _cents(amount) -> int:
    """Whole cents of a US$ sum."""
    return 0 if amount is None else int(_money(amount) * 100)


def _year_rows(month_model, year: int, projects: Q, by: tuple[str, ...]) -> list[dict]:
    """The rows (column values) of a year rollup for the projects in `projects`: one per value of the fields `by`
    (which Allocation and `month_model` share), from Σ allocation and the running sums of `month_model`."""
    allocations = {tuple(key): total for *key, total in Allocation.objects.filter(projects, year=year).values(
        *by).annotate(total=Sum("amount_usd")).values_list(*by, "total")}
    month_sums = {f"m{month:02d}": Sum("amount_usd", filter=Q(period=dt.date(year, month, 1)))
                  for month in range(1, 13)}
    spend = {tuple(row[name] for name in by): row for row in month_model.objects.filter(
        projects, period__gte=dt.date(year, 1, 1), period__lte=dt.date(year, 12, 1)).values(*by).annotate(
        first=Min("period"), **month_sums)}
    rows = []
    for key in sorted(set(allocations) | set(spend)):
        months = spend.get(key, {})
        row = {**dict(zip(by, key, strict=True)), "year": year, "has_allocation": key in allocations,
               "allocation_cents": _cents(allocations.get(key)),
               "first_spend_month": months["first"].month if months else None}
        running = 0
        for month, name in enumerate(CUMULATIVE_FIELDS, start=1):
            running += _cents(months.get(f"m{month:02d}"))
            row[name] = running
        rows.append(row)
    return rows


def _write_year_delivery(year: int, projects: Q, *, expected: set) -> None:
    """Upsert the year rows of the projects in `projects`; delete those of `expected` left with no data. Their
    rows by source of funds are written anew."""
    rows = _year_rows(ProjectMonthSpend, year, projects, ("project_id",))
    upsert_rows(ProjectYearDelivery, rows, key=("project_id", "year"))
    gone = expected - {row["project_id"] for row in rows}
    if gone:
        ProjectYearDelivery.objects.filter(project_id__in=sorted(gone), year=year).delete()
    SourceYearDelivery.objects.filter(projects, year=year).delete()
    upsert_rows(SourceYearDelivery, _year_rows(SourceMonthSpend, year, projects, ("project_id", "funding_source_id")),
                key=("project_id", "year", "funding_source_id"))


_IMPORTERS = {
    ImportKind.ALLOCATIONS: _import_allocations,
    ImportKind.EXPENDITURE: _import_expenditure,
    ImportKind.RATES: _import_rates,
}


@transaction.atomic
def allocation_set(*, project, year: int, funding_source, amount_usd: Decimal, reason: str, user=None) -> Allocation:
    """Set one allocation by hand (admin, API): a change keeps the earlier amount as a revision with its reason.

    Who may: whoever may change the project (its units' officers and managers, administrators)."""
    require(user, CHANGE_PROJECT, project)
    if not (reason or "").strip():
        raise ValueError(_("Give the reason for the allocation change."))
    if amount_usd < 0:
        raise ValueError(_("An allocation cannot be negative."))
    allocation = Allocation.objects.select_for_update().filter(
        project=project, year=year, funding_source=funding_source).first()
    if allocation is None:
        new = [Allocation(project=project, year=year, funding_source=funding_source, amount_usd=amount_usd)]
        _write_allocations(new, [], reason=reason, user=user)
        allocation = new[0]
    elif allocation.amount_usd != amount_usd:
        _write_allocations([], [(allocation, amount_usd)], reason=reason, user=user)
    return allocation


# How the latest record of each kind reads as a row of its file: the templates' example.
_TEMPLATE_RECORDS: dict[str, tuple[Callable, Callable]] = {
    ImportKind.ALLOCATIONS: (
        lambda: Allocation.objects.select_related("project", "funding_source").order_by("-year", "-pk"),
        lambda a: [a.project.symbol, str(a.year), a.funding_source.code, str(a.amount_usd)]),
    ImportKind.EXPENDITURE: (
        lambda: Expenditure.objects.select_related("project", "input_type").order_by("-period", "-pk"),
        lambda e: [e.project.symbol, f"{e.period:%Y-%m}", e.input_type.code, e.currency, str(e.amount)]),
    ImportKind.RATES: (
        lambda: ExchangeRate.objects.order_by("-period", "currency"),
        lambda r: [r.currency, f"{r.period:%Y-%m}", str(r.units_per_usd)]),
    ImportKind.APPROVALS: (
        lambda: Approval.objects.select_related("project", "donor").order_by("-date", "-pk"),
        lambda a: [a.project.symbol, a.donor.acronym or a.donor.name, a.date.isoformat(), str(a.amount), a.currency]),
}


def template_rows(kind: str) -> list[list[str]]:
    """Header and one example row of a kind's import file: the latest record of this installation as the file
    writes it (its project and codes exist here; importing it unchanged changes nothing), else TEMPLATE_EXAMPLES'."""
    records, as_row = _TEMPLATE_RECORDS[kind]
    latest = records().first()
    return [LAYOUTS[kind], as_row(latest) if latest is not None else TEMPLATE_EXAMPLES[kind]]


# ---------------------------------------------------------------- approvals
#
# An approval is keyed by its project, donor and date: a file row or a form naming an existing one changes it.
# Its amount is in the currency of the decision; the US$ value uses the UN rate of the month of its date
# (US$ needs none). Who may: whoever may change the project, as for allocations; the history (django-simple-
# history) keeps who created, changed or deleted each approval, and what it was.

APPROVAL_FIELDS = frozenset({"donor", "date", "amount", "currency"})


def _by(user, instance):
    """Attach the acting user so the history record says who made the change."""
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user
    return instance


def _approval_duplicate(approval: Approval) -> bool:
    return Approval.objects.filter(project_id=approval.project_id, donor_id=approval.donor_id,
                                   date=approval.date).exclude(pk=approval.pk).exists()


def _approval_write(approval: Approval, *, user) -> Approval:
    """Fix the US$ value with the month's rate, validate (errors keyed by field) and save with its history."""
    try:
        approval.currency = _currency(approval.currency)
    except CellError as exc:
        raise ValidationError({"currency": str(exc)})
    if approval.amount is None or approval.amount <= 0:
        raise ValidationError({"amount": _("The amount must be greater than zero.")})
    if approval.date is not None:
        period = approval.date.replace(day=1)
        rate = (Decimal(1) if approval.currency == REFERENCE_CURRENCY
                else _rates_for({approval.currency}, {period}).get((approval.currency, period)))
        if rate is None:
            raise ValidationError({"currency": _no_rate(approval.currency, period)})
        approval.exchange_rate, approval.amount_usd = rate, to_usd(approval.amount, rate)
        if approval.amount_usd <= 0:
            raise ValidationError({"amount": _("The amount must be greater than zero.")})
    try:
        approval.full_clean()
    except ValidationError as error:  # the US$ value and rate are derived: what is at fault is the amount
        raise ValidationError({("amount" if name in ("amount_usd", "exchange_rate") else name): messages
                               for name, messages in error.message_dict.items()})
    if _approval_duplicate(approval):
        raise ValidationError({"date": _("This donor's approval of that date is already recorded for the project: "
                                         "change it instead.")})
    _by(user, approval).save()
    return approval


@transaction.atomic
def approval_create(*, project, donor, date: dt.date, amount: Decimal, currency: str = REFERENCE_CURRENCY,
                    user=None) -> Approval:
    """Record funds a donor approved for a project (the money tab, the API)."""
    require(user, CHANGE_PROJECT, project)
    return _approval_write(Approval(project=project, donor=donor, date=date, amount=amount, currency=currency),
                           user=user)


@transaction.atomic
def approval_update(*, approval: Approval, user=None, **values) -> Approval:
    """Change an approval's donor, date, amount or currency (its US$ value follows)."""
    require(user, CHANGE_PROJECT, approval.project)
    unknown = sorted(set(values) - APPROVAL_FIELDS)
    if unknown:
        raise ValidationError({name: _("“%(name)s” is not a field that can be set here.") % {"name": name}
                               for name in unknown})
    for name, value in values.items():
        setattr(approval, name, value)
    return _approval_write(approval, user=user)


@transaction.atomic
def approval_delete(*, approval: Approval, user=None) -> None:
    """Delete an approval; its history keeps who removed it and what it was."""
    require(user, CHANGE_PROJECT, approval.project)
    _by(user, approval).delete()


def _approval_plan(number: int, label: str, amount: Decimal, currency: str, old: Approval | None) -> dict:
    """The preview row of an approval: the amount in its own currency, and the one it replaces."""
    if old is not None and old.currency != currency:
        return {"row": number, "key": label, "action": "replace",
                "changes": [f"{old.amount} {old.currency} → {amount} {currency}"]}
    return plan_entry(number, label, amount, None if old is None else old.amount, currency)


def _import_approvals(rows, *, result: ImportResult, batch, user) -> None:
    projects = _FileProjects(user)
    rates = _FileRates()
    later: list[RowError] = []  # the errors that need the rates and the stored approvals
    with FirstRows() as first_rows:
        for chunk in row_chunks(rows):
            projects.load(chunk)
            donors = organisations_find(record["donor"] for _n, record in chunk)
            checked = []
            for number, record in chunk:
                row_errors = []
                project_id = projects.row_project_id(record, number, errors=row_errors, result=result)
                donor = donors.get(record["donor"].strip())
                if donor is None:
                    row_errors.append(RowError(number, "donor", _(
                        "No organisation with the acronym or name “%(donor)s”.") % {
                        "donor": excerpt(record["donor"])}))
                elif not donor.may_fund:
                    row_errors.append(RowError(number, "donor", _(
                        "An employers' or workers' organisation cannot be the donor.")))
                try:
                    date = parse_date(record["date"])
                except CellError as exc:
                    row_errors.append(RowError(number, "date", str(exc)))
                try:
                    amount = parse_decimal(record["amount"], allow_negative=False)
                except CellError as exc:
                    row_errors.append(RowError(number, "amount", str(exc)))
                else:
                    if amount == 0:
                        row_errors.append(RowError(number, "amount", _("The amount must be greater than zero.")))
                try:
                    currency = _currency(record["currency"])
                except CellError as exc:
                    row_errors.append(RowError(number, "currency", str(exc)))
                if row_errors:
                    checked.append((number, row_errors, None, None))
                    continue
                label = ", ".join([record["project_symbol"].strip(), excerpt(record["donor"].strip()),
                                   record["date"].strip()])
                key = (project_id, donor.pk, date)
                checked.append((number, row_errors, key, (number, label, key, amount, currency)))
            parsed = list(first_rows.sift(checked, result.errors, _duplicate("date")))
            if result.errors:
                continue
            _approvals_chunk(parsed, rates=rates, later=later, result=result, batch=batch, user=user)
    if not result.errors:
        result.errors += later


def _approvals_chunk(parsed: list[tuple], *, rates: _FileRates, later: list[RowError], result: ImportResult,
                     batch, user) -> None:
    """A chunk's rows against the rates and the stored approvals: their errors in `later`; else their plan, counts
    and, for a real import while the file has no error, their writes."""
    rates.load({(currency, date.replace(day=1)) for _n, _l, (_p, _d, date), _a, currency in parsed})
    existing: dict[tuple, list[Approval]] = defaultdict(list)
    for approval in Approval.objects.filter(project_id__in=sorted({key[0] for _n, _l, key, _a, _c in parsed})):
        existing[(approval.project_id, approval.donor_id, approval.date)].append(approval)
    new, changed = [], []
    for number, label, key, amount, currency in parsed:
        project_id, donor_id, date = key
        period = date.replace(day=1)
        rate = rates.get(currency, period)
        if rate is None:
            later.append(RowError(number, "currency", _no_rate(currency, period)))
            continue
        amount_usd = to_usd(amount, rate)
        if amount_usd <= 0:
            later.append(RowError(number, "amount", _("The amount must be greater than zero.")))
            continue
        matches = existing.get(key, [])
        if len(matches) > 1:
            later.append(RowError(number, "date", _(
                "The project has several approvals of this donor on this date: change them on the project's "
                "page.")))
            continue
        if result.dry_run:
            result.add_plan(_approval_plan, number, label, amount, currency, matches[0] if matches else None)
        if not matches:
            new.append(_by(user, Approval(project_id=project_id, donor_id=donor_id, date=date, amount=amount,
                                          currency=currency, exchange_rate=rate, amount_usd=amount_usd,
                                          batch=batch)))
        elif (matches[0].amount, matches[0].currency) != (amount, currency):
            approval = matches[0]
            approval.amount, approval.currency, approval.exchange_rate, approval.amount_usd, approval.batch = (
                amount, currency, rate, amount_usd, batch)
            changed.append(_by(user, approval))
        else:
            result.unchanged += 1
    result.created += len(new)
    result.updated += len(changed)
    if later or result.dry_run:
        return
    # Few rows per file (decisions, not transactions): saved one by one, so that each keeps its history.
    for approval in [*new, *changed]:
        approval.save()


_IMPORTERS[ImportKind.APPROVALS] = _import_approvals
