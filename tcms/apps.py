from django.apps import AppConfig


class TcmsConfig(AppConfig):
    name = "tcms"
    verbose_name = "TCMS"
