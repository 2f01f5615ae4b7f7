"""Every committed catalogue is complete in French and Spanish, and the main pages render translated.

The completeness checks cover the root locale/ and each app's locale/ folder, so an app whose strings
are added without being translated (or whose translation breaks a placeholder) fails here.
"""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role
from tests.factories import UserFactory

REPOSITORY = Path(settings.BASE_DIR)
EXCLUDED_FOLDERS = {".venv", "node_modules", "var", "static"}
CATALOGUES = sorted(
    path for path in [*REPOSITORY.glob("locale/*/LC_MESSAGES/django.po"),
                      *REPOSITORY.glob("*/locale/*/LC_MESSAGES/django.po")]
    if not EXCLUDED_FOLDERS.intersection(path.relative_to(REPOSITORY).parts)
)
# %(name)s / %s style, but not the escaped %%.
PYTHON_PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]+)\))?[#0 +-]*\d*(?:\.\d+)?(?P<kind>[diouxXeEfFgGcrsa%])")
BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")


def python_placeholders(text: str) -> list[str]:
    """Named placeholders as a set-like sorted list, unnamed ones by position (order matters for them)."""
    found = [(match["name"], match["kind"]) for match in PYTHON_PLACEHOLDER.finditer(text) if match["kind"] != "%"]
    return sorted(f"{name}:{kind}" for name, kind in found if name) + [kind for name, kind in found if not name]


def brace_placeholders(text: str) -> set[str]:
    return set(BRACE_PLACEHOLDER.findall(text))


def read_catalogue(path: Path):
    with path.open("rb") as po_file:
        return read_po(po_file, locale=path.parent.parent.name)


def catalogue_id(path: Path) -> str:
    return str(path.relative_to(REPOSITORY))


def test_french_and_spanish_catalogues_exist_for_the_root_and_apps():
    found = {catalogue_id(path) for path in CATALOGUES}
    for folder in ("locale", "accounts/locale", "alerts/locale", "delivery/locale", "evaluation/locale",
                   "iati/locale", "projects/locale", "partners/locale", "reports/locale"):
        for language in ("fr", "es"):
            assert f"{folder}/{language}/LC_MESSAGES/django.po" in found


@pytest.mark.parametrize("path", CATALOGUES, ids=catalogue_id)
def test_catalogue_is_complete(path):
    catalogue = read_catalogue(path)
    problems = []
    if catalogue.fuzzy:
        problems.append("the header is still marked fuzzy: its language and plural forms were never reviewed")
    entries = [message for message in catalogue if message.id]
    assert entries, "an empty catalogue means makemessages was not run"
    for message in entries:
        where = f"{message.locations[0][0] if message.locations else '?'}: {message.id!r}"
        if message.fuzzy:
            problems.append(f"fuzzy — {where}")
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.pluralizable and len(strings) != catalogue.num_plurals:
            problems.append(f"{len(strings)} plural forms instead of {catalogue.num_plurals} — {where}")
        if not all(text.strip() for text in strings):
            problems.append(f"untranslated — {where}")
            continue
        if "python-format" in message.flags:
            expected = {tuple(python_placeholders(source)) for source in sources}
            for text in strings:
                if tuple(python_placeholders(text)) not in expected:
                    problems.append(f"placeholders {python_placeholders(text)} ≠ {sorted(expected)} — {where}")
        if "python-brace-format" in message.flags:
            expected_names = set().union(*(brace_placeholders(source) for source in sources))
            for text in strings:
                if brace_placeholders(text) != expected_names:
                    problems.append(f"placeholders {sorted(brace_placeholders(text))} ≠ {sorted(expected_names)}"
                                    f" — {where}")
    assert not problems, f"{catalogue_id(path)}: {len(problems)} problem(s):\n" + "\n".join(problems)


def test_placeholder_check_catches_a_broken_translation():
    assert python_placeholders("%(count)s rows, 50%% done") == ["count:s"]
    assert python_placeholders("%(count)s lignes") != python_placeholders("%(total)s lignes")
    assert python_placeholders("%s of %d") != python_placeholders("%d of %s")
    assert brace_placeholders("month {month}, {{literal}}") == {"month"}


# ------------------------------------------------------------------------------------ pages in French and Spanish


@pytest.fixture
def compiled(settings):
    call_command("compile_translations", verbosity=0)
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # setting_changed resets Django's translation cache


# Template literals are trusted, so {% translate %} output is not HTML-escaped (the apostrophe stays as is).
PAGE_HEADINGS = {
    "fr": {"alerts:list": "Alertes précoces", "delivery:dashboard": "Exécution",
           "evaluation:plan": "Plan d'évaluation",
           "evaluation:lessons": "Enseignements tirés et bonnes pratiques émergentes"},
    "es": {"alerts:list": "Alertas tempranas", "delivery:dashboard": "Ejecución",
           "evaluation:plan": "Plan de evaluación",
           "evaluation:lessons": "Lecciones aprendidas y buenas prácticas emergentes"},
}
NAVIGATION_AND_SIGN_OUT = {"fr": ("Projets", "Se déconnecter"), "es": ("Proyectos", "Cerrar sesión")}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "es"])
@pytest.mark.parametrize("url_name", ["alerts:list", "delivery:dashboard", "evaluation:plan", "evaluation:lessons"])
def test_pages_render_in_the_users_language(compiled, client, language, url_name):
    client.force_login(UserFactory(role=Role.MANAGER, language=language))
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert f">{PAGE_HEADINGS[language][url_name]}</h1>" in html
    for text in NAVIGATION_AND_SIGN_OUT[language]:
        assert text in html
    assert f'lang="{language}"' in html


@pytest.mark.django_db
def test_english_user_still_sees_english(compiled, client):
    client.force_login(UserFactory(role=Role.MANAGER, language="en"))
    html = client.get(reverse("alerts:list")).content.decode()
    assert ">Early-warning alerts</h1>" in html and "Alertes précoces" not in html
