"""Every page carries the Content Security Policy and contains nothing that policy would block.

The pages are those of the access matrix (tests/web/test_access_matrix.py: generated from the URL configuration,
so a new page is walked too), opened as an administrator on a small world of records, plus the sign-in page.
"""

import pytest
from django.urls import reverse

from tests.security.html_checks import inline_code
from tests.web.test_access_matrix import ADMIN, MATRIX, shared_world, world  # noqa: F401 - the fixtures the pages need

pytestmark = pytest.mark.django_db

EXPECTED_DIRECTIVES = {
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "object-src 'none'",
    "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'",
}

# Pages of other parts of the application that still carry inline code, with what the CSP blocks there.
# Each entry must still be true (a fixed page fails test_known_violations_are_still_there until removed), and
# any page not listed here must be clean.
KNOWN_VIOLATIONS: dict[str, set[str]] = {}

# The pages an administrator opens (a constituent's own pages: tests/projects/test_requests.py checks them alike).
GET_PAGES = sorted(name for name, page in MATRIX.items() if page.method == "get" and ADMIN in page.allowed)


def _policy(response) -> set[str]:
    header = response.headers.get("Content-Security-Policy", "")
    return {part.strip() for part in header.split(";") if part.strip()}


def _problems(client, world, name) -> tuple[int, list[str], set[str]]:  # noqa: F811
    client.force_login(world.users[ADMIN])
    url = reverse(name, kwargs=MATRIX[name].kwargs(world))
    response = client.get(url)
    if not response.get("Content-Type", "").startswith("text/html"):
        return response.status_code, [], EXPECTED_DIRECTIVES
    return response.status_code, inline_code(response.content.decode()), _policy(response)


@pytest.mark.parametrize("name", GET_PAGES)
def test_page_has_policy_and_no_inline_code(client, world, name):  # noqa: F811
    status, problems, policy = _problems(client, world, name)
    assert status < 400, f"{name}: {status}"
    assert policy >= EXPECTED_DIRECTIVES, f"{name}: policy {sorted(policy)}"
    expected = KNOWN_VIOLATIONS.get(name, set())
    unexpected = [p for p in problems if not any(p.startswith(k) for k in expected)]
    assert not unexpected, f"{name}: {unexpected}"


def test_sign_in_page_is_clean(client):
    response = client.get(reverse("login"))
    assert _policy(response) >= EXPECTED_DIRECTIVES
    assert inline_code(response.content.decode()) == []
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false,' in response.content.decode()


def test_checker_catches_inline_code():
    """The HTML check is not vacuous."""
    html = ('<script>alert(1)</script><script type="application/json">{}</script><script src="/s.js"></script>'
            '<a href="javascript:void(0)" onclick="x()">a</a><div style="width: 5%"></div><style>p{}</style>'
            '<button hx-on:click="x()">b</button>')
    problems = inline_code(html)
    assert len(problems) == 6, problems


def test_known_violations_are_still_there(client, world):  # noqa: F811
    """An entry of KNOWN_VIOLATIONS that has been fixed must be removed, so the list only shrinks."""
    for name, expected in KNOWN_VIOLATIONS.items():
        _status, problems, _policy_parts = _problems(client, world, name)
        for prefix in expected:
            assert any(p.startswith(prefix) for p in problems), f"{name}: {prefix!r} is fixed, remove it"


# The API documentation pages (drf-spectacular-sidecar) start with inline code: they must either be wrapped with
# core.security.relaxed_csp_for_api_docs (script/style 'unsafe-inline' for these two pages only) or carry nothing
# more than their start-up script and style.
API_DOC_PAGES = ("api-swagger", "api-redoc")


@pytest.mark.parametrize("name", API_DOC_PAGES)
def test_api_documentation_pages(client, world, name):  # noqa: F811
    client.force_login(world.users[ADMIN])
    response = client.get(reverse(name))
    assert response.status_code == 200
    policy = _policy(response)
    assert {"object-src 'none'", "frame-ancestors 'none'", "base-uri 'self'"} <= policy
    problems = inline_code(response.content.decode())
    relaxed = "script-src 'self' 'unsafe-inline'" in policy and "style-src 'self' 'unsafe-inline'" in policy
    if not relaxed:
        assert all(p.startswith(("inline <script>", "<style> element")) for p in problems), problems


def test_api_docs_relaxation_applies_only_to_wrapped_views(rf):
    from django.http import HttpResponse

    from core.security import relaxed_csp_for_api_docs

    response = relaxed_csp_for_api_docs(lambda request: HttpResponse("docs"))(rf.get("/"))
    assert response._csp_replace["script-src"] == ["'self'", "'unsafe-inline'"]
