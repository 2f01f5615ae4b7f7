"""The import of a project's records from CSV or XLSX: experts, training activities, progress reports (README,
"Importing experts, training and progress reports"). All rows or none.

Each row names its project by symbol and is keyed within it: an expert by nationality, year and name (or post),
a training activity by title and start date, a progress report by the end of the period it covers. A row whose key
is recorded already changes that record; otherwise it adds one. Who may: whoever may import projects, and for each
row whoever may change its project (a row of another project is an error of its `project_symbol` cell); `user=None`
is a system actor (the command). Each record is validated by its model (errors name the row and the column) and
saved with its history, as a form would.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.permissions import refusal_message, require
from core.locks import serialise
from core.scratch import FirstRows
from core.tabular import (
    CellError,
    RowError,
    TableError,
    TableImportResult,
    excerpt,
    parse_date,
    parse_decimal,
    parse_int,
    read_table,
    row_chunks,
    source_name,
    with_progress,
)
from partners.models import Country
from projects.models import ExpertAssignment, ProgressReport, Project, TrainingActivity
from projects.permissions import CHANGE_PROJECT, IMPORT_PROJECTS, projects_not_editable
from projects.services._shared import _by, parse_yes_no

CHUNK = 2000


def _text(value: str) -> str:
    return (value or "").strip()


def _count(value: str) -> int:
    return parse_int(_text(value) or "0", minimum=0, maximum=10**6)


@dataclass(frozen=True)
class RecordLayout:
    """One kind of record file: its model, required and optional columns, the column each parsed value comes from
    (value name → (column, parser)), the values that identify a record within its project, an example row for when
    there is no record yet, and how a record reads as a row (the template's example: importing it changes nothing)."""

    model: type
    required: list[str]
    optional: list[str]
    parsers: dict[str, tuple[str, Callable]]
    key: tuple[str, ...]
    example: list[str]
    as_row: Callable[[object], list[str]]
    related: tuple[str, ...] = ("project",)

    @property
    def columns(self) -> list[str]:
        return [*self.required, *self.optional]

    def column_of(self, name: str) -> str | None:
        return self.parsers[name][0] if name in self.parsers else None


RECORD_LAYOUTS: dict[str, RecordLayout] = {
    "experts": RecordLayout(
        model=ExpertAssignment, required=["project_symbol", "nationality", "year", "work_months"], optional=["name"],
        parsers={"nationality": ("nationality", None), "year": ("year", lambda v: parse_int(_text(v), minimum=1950,
                                                                                           maximum=2100)),
                 "work_months": ("work_months", lambda v: parse_decimal(_text(v), allow_negative=False,
                                                                          max_digits=7)),
                 "name": ("name", _text)},
        key=("nationality", "year", "name"),
        example=["KEN/00/01/NOR", "KEN", "2001", "6.5", "Chief technical adviser"],
        as_row=lambda r: [r.project.symbol, r.nationality.iso3, str(r.year), str(r.work_months), r.name],
        related=("project", "nationality")),
    "training": RecordLayout(
        model=TrainingActivity, required=["project_symbol", "title", "start_date", "end_date"],
        optional=["area", "women", "men", "turin_centre"],
        parsers={"title": ("title", _text), "start_date": ("start_date", lambda v: parse_date(_text(v))),
                 "end_date": ("end_date", lambda v: parse_date(_text(v))), "area": ("area", _text),
                 "women": ("women", _count), "men": ("men", _count), "is_turin_centre": ("turin_centre", parse_yes_no)},
        key=("title", "start_date"),
        example=["KEN/00/01/NOR", "Start and improve your business", "2001-03-05", "2001-03-09",
                 "Small enterprise management", "12", "9", "no"],
        as_row=lambda r: [r.project.symbol, r.title, r.start_date.isoformat(), r.end_date.isoformat(), r.area,
                          str(r.women), str(r.men), "yes" if r.is_turin_centre else "no"]),
    "progress_reports": RecordLayout(
        model=ProgressReport, required=["project_symbol", "period_end", "due_date"],
        optional=["submitted_date", "comment"],
        parsers={"period_end": ("period_end", lambda v: parse_date(_text(v))),
                 "due_date": ("due_date", lambda v: parse_date(_text(v))),
                 "submitted_date": ("submitted_date", lambda v: parse_date(_text(v), required=False)),
                 "comment": ("comment", _text)},
        key=("period_end",),
        example=["KEN/00/01/NOR", "2001-06-30", "2001-08-31", "2001-08-20", "On time"],
        as_row=lambda r: [r.project.symbol, r.period_end.isoformat(), r.due_date.isoformat(),
                          r.submitted_date.isoformat() if r.submitted_date else "", r.comment]),
}


class RecordImportResult(TableImportResult):
    """A project-record import's result (core.tabular.TableImportResult, nothing more)."""


def record_template_rows(kind: str) -> list[list[str]]:
    """Header and one example row of a kind's import file: the latest record of this installation as the file
    writes it (its project and codes exist here; importing it unchanged changes nothing), else the layout's."""
    layout = RECORD_LAYOUTS[kind]
    latest = layout.model.objects.select_related(*layout.related).order_by("-pk").first()
    return [layout.columns, layout.as_row(latest) if latest is not None else layout.example]


def _chunks(items: list):
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


class _Refused(Exception):
    """A row was refused after others were written: everything the import wrote is undone."""


@transaction.atomic
def record_import(*, kind: str, source, filename: str = "", user=None, dry_run: bool = False,
                  progress: Callable[[int, int], None] | None = None) -> RecordImportResult:
    """Import one experts, training or progress-reports file: all rows or none (a dry run writes nothing). The
    file (bytes, a path or an open file) is read a row at a time and gone through a chunk of rows after another."""
    if kind not in RECORD_LAYOUTS:
        raise ValueError(f"Unknown record kind {kind!r}; expected one of {', '.join(RECORD_LAYOUTS)}")
    require(user, IMPORT_PROJECTS)
    layout = RECORD_LAYOUTS[kind]
    result = RecordImportResult(kind=kind, file_name=filename or source_name(source), dry_run=dry_run)
    try:
        table = read_table(source, required=layout.required, optional=layout.optional, filename=result.file_name)
    except TableError as exc:
        result.errors = exc.errors
        return result
    result.rows_total = len(table.rows)
    serialise(f"record_import:{kind}")  # two uploads at once: the second finds the first one's records

    records = _FileRecords(layout, user)
    try:
        with transaction.atomic(), FirstRows() as first_rows:
            for chunk in row_chunks(with_progress(table.rows, progress)):
                records.load(chunk)
                checked = [_record_values(number, record, layout, records, result) for number, record in chunk]
                duplicate = _duplicate(layout.column_of(layout.key[0]))
                to_save = [instance for number, key, values in first_rows.sift(checked, result.errors, duplicate)
                           if (instance := _record_instance(number, key, values, layout, records, result))]
                if not dry_run and not result.errors:
                    for instance in to_save:  # one by one, so that each record keeps its history
                        _by(user, instance).save()
            if result.errors:
                raise _Refused
    except _Refused:
        result.created = result.updated = result.unchanged = 0
    return result


class _FileRecords:
    """What a file's rows are checked against, looked up as its chunks come: its projects (one query a chunk for
    the symbols not met before, with those the user may not change), the countries, and the stored records of the
    chunk's projects (one query a chunk)."""

    def __init__(self, layout: RecordLayout, user):
        self.layout, self.user = layout, user
        self.projects: dict[str, Project | None] = {}
        self.not_editable: set[int] = set()
        self.countries = {c.iso3: c for c in Country.objects.all()} if "nationality" in layout.parsers else {}
        self.existing: dict[tuple, list] = {}

    def load(self, chunk: list) -> None:
        symbols = {_text(record["project_symbol"]).upper() for _n, record in chunk} - self.projects.keys()
        found = {}
        for part in _chunks(sorted(symbols)):
            found.update((p.symbol, p) for p in Project.objects.filter(symbol__in=part))
        self.projects.update((symbol, found.get(symbol)) for symbol in symbols)
        self.not_editable |= set(projects_not_editable(self.user, [p.pk for p in found.values()]))
        chunk_projects = {self.projects[_text(record["project_symbol"]).upper()] for _n, record in chunk}
        self.existing = {}
        for record in self.layout.model.objects.filter(
                project_id__in=sorted(p.pk for p in chunk_projects if p is not None)):
            key = (record.project_id, *(getattr(record, f"{name}_id" if name == "nationality" else name)
                                        for name in self.layout.key))
            self.existing.setdefault(key, []).append(record)


def _record_values(number: int, record: dict, layout: RecordLayout, records: _FileRecords,
                   result: RecordImportResult) -> tuple:
    """(row, its errors, its key, (row, key, parsed values)) of a row (core.scratch.FirstRows.sift)."""
    row_errors = []
    symbol = _text(record["project_symbol"]).upper()
    project = records.projects.get(symbol)
    if project is None:
        row_errors.append(RowError(number, "project_symbol", _("No project with symbol “%(symbol)s”.") % {
            "symbol": excerpt(symbol)}))
    elif project.pk in records.not_editable:
        row_errors.append(RowError(number, "project_symbol", refusal_message(CHANGE_PROJECT, project)))
        result.refused = True
    values = {"project": project}
    for name, (column, parse) in layout.parsers.items():
        if column not in record and column in layout.optional:
            continue  # an optional column the file leaves out: the model's default, or the stored value
        try:
            if name == "nationality":
                values[name] = _country(record[column], records.countries)
            else:
                values[name] = parse(record.get(column, ""))
        except CellError as exc:
            row_errors.append(RowError(number, column, str(exc)))
    if row_errors:
        return number, row_errors, None, None
    key_values = tuple(values.get(name, "") for name in layout.key)
    key = (project.pk, *(getattr(v, "pk", v) for v in key_values))
    return number, row_errors, key, (number, key, values)


def _record_instance(number: int, key: tuple, values: dict, layout: RecordLayout, records: _FileRecords,
                     result: RecordImportResult):
    """The record a checked row creates or changes (counted), None if it changes nothing or is refused (its error
    appended)."""
    project = values.pop("project")
    matches = records.existing.get(key, [])
    if len(matches) > 1:
        result.errors.append(RowError(number, layout.column_of(layout.key[0]), _(
            "The project has several such records: change them on the project's page.")))
        return None
    instance = matches[0] if matches else layout.model(project=project)
    changed = not matches or any(getattr(instance, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(instance, name, value)
    try:
        # The project and the nationality were looked up above: their foreign keys need no query per row.
        instance.full_clean(exclude=["project", "nationality"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                result.errors.append(RowError(number, layout.column_of(name), message))
        return None
    if not matches:
        result.created += 1
    elif changed:
        result.updated += 1
    else:
        result.unchanged += 1
        return None
    return instance


def _duplicate(column: str | None):
    def error(row: int, first: int) -> RowError:
        return RowError(row, column, _("Duplicate of row %(first)s (same key).") % {"first": first})

    return error


def _country(value: str, countries: dict[str, Country]) -> Country:
    code = _text(value).upper()
    if code not in countries:
        raise CellError(_("“%(value)s” is not a country's ISO 3166-1 alpha-3 code (e.g. KEN).") % {
            "value": excerpt(value)})
    return countries[code]
