from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = _("Delivery")

    def ready(self):
        from core.imports import register
        from delivery import permissions  # noqa: F401  (registers this app's permissions)
        from delivery.imports import FINANCIAL_IMPORTS
        from delivery.models import Approval
        from projects.selectors import register_funding_record

        # An approval's organisation funds the project: it counts as its donor in every donor filter.
        register_funding_record(Approval, organisation_field="donor", project_field="project")

        for kind in FINANCIAL_IMPORTS:
            register(kind)
