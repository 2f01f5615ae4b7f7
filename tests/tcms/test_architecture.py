"""The house's architecture, checked: apps import only the apps below them, and only the clock reads the date.

Layers, bottom to top (README "Layout"): the shared helpers (core) know no domain app; accounts ← partners ←
projects ← delivery ← evaluation ← alerts ← reports, iati ← home; tcms (settings, URLs, Celery) wires them all.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LAYERS = [
    {"core"},
    {"accounts"},
    {"partners"},
    {"projects"},
    {"delivery"},
    {"evaluation"},
    {"alerts"},
    {"reports", "iati"},
    {"home"},
]
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}
APPS = sorted(LEVEL)


def _python_files(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imported_apps(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in LEVEL or top == "tcms":
                yield node.lineno, top


@pytest.mark.parametrize("app", APPS)
def test_an_app_imports_only_apps_below_it(app):
    upward = []
    for path in _python_files(app):
        for line, imported in _imported_apps(path):
            if imported == "tcms" and app != "home":
                upward.append(f"{path.relative_to(ROOT)}:{line} imports the project wiring (tcms)")
            elif imported in LEVEL and imported != app and LEVEL[imported] >= LEVEL[app]:
                upward.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert upward == [], "imports that point up or sideways:\n" + "\n".join(upward)


def test_every_installed_project_app_has_a_layer():
    project_apps = {name.split(".")[0] for name in settings.INSTALLED_APPS if (ROOT / name.split(".")[0]).is_dir()}
    assert project_apps - {"tcms"} == set(LEVEL)


# ---------------------------------------------------------------- only the clock reads the date

CLOCK = ROOT / "core" / "clock.py"
# Calls that read "now" and keep only its date: timezone.now().date(), timezone.localtime().date().
NOW_FUNCTIONS = {"now", "localtime"}


def _dotted(node) -> str:
    """"a.b.c" for a chain of names and attributes; "" for anything else (a call, a subscript...)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


def _is_clock(dotted: str) -> bool:
    return dotted == "clock" or dotted.endswith(".clock")


def date_readers(source: str) -> list[tuple[int, str]]:
    """(line, what) for each place in `source` that reads the date itself instead of asking core.clock: .today()
    of any class (date, datetime, dt.date...), datetime.now()/utcnow(), timezone.localdate (called or passed as a
    default), and the date of the current time (timezone.now().date(), timezone.localtime().date()). The current
    time itself (timezone.now()) stays allowed: record timestamps are real time."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.timezone":
            found += [(node.lineno, f"imports {alias.name}") for alias in node.names if alias.name == "localdate"]
        elif isinstance(node, ast.Attribute):
            base = _dotted(node.value)
            if node.attr == "today" and not _is_clock(base):
                found.append((node.lineno, f"{base or '…'}.today"))
            elif node.attr in ("now", "utcnow") and base.split(".")[-1] == "datetime":
                found.append((node.lineno, f"{base}.{node.attr}"))
            elif node.attr == "localdate":
                found.append((node.lineno, f"{base}.localdate"))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "date"
              and isinstance(node.func.value, ast.Call) and not node.func.value.args):
            inner = _dotted(node.func.value.func)
            if inner.split(".")[-1] in NOW_FUNCTIONS and not _is_clock(inner.rpartition(".")[0]):
                found.append((node.lineno, f"{inner}().date()"))
    return found


@pytest.mark.parametrize("source", [
    "import datetime\nx = datetime.date.today()",
    "import datetime as dt\nx = dt.date.today()",
    "from datetime import date\nx = date.today()",
    "from datetime import datetime\nx = datetime.today()",
    "from datetime import datetime\nx = datetime.now()",
    "import datetime\nx = datetime.datetime.now(datetime.UTC)",
    "import datetime as dt\nx = dt.datetime.utcnow()",
    "from django.utils import timezone\nx = timezone.localdate()",
    "from django.utils.timezone import localdate\nx = localdate()",
    "from django.utils import timezone\nx = timezone.now().date()",
    "from django.utils import timezone\nx = timezone.localtime().date()",
    "from django.utils import timezone\nday = models.DateField(default=timezone.localdate)",
    "import datetime\nday = models.DateField(default=datetime.date.today)",
])
def test_the_check_finds_a_module_reading_the_date(source):
    assert date_readers(source), source


@pytest.mark.parametrize("source", [
    "from core import clock\nx = clock.today()\ny = clock.now().date()",
    "from django.utils import timezone\nstamp = timezone.now()",  # a record's timestamp: real time
    "from django.utils import timezone\nx = timezone.localtime(stamp).date()",  # a given moment's date
    "import datetime as dt\nx = dt.date.fromisoformat('2001-10-31')",
])
def test_the_check_lets_the_clock_and_timestamps_through(source):
    assert date_readers(source) == []


def test_only_the_clock_reads_the_date():
    """Business logic asks core/clock.py for today (so TCMS_TODAY moves every page, scan and digest together)."""
    readers = [f"{path.relative_to(ROOT)}:{line}: {what}"
               for app in [*APPS, "tcms"] for path in _python_files(app) if path != CLOCK
               for line, what in date_readers(path.read_text(encoding="utf-8"))]
    assert readers == [], "modules that read the date themselves (ask core.clock):\n" + "\n".join(readers)
