from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self):
        from core.imports import register
        from projects import permissions  # noqa: F401  (registers this app's permissions)
        from projects.imports import PROJECTS

        register(PROJECTS)
