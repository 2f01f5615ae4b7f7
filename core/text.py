"""Text that every store and every export can hold: the one definition of the characters TCMS refuses.

XML 1.0 (IATI, DOCX, XLSX) cannot hold C0 control characters other than tab, newline and carriage return, lone
surrogates, or the non-characters U+FFFE and U+FFFF; PostgreSQL cannot store NUL. Text coming in (forms, API,
imports) is refused with a message naming the character; exporters call `xml_safe` so that text stored before
this rule existed cannot break an export.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# Everything XML 1.0 forbids (its Char production), which also covers what spreadsheets and PostgreSQL refuse.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def first_forbidden_character(text: str) -> tuple[int, str] | None:
    """(position, character) of the first character that TCMS refuses in text, or None if there is none."""
    if not isinstance(text, str):
        return None
    match = FORBIDDEN_CHARACTERS.search(text)
    return (match.start(), match.group()) if match else None


def forbidden_character_message(position: int, character: str) -> str:
    return _("The text contains a control character (U+%(code)04X) at position %(position)s, which cannot be "
             "stored or exported; remove it.") % {"code": ord(character), "position": position + 1}


def xml_safe(text):
    """text with every forbidden character removed (for exporters: stored text must never break a file)."""
    if not isinstance(text, str):
        return text
    return FORBIDDEN_CHARACTERS.sub("", text)


@deconstructible
class CleanTextValidator:
    """Refuses text holding a character of FORBIDDEN_CHARACTERS (a form, serializer or model field validator)."""

    code = "forbidden_character"

    def __call__(self, value):
        found = first_forbidden_character(value)
        if found is not None:
            raise ValidationError(forbidden_character_message(*found), code=self.code)

    def __eq__(self, other):
        return isinstance(other, CleanTextValidator)


validate_clean_text = CleanTextValidator()


def comparable(text: str | None) -> str:
    """A text as people compare names: trimmed, inner spaces collapsed, case and accents ignored
    ("  Confédération  syndicale " and "confederation SYNDICALE" are the same)."""
    decomposed = unicodedata.normalize("NFKD", " ".join((text or "").split()))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
