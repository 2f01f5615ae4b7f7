from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self):
        from projects import permissions  # noqa: F401  (registers the permission predicates)
        from projects.imports import PROJECTS
        from tcms.imports import register

        register(PROJECTS)
