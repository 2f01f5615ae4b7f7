from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = _("Delivery")

    def ready(self):
        from delivery.imports import FINANCIAL_IMPORTS
        from tcms.imports import register

        for kind in FINANCIAL_IMPORTS:
            register(kind)
