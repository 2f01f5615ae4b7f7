"""Reference data in the active language where it is read as columns (values(), values_list(), annotations):
the one place that knows how the per-language columns of django-modeltranslation are named and fall back.

Model instances need none of this: `region.name` already follows the active language (translation.py of each
app). A query over another model (Project.objects.values("region__name")) reads the plain column, which holds
whatever language the row was last saved in; these helpers read the active language's column instead, with the
English one when it is empty."""

from django.conf import settings
from django.db.models import F, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from modeltranslation.utils import get_language


def localized_field_name(path: str, language: str | None = None) -> str:
    """"region__name" → "region__name_fr" under French (the active language unless one is given)."""
    return f"{path}_{language or get_language()}"


def localized(path: str):
    """An expression for `path` (a translated field, through relations) in the active language, else English."""
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    columns = [localized_field_name(path, language) for language in dict.fromkeys((get_language(), default))]
    return Coalesce(*(NullIf(F(column), Value(""), output_field=TextField()) for column in columns), F(path),
                    output_field=TextField())
