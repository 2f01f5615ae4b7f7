"""The reference data of fixtures/ (projects.services.load_reference) for tests, loaded in full once per test process.

The first test that needs it runs load_reference() and its rows are kept in memory; later tests get the same rows
back with one bulk insert per table (about a tenth of the time), inside their own transaction like any other test
data, so each still starts from the same rows and rolls them back. A test whose database already holds rows in
those tables (made by its own fixtures) gets load_reference() in full, which then updates them as it would in
production.
"""

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model

from projects.services import load_reference

# (model, its rows as field values) for every table load_reference() filled (in any order: foreign keys are checked
# at commit); None until it has run on empty tables in this process.
_ROWS: list[tuple[type[Model], list[dict]]] | None = None


def _counts() -> dict[type[Model], int]:
    return {model: model._base_manager.count() for model in apps.get_models(include_auto_created=True)}


def load() -> None:
    global _ROWS
    if _ROWS is not None and not any(model._base_manager.exists() for model, _rows in _ROWS):
        _replay(_ROWS)
        return
    before = _counts()
    load_reference()
    if _ROWS is None:
        filled = [model for model, count in _counts().items() if count != before[model]]
        if all(before[model] == 0 for model in filled):
            _ROWS = [(model, list(model._base_manager.order_by("pk").values(*_columns(model)))) for model in filled]


def _columns(model: type[Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


@transaction.atomic
def _replay(rows: list[tuple[type[Model], list[dict]]]) -> None:
    for model, values in rows:
        model._base_manager.bulk_create([model(**row) for row in values])
    # Rows inserted with their keys leave PostgreSQL's sequences where they were; the next new row must get a key
    # above them (a sequence may have been reset since, e.g. by a flush). SQLite needs nothing (it returns no SQL).
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [model for model, _values in rows]):
            cursor.execute(statement)
