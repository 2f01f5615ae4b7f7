"""The base classes of every API serializer: each text field refuses the characters of core.text.

Serializers derive from `Serializer` or `ModelSerializer` here, never from DRF's directly (tests/security/
test_clean_text.py walks every serializer of the apps to hold this), so no text field can forget the rule: a
field declared on the serializer, one built from a model field, and the child of a list field alike. The error
names the field (DRF keys it by the field's name, a list's item by its index).
"""

from rest_framework import fields as drf_fields
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from core.text import validate_clean_text

# DRF's own checks on text that core.text.FORBIDDEN_CHARACTERS covers, so that one message is given, not two.
_COVERED = (drf_fields.ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator)


def refuse_forbidden_text(field) -> None:
    """Give `field` (a text field, or a list or dict of them) the validator `validate_clean_text`."""
    if isinstance(field, drf_fields.ListField | drf_fields.DictField):
        refuse_forbidden_text(field.child)
    elif isinstance(field, serializers.CharField):
        kept = [v for v in field.validators if not isinstance(v, _COVERED) and v != validate_clean_text]
        field.validators = [*kept, validate_clean_text]


class CleanTextFields:
    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            refuse_forbidden_text(field)
        return fields


class Serializer(CleanTextFields, serializers.Serializer):
    pass


class ModelSerializer(CleanTextFields, serializers.ModelSerializer):
    pass
