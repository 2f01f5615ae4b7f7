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
