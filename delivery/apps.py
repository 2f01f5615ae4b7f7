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
        from delivery.selectors import year_delivery_rate
        from projects.selectors import register_funding_record
        from projects.serializers import register_year_delivery_rate

        # An approval's organisation funds the project: it counts as its donor in every donor filter.
        register_funding_record(Approval, organisation_field="donor", project_field="project")

        # A constituent reads the project's delivery rate of the year through the projects API.
        register_year_delivery_rate(year_delivery_rate)

        for kind in FINANCIAL_IMPORTS:
            register(kind)
