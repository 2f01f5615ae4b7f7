from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The role home pages, the main navigation and the demo data's orchestration: the top of the app layers."""

    name = "home"
    verbose_name = "Home"
