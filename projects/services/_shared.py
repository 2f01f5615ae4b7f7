"""What the project services share: the acting user on history rows, refusing fields that cannot be set, reading a
yes/no cell of an import file."""

from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.tabular import CellError, excerpt
from projects.models import (
    DateField,
    Project,
)

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
DATE_FIELDS = tuple(DateField.values)
PROJECT_M2M_FIELDS = ("countries", "other_programmes", "themes", "principles", "conventions")
PROJECT_EDITABLE_FIELDS = frozenset(
    f.name for f in Project._meta.get_fields()
    if getattr(f, "editable", False) and not f.auto_created and f.concrete and f.name not in ("id", "version")
)


TRUE_WORDS, FALSE_WORDS = {"yes", "y", "true", "1", "x"}, {"no", "n", "false", "0", ""}


def parse_yes_no(value: str) -> bool:
    """A yes/no cell of an import file (an empty cell is no)."""
    word = (value or "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("“%(value)s” is not yes or no.") % {"value": excerpt(value)})


def _by(user, instance):
    """Attach the acting user so the history record says who made the change."""
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user
    return instance


def _refuse_unknown_fields(names: Iterable[str], allowed: Iterable[str]) -> None:
    unknown = sorted(set(names) - set(allowed))
    if unknown:
        raise ValidationError({name: _("“%(name)s” is not a field that can be set here.") % {"name": name}
                               for name in unknown})
