"""Roles as `rules` predicates, and the one way a write asks for a permission.

Roles (accounts.Role): programme officer, manager, evaluation officer, Governing Body secretariat, administrator.
Each app registers its own permissions from these predicates in its `permissions` module (imported by its
AppConfig.ready), so `user.has_perm("projects.change_project", project)`, `{% if perms %}` and the API's
permission classes all ask the same rules: accounts (administration), projects, delivery, evaluation, alerts,
reports.

The write services ask where the write happens (`require`), so that no page, endpoint or import can skip the check.
`user=None` there means a system actor (a management command run by an operator, demo or benchmark seeding, a
Celery task): it is allowed; a request always passes its user.
"""

from collections.abc import Callable

import rules
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import Role


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


@rules.predicate
def is_administrator(user) -> bool:
    return is_signed_in(user) and (user.is_superuser or user.role == Role.ADMIN)


def _has_role(*roles):
    @rules.predicate(name="has_role_" + "_".join(r.lower() for r in roles))
    def predicate(user) -> bool:
        return is_signed_in(user) and user.role in roles

    return predicate


is_officer = _has_role(Role.OFFICER)
is_manager = _has_role(Role.MANAGER)
is_evaluation_officer = _has_role(Role.EVALUATION)
is_secretariat = _has_role(Role.SECRETARIAT)

ADMINISTER = "tcms.administer"  # reference data, rules, users, "run now"
rules.add_perm(ADMINISTER, is_administrator)


# What a refusal says, per permission: each app registers the words of its own (register_refusal).
_REFUSALS: dict[str, Callable[[object], str]] = {}


def register_refusal(perm: str, message: Callable[[object], str]) -> None:
    """`message(obj)` is what a refusal of `perm` on `obj` (or None) says."""
    _REFUSALS[perm] = message


def refusal_message(perm: str, obj=None) -> str:
    """What a refusal of `perm` (on `obj`) says: the same words on a page, in the API and in an import's rows."""
    message = _REFUSALS.get(perm)
    return message(obj) if message is not None else _("You may not do this.")


def require(user, perm: str, obj=None) -> None:
    """Refuse (PermissionDenied, with a message saying what) unless `user` has `perm` (on `obj`).

    The write services call it first. `user=None` is a system actor (see the module's docstring) and is allowed.
    """
    if user is None:
        return
    if not user.has_perm(perm, obj):
        raise PermissionDenied(refusal_message(perm, obj))
