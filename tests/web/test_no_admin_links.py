"""Evaluation officers' and managers' routine work never sends them to the Django admin (issue 17.6).

On the demo (every page has content), each of these roles signs in, takes the links of the navigation and of its
home page, opens each page they link to, and collects that page's links too (one level): no link, form action or
HTMX address points into /admin/. A second test adds an admin link to the navigation and checks that the walk
finds it, so that the first cannot pass by finding nothing."""

import io
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse

from accounts.models import Role
from accounts.services import demo_users_ensure
from home import navigation
from projects.demo import DEMO_AS_OF

pytestmark = pytest.mark.django_db

ADMIN_PREFIX = "/admin/"
LINK_ATTRIBUTES = {"href", "action", "hx-get", "hx-post", "formaction"}
# Not pages to walk into: signing out, switching language, files.
NOT_WALKED = {"logout", "set_language", "evaluation:report", "reports:download", "projects:export",
              "projects:import_template", "projects:records_template", "delivery:template"}
PAGES_PER_URL_NAME = 2  # a list links to many pages of one kind: two of each show its links


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []  # every address the page may send to
        self.pages: list[str] = []  # those a GET opens (links, HTMX loads): the walk follows these

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in LINK_ATTRIBUTES and value:
                self.links.append(value)
                if name in ("href", "hx-get") and tag != "link":
                    self.pages.append(value)


def links_of(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def _walkable(url: str, page_url: str) -> str | None:
    """The path?query of an internal page link to open, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or (parts.netloc and parts.netloc != "testserver"):
        return None
    path = parts.path or urlsplit(page_url).path
    if not path.startswith("/") or "format=" in parts.query:
        return None
    return f"{path}?{parts.query}" if parts.query else path


def admin_links_seen(client, user) -> dict[str, list[str]]:
    """{page: its links into the admin} over the home page, the navigation, and the pages they link to."""
    client.force_login(user)
    found: dict[str, list[str]] = {}
    opened: set[str] = set()
    per_name: Counter = Counter()

    def open_page(url: str) -> list[str]:
        opened.add(url)
        response = client.get(url)
        assert response.status_code in (200, 302), (user.role, url, response.status_code)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return []
        links = links_of(response.content.decode())
        bad = [link for link in links.links if urlsplit(link).path.startswith(ADMIN_PREFIX)]
        if bad:
            found[url] = bad
        return links.pages

    first_level = [item["url"] for item in navigation.navigation_for(user)]
    first_level += [link for link in open_page(reverse("home")) if link not in first_level]
    for link in first_level:
        url = _walkable(link, reverse("home"))
        if url is None or url in opened or urlsplit(url).path.startswith(ADMIN_PREFIX):
            continue
        try:
            name = resolve(urlsplit(url).path).view_name
        except Resolver404:
            continue
        if name in NOT_WALKED or per_name[name] >= PAGES_PER_URL_NAME:
            continue
        per_name[name] += 1
        for second in open_page(url):
            target = _walkable(second, url)
            if target is None or target in opened or urlsplit(target).path.startswith(ADMIN_PREFIX):
                continue
            try:
                second_name = resolve(urlsplit(target).path).view_name
            except Resolver404:
                continue
            if second_name in NOT_WALKED or per_name[second_name] >= PAGES_PER_URL_NAME:
                continue
            per_name[second_name] += 1
            open_page(target)
    assert len(opened) > 10, opened  # the walk really went somewhere
    return found


def test_no_page_of_evaluation_officers_and_managers_links_to_the_admin(client, settings, monkeypatch):
    """One seeding of the demo (the slow part) for both roles and the check that the walk can fail."""
    settings.TCMS_TODAY = DEMO_AS_OF
    users = {user.role: user for user in demo_users_ensure(password="a-long-demo-password")}
    call_command("seed_demo", projects=12, seed=1, stdout=io.StringIO())
    for role in (Role.EVALUATION, Role.MANAGER):
        assert admin_links_seen(client, users[role]) == {}, role

    # The same walk finds an admin link once one is offered (here in the navigation, to everyone signed in).
    monkeypatch.setattr(navigation, "NAVIGATION", [*navigation.NAVIGATION,
                                                   navigation.NavEntry("Administration", "admin:index")])
    found = admin_links_seen(client, users[Role.EVALUATION])
    assert reverse("admin:index") in found[reverse("home")]
