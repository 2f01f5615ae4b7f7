"""The main navigation: one list. An entry shows only to users its predicate admits,
and only once its page exists (so an app can add its entry before its page lands)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


def _signed_in(user) -> bool:
    return user.is_authenticated


def _administrator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or getattr(user, "role", "") == "ADMIN")


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    allowed: Callable = _signed_in


NAVIGATION: list[NavEntry] = [
    NavEntry(_("Home"), "home"),
    NavEntry(_("Projects"), "projects:list"),
    NavEntry(_("Delivery"), "delivery:dashboard"),
    NavEntry(_("Alerts"), "alerts:list"),
    NavEntry(_("Evaluations"), "evaluation:plan"),
    NavEntry(_("Lessons"), "evaluation:lessons"),
    NavEntry(_("Reports"), "reports:list"),
    NavEntry(_("Administration"), "admin:index", _administrator),
]


def navigation_for(user) -> list[dict]:
    items = []
    for entry in NAVIGATION:
        if not entry.allowed(user):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": entry.label, "url": url, "name": entry.url_name})
    return items
