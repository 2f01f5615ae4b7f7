from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Early warning")

    def ready(self):
        from alerts import permissions  # noqa: F401  (registers this app's permissions)
        from alerts.selectors import low_delivery_red_threshold
        from delivery.figures import register_at_risk_threshold

        # Delivery's "at risk" is LOW_DELIVERY red: delivery (below this app) reads the threshold through this.
        register_at_risk_threshold(low_delivery_red_threshold)
