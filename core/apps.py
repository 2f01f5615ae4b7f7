from django.apps import AppConfig, apps
from django.db import models

from core.text import validate_clean_text


def refuse_forbidden_text_in_models() -> None:
    """Give every CharField and TextField of every installed model the validator `core.text.validate_clean_text`.

    Once the models are loaded, each such field's `validators` list gets the validator appended, the same way
    Django's CharField appends its MaxLengthValidator. So, with no validator written on each field and nothing in
    the migrations (a field's deconstruction reads the validators it was declared with, not this list):
    - `full_clean()` (the services, the admin's and every ModelForm's model validation) refuses the text with the
      error under the field's name;
    - DRF's ModelSerializer copies a model field's validators onto the serializer field it builds.
    A field added later to a model is covered without anyone having to remember it.
    """
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if isinstance(field, models.CharField | models.TextField) and validate_clean_text not in field.validators:
                field.validators.append(validate_clean_text)


class CoreConfig(AppConfig):
    """Shared helpers that know no domain app (uploads, tables, downloads, locks, the task outbox, import jobs, API
    base classes, the clock).

    The label stays "tcms", the label of the package these helpers first lived in, so that the tables
    (tcms_taskoutbox...), migrations and the "tcms.administer" permission of existing installations are unchanged.
    """

    name = "core"
    label = "tcms"
    verbose_name = "TCMS"

    def ready(self):
        refuse_forbidden_text_in_models()
