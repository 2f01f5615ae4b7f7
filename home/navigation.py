"""The main navigation: one list. An entry shows only to users its permission (projects/permissions.py) or
predicate admits, and only once its page exists (so an app can add its entry before its page lands).
tests/web/test_access_matrix.py checks that every entry offered to a role opens for that role."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


def _signed_in(user) -> bool:
    return user.is_authenticated


def _staff(user) -> bool:
    """The Office's staff: every signed-in role but constituent (whose workspace is their home page)."""
    return user.is_authenticated and (user.is_superuser or getattr(user, "role", "") != "CONSTITUENT")


def _administrator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or getattr(user, "role", "") == "ADMIN")


def _admin_site_user(user) -> bool:
    """Django's admin site also wants staff status: not offered to an administrator who cannot open it."""
    return _administrator(user) and user.is_staff


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    allowed: Callable = _signed_in
    permission: str | None = None

    def offered_to(self, user) -> bool:
        if not self.allowed(user):
            return False
        return self.permission is None or user.has_perm(self.permission)


NAVIGATION: list[NavEntry] = [
    NavEntry(_("Home"), "home"),
    NavEntry(_("Projects"), "projects:list", permission="projects.view_project"),
    NavEntry(_("Delivery"), "delivery:dashboard", _staff),
    NavEntry(_("Alerts"), "alerts:list", _staff),
    NavEntry(_("Evaluations"), "evaluation:plan", _staff),
    NavEntry(_("Lessons"), "evaluation:lessons", _staff),
    NavEntry(_("Reports"), "reports:list", permission="projects.view_project"),
    NavEntry(_("Administration"), "admin:index", _admin_site_user, permission="tcms.administer"),
    # issue 18.4: the Office reviews constituents' requests; a constituent sends and follows their own
    NavEntry(_("Requests"), "projects:requests", permission="projects.view_project"),
    NavEntry(_("My requests"), "projects:my_requests", permission="projects.submit_request"),
]


def navigation_for(user) -> list[dict]:
    items = []
    for entry in NAVIGATION:
        if not entry.offered_to(user):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": entry.label, "url": url, "name": entry.url_name})
    return items
